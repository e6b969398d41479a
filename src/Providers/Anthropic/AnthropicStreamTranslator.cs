using System.Text.Json;
using Switchyard.Providers.Json;
using Switchyard.Providers.OpenAi;
using Switchyard.Providers.Streaming;

namespace Switchyard.Providers.Anthropic;

/// <summary>
/// Anthropic's message events as OpenAI chunks. <c>message_start</c> gives the role chunk, text and tool-use blocks give
/// content and <c>tool_calls</c> deltas, <c>message_delta</c> gives the finish chunk and the usage-only chunk, and
/// <c>message_stop</c>, the stream's terminal event, gives <c>[DONE]</c>.
/// </summary>
internal sealed class AnthropicStreamTranslator(long created, bool jsonMode) : IStreamTranslator
{
    private static readonly ParseFailureMessages Event = new("{0} sent an event that is not valid JSON: {1}", "{0} sent an event that is not a JSON object");

    /// <summary>What each Anthropic content block (by its index) turned into.</summary>
    private readonly Dictionary<int, OpenBlock> _blocks = [];
    private readonly OpenAiChunks _chunks = new("", created, "");
    private AnthropicUsage _usage;
    private int _toolCalls;

    public void Translate(StreamEvent upstream, List<byte[]> output)
    {
        using (var document = ProviderJson.ParseObject(upstream.Data, AnthropicWire.DocumentOptions, Event, "Anthropic"))
        {
            var data = document.RootElement;
            switch (data.String("type") ?? upstream.Name)
            {
                case "message_start":
                    Start(data, output);
                    break;
                case "content_block_start":
                    StartBlock(data, output);
                    break;
                case "content_block_delta":
                    Delta(data, output);
                    break;
                case "content_block_stop":
                    StopBlock(data, output);
                    break;
                case "message_delta":
                    Finish(data, output);
                    break;
                case "message_stop":
                    output.Add(OpenAiChunks.Done);
                    break;
                case "error":
                    var error = data.TryGetProperty("error", out var e) ? e : default;
                    throw new UpstreamStreamException(error.String("message") ?? error.String("type") ?? "Anthropic reported an error in its stream");

                // ping, and event types Anthropic may add later, carry nothing for an OpenAI client.
                default:
                    break;
            }
        }
    }

    private void Start(JsonElement data, List<byte[]> output)
    {
        var message = data.TryGetProperty("message", out var m) ? m : default;
        _chunks.Id = message.String("id") ?? "";
        _chunks.Model = message.String("model") ?? "";
        if (message.ValueKind == JsonValueKind.Object && message.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
        {
            _usage = AnthropicUsage.From(usage);
        }

        output.Add(_chunks.Role());
    }

    private void StartBlock(JsonElement data, List<byte[]> output)
    {
        var index = data.Int("index");
        var block = data.TryGetProperty("content_block", out var b) ? b : default;
        switch (block.String("type"))
        {
            case "text":
                _blocks[index] = new OpenBlock(-1);
                if (block.String("text") is { Length: > 0 } text)
                {
                    output.Add(_chunks.Content(text));
                }

                break;
            case "tool_use" when jsonMode:
                _blocks[index] = new OpenBlock(-1);
                break;
            case "tool_use":
                var tool = new OpenBlock(_toolCalls++);
                _blocks[index] = tool;
                output.Add(_chunks.ToolCall(tool.ToolIndex, new OpenAiToolCall(block.String("id") ?? "", block.String("name") ?? "", "")));
                break;
        }
    }

    private void Delta(JsonElement data, List<byte[]> output)
    {
        if (!_blocks.TryGetValue(data.Int("index"), out var block) || !data.TryGetProperty("delta", out var delta))
        {
            return;
        }

        switch (delta.String("type"))
        {
            case "text_delta" when delta.String("text") is { Length: > 0 } text:
                output.Add(_chunks.Content(text));
                break;
            case "input_json_delta" when delta.String("partial_json") is { Length: > 0 } json:
                if (block.ToolIndex < 0)
                {
                    output.Add(_chunks.Content(json));
                }
                else
                {
                    block.SentArguments = true;
                    output.Add(_chunks.ToolArguments(block.ToolIndex, json));
                }

                break;

            // thinking_delta, signature_delta and citations_delta have no OpenAI counterpart.
            default:
                break;
        }
    }

    private void StopBlock(JsonElement data, List<byte[]> output)
    {
        // A tool without parameters may stream no input at all; OpenAI clients parse the arguments, so they get "{}".
        if (_blocks.TryGetValue(data.Int("index"), out var block) && block.ToolIndex >= 0 && !block.SentArguments)
        {
            output.Add(_chunks.ToolArguments(block.ToolIndex, "{}"));
        }
    }

    private void Finish(JsonElement data, List<byte[]> output)
    {
        if (data.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
        {
            _usage = _usage.Update(usage);
        }

        var stopReason = data.TryGetProperty("delta", out var delta) ? delta.String("stop_reason") : null;
        var finishReason = AnthropicWire.FinishReason(stopReason);
        if (jsonMode && finishReason == "tool_calls")
        {
            finishReason = "stop";
        }

        output.Add(_chunks.Finish(finishReason ?? "stop"));
        output.Add(_chunks.Usage(_usage.ToOpenAi()));
    }

    /// <summary>An Anthropic block in flight: text (tool index -1) or the OpenAI tool call it became.</summary>
    private sealed class OpenBlock(int toolIndex)
    {
        public int ToolIndex { get; } = toolIndex;

        public bool SentArguments { get; set; }
    }
}
