using System.Text.Json;
using Switchyard.Providers.Json;
using Switchyard.Providers.OpenAi;
using Switchyard.Providers.Streaming;

namespace Switchyard.Providers.Bedrock;

/// <summary>
/// Turns one <c>converse-stream</c> into OpenAI chunks: <c>messageStart</c> gives the role chunk, <c>contentBlockStart</c>
/// opens a tool call (id and name), <c>contentBlockDelta</c> carries text or a piece of a tool call's input,
/// <c>messageStop</c> the finish reason, and <c>metadata</c> (always Bedrock's last event) the usage, after which the
/// stream is complete. Exceptions in the stream surface as <see cref="UpstreamStreamException"/>.
/// </summary>
internal sealed class BedrockStreamTranslator(string id, long created, string model) : IStreamTranslator
{
    private static readonly ParseFailureMessages Event = new("Bedrock sent a '{0}' event that is not valid JSON: {1}", "Bedrock sent a '{0}' event that is not a JSON object");

    private readonly OpenAiChunks _chunks = new(id, created, model);

    /// <summary>Bedrock content block index → OpenAI tool call index (tool calls are numbered from 0 among themselves).</summary>
    private readonly Dictionary<int, int> _toolCalls = [];
    private bool _roleSent;

    public void Translate(StreamEvent upstream, List<byte[]> output)
    {
        if (upstream.Name is { } name && name.StartsWith(AwsEventStreamReader.ExceptionPrefix, StringComparison.Ordinal))
        {
            throw new UpstreamStreamException($"{name[AwsEventStreamReader.ExceptionPrefix.Length..]}: {ExceptionMessage(upstream.Data)}");
        }

        using (var document = ProviderJson.ParseObject(upstream.Data, default, Event, upstream.Name))
        {
            var payload = document.RootElement;
            switch (upstream.Name)
            {
                case "messageStart":
                    EnsureRole(output);
                    break;
                case "contentBlockStart":
                    StartBlock(payload, output);
                    break;
                case "contentBlockDelta":
                    Delta(payload, output);
                    break;
                case "messageStop":
                    EnsureRole(output);
                    output.Add(_chunks.Finish(BedrockResponseTranslator.FinishReason(payload.String("stopReason"))));
                    break;
                case "metadata":
                    if (payload.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
                    {
                        output.Add(_chunks.Usage(BedrockResponseTranslator.Usage(usage)));
                    }

                    output.Add(OpenAiChunks.Done);
                    break;

                // contentBlockStop closes a block that needs no closing in OpenAI's shape; unknown events are newer than this code.
                default:
                    break;
            }
        }
    }

    private void EnsureRole(List<byte[]> output)
    {
        if (_roleSent)
        {
            return;
        }

        _roleSent = true;
        output.Add(_chunks.Role());
    }

    private void StartBlock(JsonElement payload, List<byte[]> output)
    {
        if (!payload.TryGetProperty("start", out var start) || start.ValueKind != JsonValueKind.Object
            || !start.TryGetProperty("toolUse", out var toolUse) || toolUse.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        EnsureRole(output);
        var index = _toolCalls.Count;
        _toolCalls[BlockIndex(payload)] = index;
        output.Add(_chunks.ToolCall(index, new OpenAiToolCall(toolUse.String("toolUseId") ?? "", toolUse.String("name") ?? "", "")));
    }

    private void Delta(JsonElement payload, List<byte[]> output)
    {
        if (!payload.TryGetProperty("delta", out var delta) || delta.ValueKind != JsonValueKind.Object)
        {
            throw new StreamProtocolException("Bedrock sent a contentBlockDelta without a delta");
        }

        if (delta.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
        {
            EnsureRole(output);
            output.Add(_chunks.Content(text.GetString()!));
        }
        else if (delta.TryGetProperty("toolUse", out var toolUse) && toolUse.ValueKind == JsonValueKind.Object
            && toolUse.TryGetProperty("input", out var input) && input.ValueKind == JsonValueKind.String)
        {
            if (!_toolCalls.TryGetValue(BlockIndex(payload), out var index))
            {
                throw new StreamProtocolException("Bedrock sent tool input for a content block it never started");
            }

            output.Add(_chunks.ToolArguments(index, input.GetString()!));
        }

        // reasoningContent deltas have no place in an OpenAI chunk.
    }

    private static int BlockIndex(JsonElement payload) =>
        payload.TryGetProperty("contentBlockIndex", out var index) && index.ValueKind == JsonValueKind.Number && index.TryGetInt32(out var value) ? value : 0;

    /// <summary>The <c>message</c> of an exception payload (<c>{"message":…}</c>, or <c>Message</c>), else the payload as text.</summary>
    private static string ExceptionMessage(byte[] data)
    {
        try
        {
            using var document = JsonDocument.Parse(data);
            foreach (var name in (string[])["message", "Message"])
            {
                if (document.RootElement.ValueKind == JsonValueKind.Object
                    && document.RootElement.TryGetProperty(name, out var message) && message.ValueKind == JsonValueKind.String)
                {
                    return message.GetString()!;
                }
            }
        }
        catch (JsonException)
        {
        }

        return System.Text.Encoding.UTF8.GetString(data);
    }
}
