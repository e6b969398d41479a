using System.Text.Json;
using Switchyard.Providers.Json;
using Switchyard.Providers.OpenAi;
using Switchyard.Providers.Streaming;

namespace Switchyard.Providers.Bedrock;

/// <summary>
/// A Converse answer (<c>{output:{message:{role,content}}, stopReason, usage}</c>) as an OpenAI chat completion.
/// Converse answers carry no id or creation time, so the adapter supplies both.
/// </summary>
internal static class BedrockResponseTranslator
{
    /// <summary>Bedrock's answers that are not JSON objects, whether they parse or not, are named alike.</summary>
    public static readonly ParseFailureMessages NotAnObject = new("{0} is not a JSON object", "{0} is not a JSON object");

    /// <exception cref="StreamProtocolException">the body is not a Converse answer.</exception>
    public static byte[] ToOpenAi(ReadOnlySpan<byte> body, string id, long created, string model)
    {
        using var document = ProviderJson.ParseObject(body.ToArray(), default, NotAnObject, "Bedrock's answer");
        var root = document.RootElement;
        if (!root.TryGetProperty("output", out var output) || output.ValueKind != JsonValueKind.Object
            || !output.TryGetProperty("message", out var message) || message.ValueKind != JsonValueKind.Object
            || !message.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.Array)
        {
            throw new StreamProtocolException("Bedrock's answer has no output.message.content");
        }

        var text = new System.Text.StringBuilder();
        var hasText = false;
        var toolUses = new List<JsonElement>();
        foreach (var block in content.EnumerateArray())
        {
            if (block.TryGetProperty("text", out var blockText) && blockText.ValueKind == JsonValueKind.String)
            {
                text.Append(blockText.GetString());
                hasText = true;
            }
            else if (block.TryGetProperty("toolUse", out var toolUse) && toolUse.ValueKind == JsonValueKind.Object)
            {
                toolUses.Add(toolUse);
            }

            // reasoningContent, citations and guard content have no place in an OpenAI message.
        }

        var toolCalls = toolUses.ConvertAll(toolUse => new OpenAiToolCall(
            toolUse.String("toolUseId") ?? "",
            toolUse.String("name") ?? "",
            toolUse.TryGetProperty("input", out var input) ? input.GetRawText() : "{}"));
        var usage = root.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object ? Usage(u) : (OpenAiUsage?)null;
        return OpenAiCompletion.Write(id, created, model, [new OpenAiChoice(0, hasText ? text.ToString() : null, toolCalls, FinishReason(root.String("stopReason")))], usage, body.Length + 256);
    }

    /// <summary>Converse's <c>stopReason</c> as an OpenAI <c>finish_reason</c>.</summary>
    public static string FinishReason(string? stopReason) => stopReason switch
    {
        "max_tokens" or "model_context_window_exceeded" => "length",
        "tool_use" => "tool_calls",
        "guardrail_intervened" or "content_filtered" => "content_filter",
        _ => "stop", // end_turn, stop_sequence, and anything newer
    };

    /// <summary>
    /// Converse <c>usage</c> as OpenAI's. Bedrock counts cache reads and writes apart from <c>inputTokens</c>, while
    /// OpenAI's <c>prompt_tokens</c> includes cached tokens, so both are added back in.
    /// </summary>
    public static OpenAiUsage Usage(JsonElement usage)
    {
        var input = usage.Int("inputTokens");
        var output = usage.Int("outputTokens");
        var cacheRead = usage.Int("cacheReadInputTokens");
        var prompt = input + cacheRead + usage.Int("cacheWriteInputTokens");
        return new(
            prompt,
            output,
            usage.TryGetProperty("totalTokens", out _) ? usage.Int("totalTokens") : prompt + output,
            usage.TryGetProperty("cacheReadInputTokens", out _) ? cacheRead : null);
    }
}
