using System.Buffers;
using System.Text.Json;

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

    public static byte[] OpenAiShape(string message, string type, string? code)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("error");
            writer.WriteString("message", message);
            writer.WriteString("type", type);
            writer.WriteNull("param");
            if (code is null)
            {
                writer.WriteNull("code");
            }
            else
            {
                writer.WriteString("code", code);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes a refused request as the gateway shape, unless the response has already started.</summary>
    public static async Task WriteAsync(IClientResponse response, GatewayException exception, CancellationToken cancellationToken)
    {
        if (response.HasStarted)
        {
            return;
        }

        response.StatusCode = exception.StatusCode;
        var body = GatewayShape(exception.Message, exception.Errors);
        response.SetHeader("content-type", "application/json");
        response.SetHeader("content-length", body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await response.WriteAsync(body, cancellationToken);
    }
}
