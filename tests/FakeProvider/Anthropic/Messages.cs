using System.Text.Json;
using Switchyard.FakeProvider.Content;
using Switchyard.FakeProvider.Faults;
using Switchyard.FakeProvider.Hosting;
using Switchyard.FakeProvider.Transport;

namespace Switchyard.FakeProvider.Anthropic;

/// <summary>POST <c>…/messages</c>: the shared reply plan as an Anthropic message, as JSON or as Anthropic's event stream.</summary>
internal static class Messages
{
    /// <summary>What a client gets from <c>malformed-after</c>: a content delta cut off mid-JSON, under its proper event name.</summary>
    public static ReadOnlyMemory<byte> BrokenEvent { get; } = """{"type": "content_block_delta", "index": 0, "delta": {"""u8.ToArray();

    /// <summary>Tool input arrives in pieces of this many characters, so clients must join <c>input_json_delta</c>s.</summary>
    public const int InputPieceLength = 8;

    public static async Task HandleAsync(HttpContext context, FakeExchange exchange)
    {
        using var request = await AnthropicRequest.OpenAsync(context, exchange);
        if (request is null)
        {
            return;
        }

        if (!AnthropicConversation.TryRead(request.Body, requireMaxTokens: true, out var facts, out var error))
        {
            await AnthropicErrors.WriteInvalidRequestAsync(context, error);
            return;
        }

        var stream = false;
        if (request.Body.TryGetProperty("stream", out var streamElement) && streamElement.ValueKind != JsonValueKind.Null)
        {
            if (streamElement.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                await AnthropicErrors.WriteInvalidRequestAsync(context, "stream: Input should be a valid boolean");
                return;
            }

            stream = streamElement.GetBoolean();
        }

        var faults = await request.PassFaultsAsync(context, exchange);
        if (faults is null)
        {
            return;
        }

        var reply = new AnthropicReply($"msg_fake_{StableHash.Hex($"{request.Model}\n{facts.LastUserText}")}", request.Model, ReplyPlanner.Plan(facts, faults.Words));
        if (stream)
        {
            await StreamAsync(context, exchange, faults, reply);
            return;
        }

        await JsonReply.WriteAsync(context, StatusCodes.Status200OK, Message(reply), faults.Malformed, exchange.Cancellation);
    }

