using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Switchyard.Gateway.Pipeline;
using Switchyard.Gateway.Upstream;
using Switchyard.Providers.Dialects;
using Switchyard.Providers.OpenAi;

namespace Switchyard.Gateway.Errors;

/// <summary>
/// Renders every error the gateway answers, from the <see cref="ErrorTable"/>: its own refusals, attempts that failed
/// before a provider answered, and a provider's error in the client's dialect.
/// </summary>
public static class ErrorAnswer
{
    /// <summary>Portkey's gateway shape: <c>{"status":"failure","message":…,"errors":[…]}</c>.</summary>
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

    /// <summary>
    /// Writes a refused call, unless the response has already started: Portkey's gateway shape for OpenAI clients, the
    /// dialect's own error shape for others (an Anthropic SDK only understands Anthropic errors).
    /// </summary>
    internal static async Task WriteAsync(GatewayCall call, GatewayException refusal)
    {
        call.StatusCode = refusal.StatusCode;
        call.ErrorType = ErrorTable.For(refusal.Kind).Type;
        call.ErrorMessage = refusal.Message;
        var response = call.Response;
        if (response.HasStarted)
        {
            return;
        }

        var body = call.Dialect.Format == ClientFormat.OpenAi
            ? GatewayShape(refusal.Message, refusal.Errors)
            : call.Dialect.Error(refusal.StatusCode, ErrorTable.For(refusal.Kind).AnthropicType,
                refusal.Errors.Count == 0 ? refusal.Message : $"{refusal.Message}: {string.Join("; ", refusal.Errors)}");
        response.StatusCode = refusal.StatusCode;
        foreach (var (name, value) in refusal.Headers)
        {
            response.SetHeader(name, value);
        }

        response.SetHeader(GatewayHeaders.ContentType, "application/json");
        response.SetHeader(GatewayHeaders.ContentLength, body.Length.ToString(CultureInfo.InvariantCulture));
        if (call.KeepsAnswer)
        {
            call.AnswerBody = body;
        }

        call.FirstByteSent();
        await response.WriteAsync(body, call.Aborted);
    }

    /// <summary>The call failed on an attempt the gateway judged itself (timeout, unreachable, invalid answer, open circuit).</summary>
    internal static void NoteFailedAttempt(GatewayCall call, OutcomeKind kind, string problem)
    {
        call.ErrorType = ErrorTable.For(kind).Type;
        call.ErrorMessage = problem;
    }

    /// <summary>
    /// The call ended in a provider's error: its <c>error.type</c> and <c>error.message</c> as the client received them
    /// (OpenAI's and Anthropic's shapes both carry an <c>error</c> object), else the type its status stands for.
    /// </summary>
    internal static void NoteProviderError(GatewayCall call, int status, ReadOnlySpan<byte> clientBody)
    {
        string? type = null, message = null;
        try
        {
            var reader = new Utf8JsonReader(clientBody);
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                type = error.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            }
        }
        catch (JsonException)
        {
        }

        call.ErrorType = type ?? ErrorTable.TypeForStatus(status);
        call.ErrorMessage = message ?? $"the provider answered {status}";
    }

    /// <summary>The body for an attempt that failed before the provider answered (timeout, network, invalid answer, open circuit).</summary>
    internal static byte[] ForFailedAttempt(IClientDialect dialect, OutcomeKind kind, string problem)
    {
        var shape = ErrorTable.For(kind);
        return dialect.Format == ClientFormat.OpenAi
            ? OpenAiErrors.Body(shape.Type, problem, shape.Code)
            : dialect.Error(shape.Status, shape.AnthropicType, problem);
    }

    /// <summary>A provider's error, already in OpenAI's shape, rendered for the client's dialect.</summary>
    internal static byte[] ForProviderError(IClientDialect dialect, int status, byte[] openAiError)
    {
        if (dialect.Format == ClientFormat.OpenAi)
        {
            return openAiError;
        }

        var (type, message) = ("api_error", $"the provider answered {status}");
        try
        {
            using var document = JsonDocument.Parse(openAiError);
            if (document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                type = error.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : ErrorTable.TypeForStatus(status);
                message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : message;
            }
        }
        catch (JsonException)
        {
        }

        return dialect.Error(status, type, message);
    }
}
