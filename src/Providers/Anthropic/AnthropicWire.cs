using System.Text.Json;
using Switchyard.Providers.Json;
using Switchyard.Providers.OpenAi;

namespace Switchyard.Providers.Anthropic;

/// <summary>What both directions of the Anthropic translation share: JSON settings, stop reasons and error types.</summary>
internal static class AnthropicWire
{
    /// <summary>The API version sent when neither the config nor the client names one (<c>anthropic_version</c>).</summary>
    public const string DefaultVersion = "2023-06-01";

    /// <summary>
    /// Anthropic requires <c>max_tokens</c>; OpenAI does not. 4096 is the largest output every Claude model accepts
    /// (Claude 3 Haiku and Opus stop there), so a request without a limit never fails for asking too much.
    /// </summary>
    public const int DefaultMaxTokens = 4096;

    /// <summary>Deep tool schemas nest further than JsonDocument's default of 64.</summary>
    public static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 256 };

    /// <summary>Anthropic's <c>stop_reason</c> as an OpenAI <c>finish_reason</c>.</summary>
    public static string? FinishReason(string? stopReason) => stopReason switch
    {
        null => null,
        "end_turn" or "stop_sequence" or "pause_turn" => "stop",
        "max_tokens" or "model_context_window_exceeded" => "length",
        "tool_use" => "tool_calls",
        "refusal" => "content_filter",
        _ => "stop",
    };

    /// <summary>An OpenAI <c>finish_reason</c> as Anthropic's <c>stop_reason</c>.</summary>
    public static string? StopReason(string? finishReason) => finishReason switch
    {
        null => null,
        "length" => "max_tokens",
        "tool_calls" or "function_call" => "tool_use",
        "content_filter" => "refusal",
        _ => "end_turn",
    };

    /// <summary>
    /// The error types Anthropic documents and its SDK knows. They double as OpenAI-style types (the brief's list),
    /// so an Anthropic error keeps its type when it goes to an OpenAI client.
    /// </summary>
    public static bool IsAnthropicErrorType(string type) => type is "invalid_request_error" or "authentication_error" or "billing_error"
        or "permission_error" or "not_found_error" or "request_too_large" or "rate_limit_error" or "timeout_error" or "api_error" or "overloaded_error";

    /// <summary>Anthropic's error type for a status, as its API chooses them (529 is its own "overloaded").</summary>
    public static string ErrorTypeFor(int status) => status switch
    {
        401 => "authentication_error",
        402 => "billing_error",
        403 => "permission_error",
        404 => "not_found_error",
        408 or 504 => "timeout_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        503 or 529 => "overloaded_error",
        >= 500 => "api_error",
        _ => "invalid_request_error",
    };

    /// <summary>A <c>tool_use</c> block as an OpenAI tool call, its input object as the arguments string.</summary>
    public static OpenAiToolCall ToolCall(JsonElement toolUse) =>
        new(toolUse.String("id") ?? "", toolUse.String("name") ?? "", toolUse.TryGetProperty("input", out var input) ? input.GetRawText() : "{}");

    /// <summary>
    /// Writes OpenAI tool-call arguments (a JSON string) as Anthropic's <c>input</c>, the object itself; blank arguments are
    /// <c>{}</c>. Writes nothing and returns false when they are not a JSON object.
    /// </summary>
    public static bool TryWriteInput(Utf8JsonWriter json, string? arguments)
    {
        if (string.IsNullOrWhiteSpace(arguments))
        {
            json.WriteStartObject();
            json.WriteEndObject();
            return true;
        }

        try
        {
            using var parsed = JsonDocument.Parse(arguments, DocumentOptions);
            if (parsed.RootElement.ValueKind == JsonValueKind.Object)
            {
                parsed.RootElement.WriteTo(json);
                return true;
            }
        }
        catch (JsonException)
        {
        }

        return false;
    }

    /// <summary>Anthropic's error body <c>{"type":"error","error":{"type":…,"message":…}}</c>.</summary>
    public static byte[] ErrorBody(string type, string message) => CompactJson.Write(json =>
    {
        json.WriteStartObject();
        json.WriteString("type", "error");
        json.WriteStartObject("error");
        json.WriteString("type", type);
        json.WriteString("message", message);
        json.WriteEndObject();
        json.WriteEndObject();
    }, 128 + message.Length);
}
