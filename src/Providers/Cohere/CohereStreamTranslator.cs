using System.Text.Json;
using Switchyard.Providers.Json;
using Switchyard.Providers.OpenAi;
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
    private readonly OpenAiChunks _chunks = new(null, created, model);
    private bool _started;
    private bool _done;
    private int _currentTool = -1;

    public void Translate(StreamEvent upstream, List<byte[]> output)
    {
        if (_done || upstream.IsDone)
        {
            return;
        }

        using (var document = ProviderJson.ParseEvent(upstream, CohereAdapter.Name))
        {
            var root = document.RootElement;
            var type = root.String("type") ?? upstream.Name;
            var message = Message(root);
            switch (type)
            {
                case "message-start":
                    _chunks.Id ??= root.String("id");
                    Start(output);
                    break;
                case "content-delta":
                    Start(output);
                    if (Property(message, "content") is var content && content.String("text") is { Length: > 0 } text)
                    {
                        output.Add(_chunks.Content(text));
                    }

                    break;
                case "tool-plan-delta":
                    Start(output);
                    if (message.String("tool_plan") is { Length: > 0 } plan)
                    {
                        output.Add(_chunks.Content(plan));
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
                    throw new UpstreamStreamException(root.String("message") ?? root.GetRawText());
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
        _chunks.Id ??= "chatcmpl-" + ids();
        output.Add(_chunks.Role());
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
        var id = call.String("id") ?? "call_" + ids();
        output.Add(_chunks.ToolCall(index, new OpenAiToolCall(id, function.String("name") ?? "", function.String("arguments") ?? "")));
    }

    private void ToolCallDelta(JsonElement root, JsonElement message, List<byte[]> output)
    {
        var call = Property(message, "tool_calls");
        if (call.ValueKind == JsonValueKind.Array)
        {
            call = call.GetArrayLength() > 0 ? call[0] : default;
        }

        var function = Property(call, "function");
        if (function.String("arguments") is not { Length: > 0 } arguments)
        {
            return;
        }

        var index = EventIndex(root) is { } eventIndex && _toolIndexes.TryGetValue(eventIndex, out var mapped) ? mapped : _currentTool;
        if (index < 0)
        {
            throw new StreamProtocolException("Cohere sent tool-call-delta before tool-call-start");
        }

        output.Add(_chunks.ToolArguments(index, arguments));
    }

    private void End(JsonElement root, List<byte[]> output)
    {
        var delta = root.TryGetProperty("delta", out var d) && d.ValueKind == JsonValueKind.Object ? d : default;
        var reason = delta.String("finish_reason");
        if (reason == "ERROR")
        {
            throw new UpstreamStreamException(delta.String("error") ?? "Cohere ended the generation with finish_reason ERROR");
        }

        output.Add(_chunks.Finish(CohereResponseTranslator.FinishReason(reason, _toolIndexes.Count > 0)));
        if (delta.ValueKind == JsonValueKind.Object && delta.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
        {
            output.Add(_chunks.Usage(CohereResponseTranslator.Usage(usage)));
        }

        output.Add(OpenAiChunks.Done);
        _done = true;
    }

    private static JsonElement Property(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value : default;

    private static int? EventIndex(JsonElement root) =>
        root.TryGetProperty("index", out var index) && index.ValueKind == JsonValueKind.Number && index.TryGetInt32(out var value) ? value : null;
}
