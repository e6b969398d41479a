using System.Text.Json;
using Switchyard.Providers.Json;
using Switchyard.Providers.OpenAi;

namespace Switchyard.Providers.Gemini;

/// <summary>
/// A Gemini <c>GenerateContentResponse</c> as an OpenAI chat completion: each candidate is a choice, its text parts
/// joined into the content (thought parts left out), its <c>functionCall</c> parts as <c>tool_calls</c> with generated
/// ids and the arguments as a JSON string, and <c>usageMetadata</c> as usage.
/// </summary>
internal static class GeminiResponseTranslator
{
    public static byte[] Translate(ReadOnlySpan<byte> body, string model, long created, Func<string> ids)
    {
        using var document = ProviderJson.ParseAnswer(body, GeminiAdapter.Name);
        var root = document.RootElement;

        // The answer's id is taken before the calls': generated ids are numbered in the order they are asked for.
        var id = "chatcmpl-" + (root.String("responseId") ?? ids());
        var choices = new List<OpenAiChoice>();
        if (root.TryGetProperty("candidates", out var candidates) && candidates.ValueKind == JsonValueKind.Array)
        {
            var position = 0;
            foreach (var candidate in candidates.EnumerateArray())
            {
                choices.Add(Choice(candidate, position++, ids));
            }
        }

        if (choices.Count == 0)
        {
            // No candidates: the prompt itself was blocked (promptFeedback.blockReason).
            choices.Add(new OpenAiChoice(0, null, [], "content_filter"));
        }

        var usage = root.TryGetProperty("usageMetadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object ? Usage(metadata) : (OpenAiUsage?)null;
        return OpenAiCompletion.Write(id, created, root.String("modelVersion") ?? model, choices, usage, body.Length + 256);
    }

    /// <summary>One candidate as a choice: its text parts joined (thoughts left out), its function calls as tool calls.</summary>
    private static OpenAiChoice Choice(JsonElement candidate, int position, Func<string> ids)
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

        var calls = new List<OpenAiToolCall>();
        foreach (var part in hasCall ? parts : [])
        {
            if (part.TryGetProperty("functionCall", out var call))
            {
                calls.Add(ToolCall(call, ids));
            }
        }

        return new OpenAiChoice(Index(candidate, position), text, calls, FinishReason(candidate.String("finishReason"), hasCall) ?? "stop");
    }

    /// <summary>A <c>functionCall</c> part as an OpenAI tool call: Gemini names calls only sometimes, and sends the arguments as an object.</summary>
    internal static OpenAiToolCall ToolCall(JsonElement call, Func<string> ids) => new(
        call.String("id") ?? "call_" + ids(),
        call.String("name") ?? "",
        call.TryGetProperty("args", out var args) && args.ValueKind == JsonValueKind.Object ? args.GetRawText() : "{}");

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

        if (part.String("text") is { } value)
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
    internal static OpenAiUsage Usage(JsonElement usage)
    {
        var prompt = usage.Int("promptTokenCount");
        var thoughts = usage.Int("thoughtsTokenCount");
        var completion = usage.Int("candidatesTokenCount") + thoughts;
        var total = usage.TryGetProperty("totalTokenCount", out _) ? usage.Int("totalTokenCount") : prompt + completion;
        return new(
            prompt,
            completion,
            total,
            usage.TryGetProperty("cachedContentTokenCount", out _) ? usage.Int("cachedContentTokenCount") : null,
            thoughts > 0 ? thoughts : null);
    }
}
