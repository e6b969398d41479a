using System.Buffers;
using System.Text.Json;
using Switchyard.Providers.Streaming;

namespace Switchyard.Providers.Bedrock;

/// <summary>
/// Turns one <c>converse-stream</c> into OpenAI chunks: <c>messageStart</c> gives the role chunk, <c>contentBlockStart</c>
/// opens a tool call (id and name), <c>contentBlockDelta</c> carries text or a piece of a tool call's input,
/// <c>messageStop</c> the finish reason, and <c>metadata</c> (always Bedrock's last event) the usage, after which the
/// stream is complete. Exceptions in the stream surface as <see cref="UpstreamStreamException"/>.
/// </summary>
internal sealed class ConverseStreamTranslator(string id, long created, string model) : IStreamTranslator
{
    private static readonly byte[] Done = "[DONE]"u8.ToArray();

    /// <summary>Bedrock content block index → OpenAI tool call index (tool calls are numbered from 0 among themselves).</summary>
    private readonly Dictionary<int, int> _toolCalls = [];
    private bool _roleSent;

    public void Translate(StreamEvent upstream, List<byte[]> output)
    {
        if (upstream.Name is { } name && name.StartsWith(AwsEventStreamReader.ExceptionPrefix, StringComparison.Ordinal))
        {
            throw new UpstreamStreamException($"{name[AwsEventStreamReader.ExceptionPrefix.Length..]}: {ExceptionMessage(upstream.Data)}");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(upstream.Data);
        }
        catch (JsonException ex)
        {
            throw new StreamProtocolException($"Bedrock sent a '{upstream.Name}' event that is not valid JSON: {ex.Message}");
        }

        using (document)
        {
            var payload = document.RootElement;
            if (payload.ValueKind != JsonValueKind.Object)
            {
                throw new StreamProtocolException($"Bedrock sent a '{upstream.Name}' event that is not a JSON object");
            }

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
                    output.Add(Chunk(writer => { }, ConverseResponse.FinishReason(Text(payload, "stopReason"))));
                    break;
                case "metadata":
                    if (payload.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
                    {
                        output.Add(UsageChunk(usage));
                    }

                    output.Add(Done);
                    break;

                // contentBlockStop closes a block that needs no closing in OpenAI's shape; unknown events are newer than this code.
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
        output.Add(Chunk(writer =>
        {
            writer.WriteString("role", "assistant");
            writer.WriteString("content", "");
        }, null));
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
        var callId = Text(toolUse, "toolUseId");
        var name = Text(toolUse, "name");
        output.Add(Chunk(writer =>
        {
            writer.WriteStartArray("tool_calls");
            writer.WriteStartObject();
            writer.WriteNumber("index", index);
            writer.WriteString("id", callId);
            writer.WriteString("type", "function");
            writer.WriteStartObject("function");
            writer.WriteString("name", name);
            writer.WriteString("arguments", "");
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndArray();
        }, null));
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
            output.Add(Chunk(writer => writer.WriteString("content", text.GetString()), null));
        }
        else if (delta.TryGetProperty("toolUse", out var toolUse) && toolUse.ValueKind == JsonValueKind.Object
            && toolUse.TryGetProperty("input", out var input) && input.ValueKind == JsonValueKind.String)
        {
            if (!_toolCalls.TryGetValue(BlockIndex(payload), out var index))
            {
                throw new StreamProtocolException("Bedrock sent tool input for a content block it never started");
            }

            var arguments = input.GetString();
            output.Add(Chunk(writer =>
            {
                writer.WriteStartArray("tool_calls");
                writer.WriteStartObject();
                writer.WriteNumber("index", index);
                writer.WriteStartObject("function");
                writer.WriteString("arguments", arguments);
                writer.WriteEndObject();
                writer.WriteEndObject();
                writer.WriteEndArray();
            }, null));
        }

        // reasoningContent deltas have no place in an OpenAI chunk.
    }

    private static string? Text(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static int BlockIndex(JsonElement payload) =>
        payload.TryGetProperty("contentBlockIndex", out var index) && index.ValueKind == JsonValueKind.Number && index.TryGetInt32(out var value) ? value : 0;

    private byte[] Chunk(Action<Utf8JsonWriter> writeDelta, string? finishReason)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, ConverseRequest.WriterOptions))
        {
            WriteHeader(writer);
            writer.WriteStartArray("choices");
            writer.WriteStartObject();
            writer.WriteNumber("index", 0);
            writer.WriteStartObject("delta");
            writeDelta(writer);
            writer.WriteEndObject();
            writer.WriteNull("logprobs");
            writer.WriteString("finish_reason", finishReason);
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private byte[] UsageChunk(JsonElement usage)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, ConverseRequest.WriterOptions))
        {
            WriteHeader(writer);
            writer.WriteStartArray("choices");
            writer.WriteEndArray();
            ConverseResponse.WriteUsage(writer, usage);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private void WriteHeader(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("id", id);
        writer.WriteString("object", "chat.completion.chunk");
        writer.WriteNumber("created", created);
        writer.WriteString("model", model);
    }

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
