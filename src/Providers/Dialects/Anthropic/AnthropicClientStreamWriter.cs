using System.Buffers;
using System.Text.Json;
using Switchyard.Providers.Anthropic;
using Switchyard.Providers.Json;
using Switchyard.Providers.OpenAi;
using Switchyard.Providers.Streaming;

namespace Switchyard.Providers.Dialects.Anthropic;

/// <summary>
/// OpenAI chunks as Anthropic's stream: <c>message_start</c>, then for each text or tool call a
/// <c>content_block_start</c>, its deltas and a <c>content_block_stop</c>, then <c>message_delta</c> with the stop reason
/// and usage, then <c>message_stop</c>. Blocks are sequential in Anthropic's stream, so a block closes when the next begins.
/// The <c>message_delta</c> waits for the usage-only chunk (or <c>[DONE]</c> when none comes) so it can carry the counts.
/// </summary>
internal sealed class AnthropicClientStreamWriter : IClientStreamWriter
{
    private const int NoBlock = -1;
    private const int TextBlock = -1;

    private string _id = AnthropicClientResponse.MessageId(null);
    private string _model = "";
    private bool _started;
    private bool _messageDeltaSent;
    private bool _stopped;
    private int _nextIndex;
    private int _openIndex = NoBlock;
    private int _openTool = TextBlock;
    private string? _stopReason;
    private OpenAiUsage? _usage;

