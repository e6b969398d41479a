using System.Runtime.InteropServices;
using System.Text.Json;
using Switchyard.Providers.Json;
using Switchyard.Providers.OpenAi;

namespace Switchyard.Gateway.Caching;

/// <summary>
/// A stored JSON completion told as the OpenAI stream that would have delivered it. For each choice of a chat completion:
/// a role chunk (the message's other fields with their text still empty), a chunk per text field (reasoning first, then
/// content with the choice's <c>logprobs</c>, then any other), a chunk per tool call (index, id, type, name and all its
/// arguments), and the finish chunk with the finish reason and the choice's remaining fields; for a text completion, a
/// text chunk and a finish chunk per choice. Then the usage-only chunk (<c>"choices":[]</c>) when the client asked for
/// usage, and <c>[DONE]</c>. Every chunk carries the stamp's id and created and the completion's other top-level fields
/// (model, system_fingerprint, …); values are copied as stored. <see cref="StreamAssembly"/> adds the chunks back up to
/// the same completion.
/// </summary>
internal static class StreamSynthesis
{
    /// <summary>The field names a reasoning model's text goes under in OpenAI-compatible APIs; streamed before the content.</summary>
    private static readonly string[] ReasoningFields = ["reasoning_content", "reasoning"];

    /// <exception cref="JsonException">the body is not a JSON object.</exception>
    public static List<byte[]> Chunks(ReadOnlyMemory<byte> completion, bool chat, ReplayStamp stamp, bool includeUsage)
    {
        using var document = JsonDocument.Parse(completion, new JsonDocumentOptions { MaxDepth = JsonMembers.MaxDepth });
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException("A stored completion is not a JSON object.");
        }

        var chunks = new Chunk(root, stamp, chat);
        var output = new List<byte[]>();
        if (root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array)
        {
            var position = 0;
            foreach (var choice in choices.EnumerateArray())
            {
                if (choice.ValueKind == JsonValueKind.Object)
                {
                    var index = choice.TryGetProperty("index", out var i) && i.TryGetInt32(out var n) ? n : position;
                    if (chat)
                    {
                        ChatChoice(chunks, choice, index, output);
                    }
                    else
                    {
                        TextChoice(chunks, choice, index, output);
                    }
                }

                position++;
            }
        }

        if (includeUsage && root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
        {
            var raw = JsonMarshal.GetRawUtf8Value(usage);
            output.Add(chunks.Usage(CachedUsage.Mark(raw) ?? raw.ToArray()));
        }

        output.Add(OpenAiChunks.Done);
        return output;
    }

    private static void ChatChoice(Chunk chunks, JsonElement choice, int index, List<byte[]> output)
    {
        var message = choice.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
        var logprobs = choice.TryGetProperty("logprobs", out var l) && l.ValueKind != JsonValueKind.Null ? l : default;
        var fields = message.ValueKind == JsonValueKind.Object ? message.EnumerateObject().ToList() : [];
        var calls = fields.FirstOrDefault(field => field.NameEquals("tool_calls")).Value;
        var texts = fields
            .Where(field => field.Value.ValueKind == JsonValueKind.String && !field.NameEquals("role") && field.Value.GetString()!.Length > 0)
            .OrderBy(field => Array.IndexOf(ReasoningFields, field.Name) is var reasoning and >= 0 ? reasoning : ReasoningFields.Length)
            .ToList();
        var hasContent = texts.Any(field => field.NameEquals("content"));

        output.Add(chunks.Choice(index, hasContent ? default : logprobs, finishReason: default, json =>
        {
            json.WriteStartObject("delta");
            if (!fields.Any(field => field.NameEquals("role")))
            {
                json.WriteString("role", "assistant");
            }

            foreach (var field in fields.Where(field => !(field.NameEquals("tool_calls") && field.Value.ValueKind == JsonValueKind.Array)))
            {
                json.WritePropertyName(field.Name);
                if (field.Value.ValueKind == JsonValueKind.String && !field.NameEquals("role"))
                {
                    // The text follows in a chunk of its own; here only its place, as OpenAI's first chunk has it.
                    json.WriteStringValue("");
                }
                else
                {
                    WriteRaw(json, field.Value);
                }
            }

            json.WriteEndObject();
        }));

        foreach (var field in texts)
        {
            output.Add(chunks.Choice(index, field.NameEquals("content") ? logprobs : default, finishReason: default, json =>
            {
                json.WriteStartObject("delta");
                json.WritePropertyName(field.Name);
                WriteRaw(json, field.Value);
                json.WriteEndObject();
            }));
        }

        if (calls.ValueKind == JsonValueKind.Array)
        {
            var toolIndex = 0;
            foreach (var call in calls.EnumerateArray())
            {
                output.Add(chunks.Choice(index, logprobs: default, finishReason: default, ToolCall(toolIndex++, call)));
            }
        }

        output.Add(Finish(chunks, choice, index, "message", static json =>
        {
            json.WriteStartObject("delta");
            json.WriteEndObject();
        }));
    }

