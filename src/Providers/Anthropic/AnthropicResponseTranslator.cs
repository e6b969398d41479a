using System.Globalization;
using System.Text;
using System.Text.Json;
using Switchyard.Providers.Json;
using Switchyard.Providers.OpenAi;
using Switchyard.Providers.Streaming;

namespace Switchyard.Providers.Anthropic;

/// <summary>Anthropic answers (messages, model lists, errors) in OpenAI's shape.</summary>
internal static class AnthropicResponseTranslator
{
    private static readonly ParseFailureMessages Answer = new("Anthropic's {0} is not valid JSON: {1}", "Anthropic's {0} is not a JSON object");

    /// <summary>An Anthropic message as an OpenAI <c>chat.completion</c>.</summary>
    /// <param name="jsonMode">The request asked for JSON, so the forced tool's input is the answer's content.</param>
    /// <exception cref="StreamProtocolException">the body is not an Anthropic message.</exception>
    public static byte[] Message(ReadOnlySpan<byte> body, long created, bool jsonMode)
    {
        using var document = ProviderJson.ParseObject(body.ToArray(), AnthropicWire.DocumentOptions, Answer, "message");
        var message = document.RootElement;
        if (message.String("type") != "message" || !message.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.Array)
        {
            throw new StreamProtocolException("Anthropic answered with something that is not a message");
        }

        var text = new StringBuilder();
        var toolUses = new List<JsonElement>();
        string? jsonAnswer = null;
        foreach (var block in content.EnumerateArray())
        {
            switch (block.String("type"))
            {
                case "text":
                    text.Append(block.String("text"));
                    break;
                case "tool_use" when jsonMode:
                    jsonAnswer = block.TryGetProperty("input", out var input) ? input.GetRawText() : "{}";
                    break;
                case "tool_use":
                    toolUses.Add(block);
                    break;

                // Thinking, redacted thinking and server tool blocks have no place in a chat completion.
                default:
                    break;
            }
        }

        var finishReason = AnthropicWire.FinishReason(message.String("stop_reason"));
        if (jsonAnswer is not null && finishReason == "tool_calls")
        {
            finishReason = "stop";
        }

        var answer = jsonAnswer ?? (text.Length > 0 || toolUses.Count == 0 ? text.ToString() : null);
        var toolCalls = toolUses.ConvertAll(AnthropicWire.ToolCall);
        var usage = message.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object ? AnthropicUsage.From(u).ToOpenAi() : (OpenAiUsage?)null;
        return OpenAiCompletion.Write(message.String("id") ?? "", created, message.String("model") ?? "", [new OpenAiChoice(0, answer, toolCalls, finishReason)], usage, body.Length + 256);
    }

    /// <summary>Anthropic's model list (<c>GET /v1/models</c>) as OpenAI's.</summary>
    public static byte[] Models(ReadOnlySpan<byte> body)
    {
        using var document = ProviderJson.ParseObject(body.ToArray(), AnthropicWire.DocumentOptions, Answer, "model list");
        if (!document.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
        {
            throw new StreamProtocolException("Anthropic's model list has no 'data' array");
        }

        return CompactJson.Write(json =>
        {
            json.WriteStartObject();
            json.WriteString("object", "list");
            json.WriteStartArray("data");
            foreach (var model in data.EnumerateArray())
            {
                json.WriteStartObject();
                json.WriteString("id", model.String("id") ?? "");
                json.WriteString("object", "model");
                var created = DateTimeOffset.TryParse(model.String("created_at"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at.ToUnixTimeSeconds() : 0;
                json.WriteNumber("created", created);
                json.WriteString("owned_by", "anthropic");
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }, body.Length);
    }
}
