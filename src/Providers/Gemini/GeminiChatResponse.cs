using System.Buffers;
using System.Text.Json;
using Switchyard.Providers.Streaming;

namespace Switchyard.Providers.Gemini;

/// <summary>
/// A Gemini <c>GenerateContentResponse</c> as an OpenAI chat completion: each candidate is a choice, its text parts
/// joined into the content (thought parts left out), its <c>functionCall</c> parts as <c>tool_calls</c> with generated
/// ids and the arguments as a JSON string, and <c>usageMetadata</c> as usage.
/// </summary>
internal static class GeminiChatResponse
{
    public static byte[] Translate(ReadOnlySpan<byte> body, string model, long created, Func<string> ids)
    {
        using var document = Parse(body);
        var root = document.RootElement;
        var buffer = new ArrayBufferWriter<byte>(body.Length + 256);
        using (var json = new Utf8JsonWriter(buffer, GeminiAdapter.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("id", "chatcmpl-" + (GeminiChatRequest.String(root, "responseId") ?? ids()));
            json.WriteString("object", "chat.completion");
            json.WriteNumber("created", created);
            json.WriteString("model", GeminiChatRequest.String(root, "modelVersion") ?? model);
            json.WriteStartArray("choices");
            var any = false;
            if (root.TryGetProperty("candidates", out var candidates) && candidates.ValueKind == JsonValueKind.Array)
            {
                var position = 0;
                foreach (var candidate in candidates.EnumerateArray())
                {
                    WriteChoice(json, candidate, position++, ids);
                    any = true;
                }
            }

            if (!any)
            {
                // No candidates: the prompt itself was blocked (promptFeedback.blockReason).
                json.WriteStartObject();
                json.WriteNumber("index", 0);
                json.WriteStartObject("message");
                json.WriteString("role", "assistant");
                json.WriteNull("content");
                json.WriteEndObject();
                json.WriteNull("logprobs");
                json.WriteString("finish_reason", "content_filter");
                json.WriteEndObject();
            }

            json.WriteEndArray();
            if (root.TryGetProperty("usageMetadata", out var usage) && usage.ValueKind == JsonValueKind.Object)
            {
                WriteUsage(json, usage);
            }

            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    internal static JsonDocument Parse(ReadOnlySpan<byte> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.ToArray());
        }
        catch (JsonException ex)
        {
            throw new StreamProtocolException($"Google Gemini sent JSON that could not be read: {ex.Message}");
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw new StreamProtocolException("Google Gemini sent a JSON value that is not an object");
        }

        return document;
    }

    private static void WriteChoice(Utf8JsonWriter json, JsonElement candidate, int position, Func<string> ids)
    {
        var parts = Parts(candidate);
        string? text = null;
        var hasCall = false;
        foreach (var part in parts)
        {
            if (IsText(part, out var piece))
            {
                text = text is null ? piece : text + piece;
            }
            else if (part.TryGetProperty("functionCall", out _))
            {
                hasCall = true;
            }
        }

        json.WriteStartObject();
        json.WriteNumber("index", Index(candidate, position));
        json.WriteStartObject("message");
        json.WriteString("role", "assistant");
        json.WriteString("content", text);
        if (hasCall)
        {
            json.WriteStartArray("tool_calls");
            foreach (var part in parts)
            {
                if (part.TryGetProperty("functionCall", out var call))
                {
                    json.WriteStartObject();
                    WriteToolCall(json, call, ids);
                    json.WriteEndObject();
                }
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
        json.WriteNull("logprobs");
        json.WriteString("finish_reason", FinishReason(GeminiChatRequest.String(candidate, "finishReason"), hasCall) ?? "stop");
        json.WriteEndObject();
    }

    /// <summary>Writes <c>id</c>, <c>type</c> and <c>function</c> of one tool call (the caller owns the object).</summary>
    internal static void WriteToolCall(Utf8JsonWriter json, JsonElement call, Func<string> ids)
    {
        json.WriteString("id", GeminiChatRequest.String(call, "id") ?? "call_" + ids());
        json.WriteString("type", "function");
        json.WriteStartObject("function");
        json.WriteString("name", GeminiChatRequest.String(call, "name") ?? "");
        json.WriteString("arguments", call.TryGetProperty("args", out var args) && args.ValueKind == JsonValueKind.Object ? args.GetRawText() : "{}");
        json.WriteEndObject();
    }

    internal static List<JsonElement> Parts(JsonElement candidate)
    {
        var parts = new List<JsonElement>();
        if (candidate.ValueKind == JsonValueKind.Object
            && candidate.TryGetProperty("content", out var content)
            && content.ValueKind == JsonValueKind.Object
            && content.TryGetProperty("parts", out var array)
            && array.ValueKind == JsonValueKind.Array)
        {
            foreach (var part in array.EnumerateArray())
            {
                if (part.ValueKind == JsonValueKind.Object)
                {
                    parts.Add(part);
                }
            }
        }

        return parts;
    }

    /// <summary>A text part that is answer, not thinking (<c>"thought": true</c> parts are the model's reasoning summary).</summary>
    internal static bool IsText(JsonElement part, out string text)
    {
        text = "";
        if (part.TryGetProperty("thought", out var thought) && thought.ValueKind == JsonValueKind.True)
        {
            return false;
        }

        if (GeminiChatRequest.String(part, "text") is { } value)
        {
            text = value;
            return true;
        }

        return false;
    }

    internal static int Index(JsonElement candidate, int position) =>
        candidate.TryGetProperty("index", out var index) && index.ValueKind == JsonValueKind.Number && index.TryGetInt32(out var value) ? value : position;

    /// <summary>OpenAI's finish reason for Gemini's, or null while the candidate is still going.</summary>
    internal static string? FinishReason(string? reason, bool hasCall) => reason switch
    {
        null or "" or "FINISH_REASON_UNSPECIFIED" => null,
        "STOP" => hasCall ? "tool_calls" : "stop",
        "MAX_TOKENS" => "length",
        "SAFETY" or "RECITATION" or "BLOCKLIST" or "PROHIBITED_CONTENT" or "SPII" or "IMAGE_SAFETY" => "content_filter",
        _ => hasCall ? "tool_calls" : "stop",
    };

    /// <summary>
    /// OpenAI usage from <c>usageMetadata</c>. Thinking tokens (<c>thoughtsTokenCount</c>) are billed as output, so they
    /// count as completion tokens and are also shown as <c>reasoning_tokens</c>, as OpenAI does for its reasoning models.
    /// </summary>
    internal static void WriteUsage(Utf8JsonWriter json, JsonElement usage)
    {
        var prompt = Count(usage, "promptTokenCount");
        var thoughts = Count(usage, "thoughtsTokenCount");
        var completion = Count(usage, "candidatesTokenCount") + thoughts;
        var total = usage.TryGetProperty("totalTokenCount", out _) ? Count(usage, "totalTokenCount") : prompt + completion;
        json.WriteStartObject("usage");
        json.WriteNumber("prompt_tokens", prompt);
        json.WriteNumber("completion_tokens", completion);
        json.WriteNumber("total_tokens", total);
        if (usage.TryGetProperty("cachedContentTokenCount", out _))
        {
            json.WriteStartObject("prompt_tokens_details");
            json.WriteNumber("cached_tokens", Count(usage, "cachedContentTokenCount"));
            json.WriteEndObject();
        }

        if (thoughts > 0)
        {
            json.WriteStartObject("completion_tokens_details");
            json.WriteNumber("reasoning_tokens", thoughts);
            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    private static int Count(JsonElement usage, string name) =>
        usage.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var count) ? count : 0;
}
