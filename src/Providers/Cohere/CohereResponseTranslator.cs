using System.Text.Json;
using Switchyard.Providers.Json;
using Switchyard.Providers.OpenAi;
using Switchyard.Providers.Streaming;

namespace Switchyard.Providers.Cohere;

/// <summary>
/// A Cohere v2 chat answer as an OpenAI chat completion. Text content blocks are joined into the content (thinking
/// blocks left out); when the answer is tool calls without text, the model's <c>tool_plan</c> is the content, so the
/// plan is not lost and comes back as the plan on the next turn. Usage comes from <c>usage.tokens</c> (what the model
/// processed) when present, else from <c>usage.billed_units</c>.
/// </summary>
internal static class CohereResponseTranslator
{
    public static byte[] Translate(ReadOnlySpan<byte> body, string model, long created, Func<string> ids)
    {
        using var document = ProviderJson.ParseAnswer(body, CohereAdapter.Name);
        var root = document.RootElement;
        if (!root.TryGetProperty("message", out var message) || message.ValueKind != JsonValueKind.Object)
        {
            throw new StreamProtocolException("Cohere answered without 'message'");
        }

        var text = Text(message);
        var hasCalls = message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array && calls.GetArrayLength() > 0;
        if (text is null && hasCalls)
        {
            text = message.String("tool_plan") is { Length: > 0 } plan ? plan : null;
        }

        // The answer's id is taken before the calls': generated ids are numbered in the order they are asked for.
        var id = root.String("id") ?? "chatcmpl-" + ids();
        var toolCalls = new List<OpenAiToolCall>();
        if (hasCalls)
        {
            foreach (var call in calls.EnumerateArray())
            {
                var function = call.ValueKind == JsonValueKind.Object && call.TryGetProperty("function", out var f) ? f : default;
                toolCalls.Add(new(call.String("id") ?? "call_" + ids(), function.String("name") ?? "", function.String("arguments") ?? "{}"));
            }
        }

        var usage = root.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object ? Usage(u) : (OpenAiUsage?)null;
        return OpenAiCompletion.Write(id, created, model, [new OpenAiChoice(0, text, toolCalls, FinishReason(root.String("finish_reason"), hasCalls))], usage, body.Length + 256);
    }

    /// <summary>The text blocks joined, or null when there are none.</summary>
    private static string? Text(JsonElement message)
    {
        if (!message.TryGetProperty("content", out var content))
        {
            return null;
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            return content.GetString();
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        string? text = null;
        foreach (var block in content.EnumerateArray())
        {
            if (block.String("type") is "text" && block.String("text") is { } piece)
            {
                text = text is null ? piece : text + piece;
            }
        }

        return text;
    }

    /// <summary>
    /// OpenAI's finish reason for Cohere's. <c>ERROR</c> and <c>TIMEOUT</c> have no OpenAI counterpart; in a complete
    /// answer they read as <c>stop</c> (a stream treats <c>ERROR</c> as the provider's error).
    /// </summary>
    internal static string FinishReason(string? reason, bool hasCalls) => reason switch
    {
        "MAX_TOKENS" => "length",
        "TOOL_CALL" => "tool_calls",
        _ => hasCalls ? "tool_calls" : "stop",
    };

    internal static OpenAiUsage Usage(JsonElement usage)
    {
        var counts = usage.TryGetProperty("tokens", out var tokens) && tokens.ValueKind == JsonValueKind.Object
            ? tokens
            : usage.TryGetProperty("billed_units", out var billed) && billed.ValueKind == JsonValueKind.Object ? billed : default;
        var prompt = Count(counts, "input_tokens");
        var completion = Count(counts, "output_tokens");
        return new(prompt, completion, prompt + completion, usage.TryGetProperty("cached_tokens", out _) ? Count(usage, "cached_tokens") : null);
    }

    /// <summary>Cohere's SDKs type counts as floats, and some answers write them as <c>37.0</c>.</summary>
    internal static int Count(JsonElement counts, string name) =>
        counts.ValueKind == JsonValueKind.Object && counts.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number
            ? (int)value.GetDouble()
            : 0;
}
