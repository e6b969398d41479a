using System.Buffers;
using System.Text.Json;
using Switchyard.Providers.Streaming;

namespace Switchyard.Providers.Cohere;

/// <summary>
/// Turns a Cohere v2 chat stream into OpenAI chunks. Each event's JSON names its own <c>type</c> (the SSE
/// <c>event:</c> line, when sent, says the same): <c>message-start</c> → the role chunk; <c>content-delta</c> and
/// <c>tool-plan-delta</c> → content deltas; <c>tool-call-start</c> → a tool-call delta with id, name and the first
/// arguments; <c>tool-call-delta</c> → argument deltas; <c>message-end</c> → the finish chunk, the usage chunk and
/// <c>[DONE]</c> (Cohere's terminal event). A <c>message-end</c> whose finish reason is <c>ERROR</c> is the provider
/// reporting a failed generation, which ends the stream as an error. Citation, content-start/-end and
/// tool-call-end events carry nothing OpenAI has a place for.
/// </summary>
internal sealed class CohereStreamTranslator(string model, long created, Func<string> ids) : IStreamTranslator
{
    private readonly Dictionary<int, int> _toolIndexes = [];
    private string? _id;
    private bool _started;
    private bool _done;
    private int _currentTool = -1;

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
            throw new StreamProtocolException($"Cohere sent a stream event that is not valid JSON: {ex.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new StreamProtocolException("Cohere sent a stream event that is not a JSON object");
            }

            var type = CohereChatRequest.String(root, "type") ?? upstream.Name;
            var message = Message(root);
            switch (type)
            {
                case "message-start":
                    _id ??= CohereChatRequest.String(root, "id");
                    Start(output);
                    break;
                case "content-delta":
                    Start(output);
                    if (Property(message, "content") is var content && CohereChatRequest.String(content, "text") is { Length: > 0 } text)
                    {
                        output.Add(Chunk(null, json => json.WriteString("content", text)));
                    }

                    break;
                case "tool-plan-delta":
                    Start(output);
                    if (CohereChatRequest.String(message, "tool_plan") is { Length: > 0 } plan)
                    {
                        output.Add(Chunk(null, json => json.WriteString("content", plan)));
                    }

                    break;
                case "tool-call-start":
                    Start(output);
                    ToolCallStart(root, message, output);
                    break;
                case "tool-call-delta":
                    Start(output);
                    ToolCallDelta(root, message, output);
                    break;
                case "message-end":
                    Start(output);
                    End(root, output);
                    break;
                case "error":
                    throw new UpstreamStreamException(CohereChatRequest.String(root, "message") ?? root.GetRawText());
                default:
                    break;
            }
        }
    }

    private static JsonElement Message(JsonElement root) =>
        root.TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.Object && delta.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.Object
            ? message
            : default;

    private void Start(List<byte[]> output)
    {
        if (_started)
        {
            return;
        }

        _started = true;
        _id ??= "chatcmpl-" + ids();
        output.Add(Chunk(null, static json =>
        {
            json.WriteString("role", "assistant");
            json.WriteString("content", "");
        }));
    }

    private void ToolCallStart(JsonElement root, JsonElement message, List<byte[]> output)
    {
        // The call itself: an object in v2 streams (an array in some older answers).
        var call = Property(message, "tool_calls");
        if (call.ValueKind == JsonValueKind.Array)
        {
            call = call.GetArrayLength() > 0 ? call[0] : default;
        }

        var index = _toolIndexes.Count;
        _toolIndexes[EventIndex(root) ?? index] = index;
        _currentTool = index;
        var function = Property(call, "function");
        var id = CohereChatRequest.String(call, "id") ?? "call_" + ids();
        var name = CohereChatRequest.String(function, "name") ?? "";
        var arguments = CohereChatRequest.String(function, "arguments") ?? "";
        output.Add(Chunk(null, json =>
        {
            json.WriteStartArray("tool_calls");
            json.WriteStartObject();
            json.WriteNumber("index", index);
            json.WriteString("id", id);
            json.WriteString("type", "function");
            json.WriteStartObject("function");
            json.WriteString("name", name);
            json.WriteString("arguments", arguments);
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndArray();
        }));
    }

    private void ToolCallDelta(JsonElement root, JsonElement message, List<byte[]> output)
    {
        var call = Property(message, "tool_calls");
        if (call.ValueKind == JsonValueKind.Array)
        {
            call = call.GetArrayLength() > 0 ? call[0] : default;
        }

        var function = Property(call, "function");
        if (CohereChatRequest.String(function, "arguments") is not { Length: > 0 } arguments)
        {
            return;
        }

        var index = EventIndex(root) is { } eventIndex && _toolIndexes.TryGetValue(eventIndex, out var mapped) ? mapped : _currentTool;
        if (index < 0)
        {
            throw new StreamProtocolException("Cohere sent tool-call-delta before tool-call-start");
        }

        output.Add(Chunk(null, json =>
        {
            json.WriteStartArray("tool_calls");
            json.WriteStartObject();
            json.WriteNumber("index", index);
            json.WriteStartObject("function");
            json.WriteString("arguments", arguments);
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndArray();
        }));
    }

    private void End(JsonElement root, List<byte[]> output)
    {
        var delta = root.TryGetProperty("delta", out var d) && d.ValueKind == JsonValueKind.Object ? d : default;
        var reason = CohereChatRequest.String(delta, "finish_reason");
        if (reason == "ERROR")
        {
            throw new UpstreamStreamException(CohereChatRequest.String(delta, "error") ?? "Cohere ended the generation with finish_reason ERROR");
        }

        output.Add(Chunk(CohereChatResponse.FinishReason(reason, _toolIndexes.Count > 0), static _ => { }));
        if (delta.ValueKind == JsonValueKind.Object && delta.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
        {
            output.Add(Build(json =>
            {
                json.WriteStartObject();
                WriteHeader(json);
                json.WriteStartArray("choices");
                json.WriteEndArray();
                CohereChatResponse.WriteUsage(json, usage);
                json.WriteEndObject();
            }));
        }

        output.Add("[DONE]"u8.ToArray());
        _done = true;
    }

    private static JsonElement Property(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value : default;

    private static int? EventIndex(JsonElement root) =>
        root.TryGetProperty("index", out var index) && index.ValueKind == JsonValueKind.Number && index.TryGetInt32(out var value) ? value : null;

    private byte[] Chunk(string? finishReason, Action<Utf8JsonWriter> writeDelta) => Build(json =>
    {
        json.WriteStartObject();
        WriteHeader(json);
        json.WriteStartArray("choices");
        json.WriteStartObject();
        json.WriteNumber("index", 0);
        json.WriteStartObject("delta");
        writeDelta(json);
        json.WriteEndObject();
        json.WriteNull("logprobs");
        json.WriteString("finish_reason", finishReason);
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
    });

    private void WriteHeader(Utf8JsonWriter json)
    {
        json.WriteString("id", _id);
        json.WriteString("object", "chat.completion.chunk");
        json.WriteNumber("created", created);
        json.WriteString("model", model);
    }

    private static byte[] Build(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, CohereAdapter.WriterOptions))
        {
            write(json);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