    private static ReadOnlyMemory<byte> Message(AnthropicReply reply) => JsonReply.Build(json =>
    {
        json.WriteStartObject();
        json.WriteString("id", reply.Id);
        json.WriteString("type", "message");
        json.WriteString("role", "assistant");
        json.WriteString("model", reply.Model);
        json.WriteStartArray("content");
        if (reply.Plan.ToolCall is { } call)
        {
            json.WriteStartObject();
            json.WriteString("type", "tool_use");
            json.WriteString("id", AnthropicReply.ToolUseId(call));
            json.WriteString("name", call.Name);
            json.WritePropertyName("input");
            json.WriteRawValue(call.ArgumentsJson);
            json.WriteEndObject();
        }
        else
        {
            json.WriteStartObject();
            json.WriteString("type", "text");
            json.WriteString("text", reply.Plan.Text);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteString("stop_reason", reply.StopReason);
        json.WriteNull("stop_sequence");
        reply.WriteUsage(json, reply.Plan.CompletionTokens);
        json.WriteEndObject();
    });

    /// <summary>
    /// The events in Anthropic's order: message_start, content_block_start, ping, one delta per word (or input piece),
    /// content_block_stop, message_delta with the stop reason and output tokens, message_stop.
    /// </summary>
    private static async Task StreamAsync(HttpContext context, FakeExchange exchange, FaultPlan faults, AnthropicReply reply)
    {
        var stream = new SseStream(context, exchange, faults, BrokenEvent, "content_block_delta");
        await stream.StartAsync();

        // A fault "after 0 words" fires before message_start, so nothing but the headers reaches the client.
        if (!await stream.PassCheckpointAsync(0, wordsFinished: false))
        {
            return;
        }

        await Send(stream, "message_start", json =>
        {
            json.WriteStartObject("message");
            json.WriteString("id", reply.Id);
            json.WriteString("type", "message");
            json.WriteString("role", "assistant");
            json.WriteString("model", reply.Model);
            json.WriteStartArray("content");
            json.WriteEndArray();
            json.WriteNull("stop_reason");
            json.WriteNull("stop_sequence");

            // Anthropic reports a token or so of output here already; the real count comes in message_delta.
            reply.WriteUsage(json, outputTokens: 1);
            json.WriteEndObject();
        });

        var words = reply.Plan.Words;
        if (reply.Plan.ToolCall is { } call)
        {
            await Send(stream, "content_block_start", json =>
            {
                json.WriteNumber("index", 0);
                json.WriteStartObject("content_block");
                json.WriteString("type", "tool_use");
                json.WriteString("id", AnthropicReply.ToolUseId(call));
                json.WriteString("name", call.Name);
                json.WriteStartObject("input");
                json.WriteEndObject();
                json.WriteEndObject();
            });
            await Ping(stream);
            foreach (var piece in Pieces(call.ArgumentsJson))
            {
                await Delta(stream, json =>
                {
                    json.WriteString("type", "input_json_delta");
                    json.WriteString("partial_json", piece);
                });
            }
        }
        else
        {
            await Send(stream, "content_block_start", json =>
            {
                json.WriteNumber("index", 0);
                json.WriteStartObject("content_block");
                json.WriteString("type", "text");
                json.WriteString("text", "");
                json.WriteEndObject();
            });
            await Ping(stream);
            for (var word = 0; word < words.Length; word++)
            {
                if (!await stream.PassCheckpointAsync(word, wordsFinished: false))
                {
                    return;
                }

                var piece = word == words.Length - 1 ? words[word] : words[word] + " ";
                await Delta(stream, json =>
                {
                    json.WriteString("type", "text_delta");
                    json.WriteString("text", piece);
                });
            }
        }

        if (!await stream.PassCheckpointAsync(words.Length, wordsFinished: true))
        {
            return;
        }

        await Send(stream, "content_block_stop", json => json.WriteNumber("index", 0));
        await Send(stream, "message_delta", json =>
        {
            json.WriteStartObject("delta");
            json.WriteString("stop_reason", reply.StopReason);
            json.WriteNull("stop_sequence");
            json.WriteEndObject();
            json.WriteStartObject("usage");
            json.WriteNumber("output_tokens", reply.Plan.CompletionTokens);
            json.WriteEndObject();
        });
        await Send(stream, "message_stop", static _ => { });
    }

    private static Task Ping(SseStream stream) => Send(stream, "ping", static _ => { });

    private static Task Delta(SseStream stream, Action<Utf8JsonWriter> writeDelta) => Send(stream, "content_block_delta", json =>
    {
        json.WriteNumber("index", 0);
        json.WriteStartObject("delta");
        writeDelta(json);
        json.WriteEndObject();
    });

    /// <summary>Every event repeats its name as <c>type</c>, first, as Anthropic writes them.</summary>
    private static Task Send(SseStream stream, string name, Action<Utf8JsonWriter> writeFields) => stream.WriteNamedAsync(name, JsonReply.Build(json =>
    {
        json.WriteStartObject();
        json.WriteString("type", name);
        writeFields(json);
        json.WriteEndObject();
    }));

    /// <summary>Splits the tool input JSON into fixed-size pieces, never inside a surrogate pair.</summary>
    private static List<string> Pieces(string json)
    {
        var pieces = new List<string>();
        var start = 0;
        while (start < json.Length)
        {
            var end = Math.Min(start + InputPieceLength, json.Length);
            if (end < json.Length && char.IsHighSurrogate(json[end - 1]))
            {
                end++;
            }

            pieces.Add(json[start..end]);
            start = end;
        }

        return pieces;
    }
}

/// <summary>One fake answer in Anthropic's terms: ids, the stop reason and the usage object.</summary>
internal sealed record AnthropicReply(string Id, string Model, ReplyPlan Plan)
{
    public string StopReason => Plan.Finish switch
    {
        FinishKind.Length => "max_tokens",
        FinishKind.ToolCall => "tool_use",
        _ => "end_turn",
    };

    /// <summary>Anthropic's tool ids start with <c>toolu_</c>; the planner's hash follows.</summary>
    public static string ToolUseId(ToolCallPlan call) => "toolu_" + call.Id["call_".Length..];

    /// <summary>Anthropic's usage: input tokens, the two cache counters (always 0 here) and output tokens.</summary>
    public void WriteUsage(Utf8JsonWriter json, int outputTokens)
    {
        json.WriteStartObject("usage");
        json.WriteNumber("input_tokens", Plan.PromptTokens);
        json.WriteNumber("cache_creation_input_tokens", 0);
        json.WriteNumber("cache_read_input_tokens", 0);
        json.WriteNumber("output_tokens", outputTokens);
        json.WriteEndObject();
    }
}
