using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Switchyard.Providers;
using Switchyard.Providers.Dialects;
using Switchyard.Providers.OpenAi;

namespace Switchyard.Gateway.Pipeline;

/// <summary>
/// Portkey's two error shapes: the gateway's own <c>{"status":"failure","message":…,"errors":[…]}</c> for requests it refuses,
/// and OpenAI's <c>{"error":{message,type,param,code}}</c> for failures of the call itself (timeouts, unreachable providers, broken streams).
/// </summary>
public static class GatewayErrors
{
    public static byte[] GatewayShape(string message, IReadOnlyList<string>? errors = null)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("status", "failure");
            writer.WriteString("message", message);
            if (errors is { Count: > 0 })
            {
                writer.WriteStartArray("errors");
                foreach (var error in errors)
                {
                    writer.WriteStringValue(error);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] OpenAiShape(string message, string type, string? code) => OpenAiErrors.Body(type, message, code);

    /// <summary>OpenAI's error type for a status the gateway chose itself.</summary>
    public static string ErrorType(int status) => status switch
    {
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        408 => "timeout_error",
        412 => "budget_exceeded_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        >= 500 => "api_error",
        _ => "invalid_request_error",
    };

    /// <summary>
    /// Writes a refused request, unless the response has already started: Portkey's gateway shape for OpenAI clients,
    /// the dialect's own error shape for others (an Anthropic SDK only understands Anthropic errors).
    /// </summary>
    public static async Task WriteAsync(IClientResponse response, IClientDialect dialect, GatewayException exception, CancellationToken cancellationToken)
    {
        if (response.HasStarted)
        {
            return;
        }

        var body = dialect.Format == ClientFormat.OpenAi
            ? GatewayShape(exception.Message, exception.Errors)
            : dialect.Error(exception.StatusCode, ErrorType(exception.StatusCode), exception.Errors.Count == 0 ? exception.Message : $"{exception.Message}: {string.Join("; ", exception.Errors)}");
        response.StatusCode = exception.StatusCode;
        foreach (var (name, value) in exception.Headers)
        {
            response.SetHeader(name, value);
        }

        response.SetHeader("content-type", "application/json");
        response.SetHeader("content-length", body.Length.ToString(CultureInfo.InvariantCulture));
        await response.WriteAsync(body, cancellationToken);
    }
}
