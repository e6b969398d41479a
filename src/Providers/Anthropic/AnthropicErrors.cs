using System.Text;
using System.Text.Json;
using Switchyard.Providers.Json;
using Switchyard.Providers.OpenAi;

namespace Switchyard.Providers.Anthropic;

/// <summary>Anthropic's error answers in OpenAI's error shape.</summary>
internal static class AnthropicErrors
{
    /// <summary>
    /// Anthropic's <c>{"type":"error","error":{"type","message"}}</c> as OpenAI's error shape. Anthropic's error types are
    /// kept: they are the same words OpenAI clients already know (plus <c>overloaded_error</c> for its 529).
    /// </summary>
    public static byte[] ToOpenAi(int status, ReadOnlySpan<byte> body)
    {
        string? type = null;
        string? message = null;
        try
        {
            using var document = JsonDocument.Parse(body.ToArray(), AnthropicWire.DocumentOptions);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("error", out var error))
            {
                type = error.String("type");
                message = error.String("message");
            }
        }
        catch (JsonException)
        {
        }

        if (message is null && body.Length > 0 && body.Length <= 1024 && Encoding.UTF8.GetString(body) is var raw && !raw.TrimStart().StartsWith('<'))
        {
            message = raw.Trim();
        }

        return OpenAiErrors.Body(type ?? AnthropicWire.ErrorTypeFor(status), message is { Length: > 0 } ? message : $"Anthropic answered {status}", code: null);
    }
}
