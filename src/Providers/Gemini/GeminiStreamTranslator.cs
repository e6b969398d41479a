using System.Buffers;
using System.Text.Json;
using Switchyard.Providers.Streaming;

namespace Switchyard.Providers.Gemini;

/// <summary>
/// Turns <c>streamGenerateContent?alt=sse</c> events (each a whole <c>GenerateContentResponse</c> holding the next
/// piece) into OpenAI chunks. Gemini's stream has no terminal event: it ends when the HTTP body ends, and its last
/// chunk is the one carrying <c>finishReason</c> (with the final <c>usageMetadata</c>). So the stream counts as
/// complete, and the finish chunk, usage chunk and <c>[DONE]</c> go out, once every candidate seen has a
/// <c>finishReason</c>; a body that ends before that is a broken stream. Function calls arrive whole in one part,
/// so each becomes one tool-call delta carrying its id, name and all its arguments.
/// </summary>
internal sealed class GeminiStreamTranslator(string model, long created, Func<string> ids) : IStreamTranslator
{
    private readonly Dictionary<int, Candidate> _candidates = [];
    private string? _id;
    private string _model = model;
    private JsonElement? _usage;
    private bool _done;

    public void Translate(StreamEvent upstream, List<byte[]> output)
    {
        if (_done || upstream.IsDone)
        {
            return;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(upstream.Data);
        }
        catch (JsonException ex)
        {
            throw new StreamProtocolException($"Google Gemini sent a stream event that is not valid JSON: {ex.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new StreamProtocolException("Google Gemini sent a stream event that is not a JSON object");
            }

            if (root.TryGetProperty("error", out var error))
            {
                throw new UpstreamStreamException(GeminiChatRequest.String(error, "message") ?? error.GetRawText());
            }

            if (_id is null)
            {
                _id = "chatcmpl-" + (GeminiChatRequest.String(root, "responseId") ?? ids());
                _model = GeminiChatRequest.String(root, "modelVersion") ?? _model;
            }

            if (root.TryGetProperty("usageMetadata", out var usage) && usage.ValueKind == JsonValueKind.Object)
            {
                _usage = usage.Clone();
            }

            var any = false;
            if (root.TryGetProperty("candidates", out var candidates) && candidates.ValueKind == JsonValueKind.Array)
            {
                var position = 0;
                foreach (var candidate in candidates.EnumerateArray())
                {
                    Translate(candidate, GeminiChatResponse.Index(candidate, position++), output);
                    any = true;
                }
            }

            if (!any && root.TryGetProperty("promptFeedback", out var feedback) && GeminiChatRequest.String(feedback, "blockReason") is not null)
            {
                // A blocked prompt gets one chunk with no candidates: that is the end.
                var blocked = Start(0, output);
                blocked.Finished = true;
                output.Add(Chunk(0, "content_filter", static _ => { }));
            }

            if (_candidates.Count > 0 && _candidates.Values.All(c => c.Finished))
            {
                if (_usage is { } finalUsage)
                {
                    output.Add(UsageChunk(finalUsage));
                }

                output.Add("[DONE]"u8.ToArray());
                _done = true;
            }
        }
    }

    private void Translate(JsonElement candidate, int index, List<byte[]> output)
    {
        var state = Start(index, output);
        foreach (var part in GeminiChatResponse.Parts(candidate))
        {
            if (GeminiChatResponse.IsText(part, out var text))
            {
                if (text.Length > 0)
                {
                    output.Add(Chunk(index, null, json => json.WriteString("content", text)));
                }
            }
            else if (part.TryGetProperty("functionCall", out var call))
            {
                var callIndex = state.ToolCalls++;
                output.Add(Chunk(index, null, json =>
                {
                    json.WriteStartArray("tool_calls");
                    json.WriteStartObject();
                    json.WriteNumber("index", callIndex);
                    GeminiChatResponse.WriteToolCall(json, call, ids);
                    json.WriteEndObject();
                    json.WriteEndArray();
                }));
            }
        }

        if (!state.Finished && GeminiChatResponse.FinishReason(GeminiChatRequest.String(candidate, "finishReason"), state.ToolCalls > 0) is { } finish)
        {
            state.Finished = true;
            output.Add(Chunk(index, finish, static _ => { }));
        }
    }

    /// <summary>The candidate's state; the first time it appears, its role chunk goes out.</summary>
    private Candidate Start(int index, List<byte[]> output)
    {
        if (!_candidates.TryGetValue(index, out var state))
        {
            state = new Candidate();
            _candidates[index] = state;
            output.Add(Chunk(index, null, static json =>
            {
                json.WriteString("role", "assistant");
                json.WriteString("content", "");
            }));
        }

        return state;
    }

    private byte[] Chunk(int index, string? finishReason, Action<Utf8JsonWriter> writeDelta) => Build(json =>
    {
        json.WriteStartObject();
        WriteHeader(json);
        json.WriteStartArray("choices");
        json.WriteStartObject();
        json.WriteNumber("index", index);
        json.WriteStartObject("delta");
        writeDelta(json);
        json.WriteEndObject();
        json.WriteNull("logprobs");
        json.WriteString("finish_reason", finishReason);
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
    });

    private byte[] UsageChunk(JsonElement usage) => Build(json =>
    {
        json.WriteStartObject();
        WriteHeader(json);
        json.WriteStartArray("choices");
        json.WriteEndArray();
        GeminiChatResponse.WriteUsage(json, usage);
        json.WriteEndObject();
    });

    private void WriteHeader(Utf8JsonWriter json)
    {
        json.WriteString("id", _id);
        json.WriteString("object", "chat.completion.chunk");
        json.WriteNumber("created", created);
        json.WriteString("model", _model);
    }

    private static byte[] Build(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, GeminiAdapter.WriterOptions))
        {
            write(json);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private sealed class Candidate
    {
        public int ToolCalls { get; set; }

        public bool Finished { get; set; }
    }
}