    /// <summary>A tool call's delta: its index among the message's calls, then its fields as stored (the whole arguments).</summary>
    private static Action<Utf8JsonWriter> ToolCall(int toolIndex, JsonElement call) => json =>
    {
        json.WriteStartObject("delta");
        json.WriteStartArray("tool_calls");
        json.WriteStartObject();
        json.WriteNumber("index", toolIndex);
        if (call.ValueKind == JsonValueKind.Object)
        {
            foreach (var field in call.EnumerateObject())
            {
                if (!field.NameEquals("index"))
                {
                    json.WritePropertyName(field.Name);
                    WriteRaw(json, field.Value);
                }
            }
        }

        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
    };

    private static void TextChoice(Chunk chunks, JsonElement choice, int index, List<byte[]> output)
    {
        var text = choice.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String ? t : default;
        var logprobs = choice.TryGetProperty("logprobs", out var l) && l.ValueKind != JsonValueKind.Null ? l : default;
        output.Add(chunks.Choice(index, logprobs, finishReason: default, json =>
        {
            json.WritePropertyName("text");
            if (text.ValueKind == JsonValueKind.String)
            {
                WriteRaw(json, text);
            }
            else
            {
                json.WriteStringValue("");
            }
        }));
        output.Add(Finish(chunks, choice, index, "text", static json => json.WriteString("text", "")));
    }

    /// <summary>The chunk that ends a choice: an empty delta (or text), its finish reason, and every field of the choice not streamed before.</summary>
    /// <param name="streamed">The choice's field the earlier chunks carried (<c>message</c>, <c>text</c>).</param>
    private static byte[] Finish(Chunk chunks, JsonElement choice, int index, string streamed, Action<Utf8JsonWriter> writeEmpty) =>
        chunks.Choice(index, logprobs: default, choice.TryGetProperty("finish_reason", out var f) ? f : default, writeEmpty, json =>
        {
            foreach (var field in choice.EnumerateObject())
            {
                if (!(field.NameEquals("index") || field.NameEquals(streamed) || field.NameEquals("logprobs") || field.NameEquals("finish_reason")))
                {
                    json.WritePropertyName(field.Name);
                    WriteRaw(json, field.Value);
                }
            }
        });

    private static void WriteRaw(Utf8JsonWriter json, JsonElement value) => json.WriteRawValue(JsonMarshal.GetRawUtf8Value(value), skipInputValidation: true);

    /// <summary>Writes the chunks of one stream: the same header on each, then one choice or none.</summary>
    /// <param name="chat">Chat chunks (<c>index</c> before the delta); a text completion's choice has its <c>text</c> before <c>index</c>, as OpenAI writes it.</param>
    private sealed class Chunk(JsonElement completion, ReplayStamp stamp, bool chat)
    {
        private readonly string _object = chat ? "chat.completion.chunk" : "text_completion";

        /// <param name="logprobs">The choice's log probabilities for this chunk; default writes <c>null</c>.</param>
        /// <param name="finishReason">default writes <c>null</c>.</param>
        /// <param name="writeContent">The delta (chat) or the text (text completion).</param>
        /// <param name="writeRest">Members after the finish reason.</param>
        public byte[] Choice(int index, JsonElement logprobs, JsonElement finishReason, Action<Utf8JsonWriter> writeContent, Action<Utf8JsonWriter>? writeRest = null) =>
            Write(json =>
            {
                json.WriteStartArray("choices");
                json.WriteStartObject();
                if (!chat)
                {
                    writeContent(json);
                }

                json.WriteNumber("index", index);
                if (chat)
                {
                    writeContent(json);
                }

                json.WritePropertyName("logprobs");
                WriteOrNull(json, logprobs);
                json.WritePropertyName("finish_reason");
                WriteOrNull(json, finishReason);
                writeRest?.Invoke(json);
                json.WriteEndObject();
                json.WriteEndArray();
            });

        /// <summary>The usage-only chunk OpenAI sends last when asked for <c>stream_options.include_usage</c>.</summary>
        public byte[] Usage(byte[] usage) => Write(json =>
        {
            json.WriteStartArray("choices");
            json.WriteEndArray();
            json.WritePropertyName("usage");
            json.WriteRawValue(usage, skipInputValidation: true);
        });

        private byte[] Write(Action<Utf8JsonWriter> writeBody) => CompactJson.Write(json =>
        {
            json.WriteStartObject();
            json.WriteString("id", stamp.Id);
            json.WriteString("object", _object);
            json.WriteNumber("created", stamp.Created);
            foreach (var field in completion.EnumerateObject())
            {
                if (!(field.NameEquals("id") || field.NameEquals("object") || field.NameEquals("created") || field.NameEquals("choices") || field.NameEquals("usage")))
                {
                    json.WritePropertyName(field.Name);
                    WriteRaw(json, field.Value);
                }
            }

            writeBody(json);
            json.WriteEndObject();
        }, 256);

        private static void WriteOrNull(Utf8JsonWriter json, JsonElement value)
        {
            if (value.ValueKind == JsonValueKind.Undefined)
            {
                json.WriteNullValue();
            }
            else
            {
                WriteRaw(json, value);
            }
        }
    }
}