    public void Write(ReadOnlySpan<byte> openAiChunk, IBufferWriter<byte> output)
    {
        if (_stopped)
        {
            return;
        }

        if (openAiChunk.SequenceEqual("[DONE]"u8))
        {
            Start(output);
            CloseBlock(output);
            SendMessageDelta(output);
            Send(output, "message_stop", json => json.WriteString("type", "message_stop"));
            _stopped = true;
            return;
        }

        var reader = new Utf8JsonReader(openAiChunk, new JsonReaderOptions { MaxDepth = AnthropicWire.DocumentOptions.MaxDepth });
        using var document = JsonDocument.ParseValue(ref reader);
        var chunk = document.RootElement;
        if (chunk.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        if (!_started)
        {
            _id = AnthropicClientResponse.MessageId(chunk.String("id"));
            _model = chunk.String("model") ?? "";
        }

        if (chunk.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
        {
            _usage = OpenAiUsage.Read(usage);
        }

        if (!chunk.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array || choices.GetArrayLength() == 0)
        {
            // The usage-only chunk: the last thing before [DONE], and what message_delta was waiting for.
            if (_usage is not null && _stopReason is not null)
            {
                Start(output);
                SendMessageDelta(output);
            }

            return;
        }

        Start(output);
        var choice = FirstChoice(choices);
        if (choice.ValueKind == JsonValueKind.Object && choice.TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.Object)
        {
            if (delta.String("content") is { Length: > 0 } text)
            {
                Text(output, text);
            }

            if (delta.String("refusal") is { Length: > 0 } refusal)
            {
                Text(output, refusal);
            }

            if (delta.Has("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
            {
                foreach (var call in calls.EnumerateArray().Where(call => call.ValueKind == JsonValueKind.Object))
                {
                    ToolCall(output, call);
                }
            }
        }

        if (choice.String("finish_reason") is { } finishReason)
        {
            CloseBlock(output);
            _stopReason = AnthropicWire.StopReason(finishReason);
        }
    }

    public void WriteError(string type, string message, IBufferWriter<byte> output) =>
        SseFormat.WriteEvent("error", AnthropicWire.ErrorBody(AnthropicWire.IsAnthropicErrorType(type) ? type : "api_error", message), output);

    /// <summary>Choice 0: an Anthropic message has one answer.</summary>
    private static JsonElement FirstChoice(JsonElement choices)
    {
        foreach (var choice in choices.EnumerateArray())
        {
            if (choice.ValueKind == JsonValueKind.Object && choice.Int("index") == 0)
            {
                return choice;
            }
        }

        return default;
    }

    private void Start(IBufferWriter<byte> output)
    {
        if (_started)
        {
            return;
        }

        _started = true;
        Send(output, "message_start", json =>
        {
            json.WriteString("type", "message_start");
            json.WriteStartObject("message");
            json.WriteString("id", _id);
            json.WriteString("type", "message");
            json.WriteString("role", "assistant");
            json.WriteString("model", _model);
            json.WriteStartArray("content");
            json.WriteEndArray();
            json.WriteNull("stop_reason");
            json.WriteNull("stop_sequence");

            // Input tokens are known up front only when the provider puts usage on its first chunk.
            AnthropicClientResponse.WriteUsage(json, (_usage ?? default) with { CompletionTokens = 0 });
            json.WriteEndObject();
        });
    }

    private void Text(IBufferWriter<byte> output, string text)
    {
        if (_openIndex == NoBlock || _openTool != TextBlock)
        {
            CloseBlock(output);
            OpenBlock(output, TextBlock, json =>
            {
                json.WriteString("type", "text");
                json.WriteString("text", "");
            });
        }

        Delta(output, json =>
        {
            json.WriteString("type", "text_delta");
            json.WriteString("text", text);
        });
    }

    private void ToolCall(IBufferWriter<byte> output, JsonElement call)
    {
        var toolIndex = call.Int("index");
        var function = call.TryGetProperty("function", out var f) ? f : default;
        var id = call.String("id");
        var name = function.String("name");
        var isOpen = _openIndex != NoBlock && _openTool == toolIndex;
        if (!isOpen)
        {
            if (id is null && name is null)
            {
                // Arguments for a call whose block already closed: Anthropic's blocks cannot reopen, and OpenAI
                // providers stream one call after another, so this does not happen in practice.
                return;
            }

            CloseBlock(output);
            OpenBlock(output, toolIndex, json =>
            {
                json.WriteString("type", "tool_use");
                json.WriteString("id", id ?? $"toolu_{_id}_{toolIndex}");
                json.WriteString("name", name ?? "");
                json.WriteStartObject("input");
                json.WriteEndObject();
            });
        }

        if (function.String("arguments") is { Length: > 0 } arguments)
        {
            Delta(output, json =>
            {
                json.WriteString("type", "input_json_delta");
                json.WriteString("partial_json", arguments);
            });
        }
    }

    private void OpenBlock(IBufferWriter<byte> output, int toolIndex, Action<Utf8JsonWriter> writeBlock)
    {
        _openIndex = _nextIndex++;
        _openTool = toolIndex;
        Send(output, "content_block_start", json =>
        {
            json.WriteString("type", "content_block_start");
            json.WriteNumber("index", _openIndex);
            json.WriteStartObject("content_block");
            writeBlock(json);
            json.WriteEndObject();
        });
    }

    private void Delta(IBufferWriter<byte> output, Action<Utf8JsonWriter> writeDelta) => Send(output, "content_block_delta", json =>
    {
        json.WriteString("type", "content_block_delta");
        json.WriteNumber("index", _openIndex);
        json.WriteStartObject("delta");
        writeDelta(json);
        json.WriteEndObject();
    });

    private void CloseBlock(IBufferWriter<byte> output)
    {
        if (_openIndex == NoBlock)
        {
            return;
        }

        Send(output, "content_block_stop", json =>
        {
            json.WriteString("type", "content_block_stop");
            json.WriteNumber("index", _openIndex);
        });
        _openIndex = NoBlock;
        _openTool = TextBlock;
    }

    private void SendMessageDelta(IBufferWriter<byte> output)
    {
        if (_messageDeltaSent)
        {
            return;
        }

        _messageDeltaSent = true;
        Send(output, "message_delta", json =>
        {
            json.WriteString("type", "message_delta");
            json.WriteStartObject("delta");
            json.WriteString("stop_reason", _stopReason ?? "end_turn");
            json.WriteNull("stop_sequence");
            json.WriteEndObject();
            if (_usage is { } usage)
            {
                // The counts are whole-message totals; the SDK overwrites message_start's with them.
                AnthropicClientResponse.WriteUsage(json, usage);
            }
            else
            {
                json.WriteStartObject("usage");
                json.WriteNumber("output_tokens", 0);
                json.WriteEndObject();
            }
        });
    }

    private static void Send(IBufferWriter<byte> output, string name, Action<Utf8JsonWriter> writeFields) =>
        SseFormat.WriteEvent(name, CompactJson.Write(json =>
        {
            json.WriteStartObject();
            writeFields(json);
            json.WriteEndObject();
        }, 256), output);
}
