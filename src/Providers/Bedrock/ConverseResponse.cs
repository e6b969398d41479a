using System.Buffers;
using System.Text.Json;
using Switchyard.Providers.Streaming;

namespace Switchyard.Providers.Bedrock;

/// <summary>
/// A Converse answer (<c>{output:{message:{role,content}}, stopReason, usage}</c>) as an OpenAI chat completion.
/// Converse answers carry no id or creation time, so the adapter supplies both.
/// </summary>
internal static class ConverseResponse
{
    /// <exception cref="StreamProtocolException">the body is not a Converse answer.</exception>
    public static byte[] ToOpenAi(ReadOnlySpan<byte> body, string id, long created, string model)
    {
        using var document = ParseObject(body, "Bedrock's answer");
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

        var buffer = new ArrayBufferWriter<byte>(body.Length + 256);
        using (var writer = new Utf8JsonWriter(buffer, ConverseRequest.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("id", id);
            writer.WriteString("object", "chat.completion");
            writer.WriteNumber("created", created);
            writer.WriteString("model", model);
            writer.WriteStartArray("choices");
            writer.WriteStartObject();
            writer.WriteNumber("index", 0);
            writer.WriteStartObject("message");
            writer.WriteString("role", "assistant");
            if (hasText)
            {
                writer.WriteString("content", text.ToString());
            }
            else
            {
                writer.WriteNull("content");
            }

            if (toolUses.Count > 0)
            {
                writer.WriteStartArray("tool_calls");
                foreach (var toolUse in toolUses)
                {
                    writer.WriteStartObject();
                    writer.WriteString("id", StringOf(toolUse, "toolUseId"));
                    writer.WriteString("type", "function");
                    writer.WriteStartObject("function");
                    writer.WriteString("name", StringOf(toolUse, "name"));
                    writer.WriteString("arguments", toolUse.TryGetProperty("input", out var input) ? input.GetRawText() : "{}");
                    writer.WriteEndObject();
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
            writer.WriteNull("logprobs");
            writer.WriteString("finish_reason", FinishReason(StringOf(root, "stopReason")));
            writer.WriteEndObject();
            writer.WriteEndArray();
            if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
            {
                WriteUsage(writer, usage);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
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
    public static void WriteUsage(Utf8JsonWriter writer, JsonElement usage)
    {
        var input = Int(usage, "inputTokens");
        var output = Int(usage, "outputTokens");
        var cacheRead = Int(usage, "cacheReadInputTokens");
        var cacheWrite = Int(usage, "cacheWriteInputTokens");
        var prompt = input + cacheRead + cacheWrite;
        writer.WriteStartObject("usage");
        writer.WriteNumber("prompt_tokens", prompt);
        writer.WriteNumber("completion_tokens", output);
        writer.WriteNumber("total_tokens", usage.TryGetProperty("totalTokens", out _) ? Int(usage, "totalTokens") : prompt + output);
        if (usage.TryGetProperty("cacheReadInputTokens", out _))
        {
            writer.WriteStartObject("prompt_tokens_details");
            writer.WriteNumber("cached_tokens", cacheRead);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    internal static JsonDocument ParseObject(ReadOnlySpan<byte> body, string what)
    {
        try
        {
            var document = JsonDocument.Parse(body.ToArray());
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return document;
            }

            document.Dispose();
        }
        catch (JsonException)
        {
        }

        throw new StreamProtocolException($"{what} is not a JSON object");
    }

    private static int Int(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? number : 0;

    private static string StringOf(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";
}
