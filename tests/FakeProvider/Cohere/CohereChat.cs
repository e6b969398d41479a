using System.Text.Json;
using Switchyard.FakeProvider.Content;
using Switchyard.FakeProvider.Faults;
using Switchyard.FakeProvider.Hosting;
using Switchyard.FakeProvider.Transport;

namespace Switchyard.FakeProvider.Cohere;

/// <summary>
/// POST <c>…/chat</c> (Cohere v2): the shared rule book (<see cref="ReplyPlanner"/>) answered in Cohere's shape, as JSON
/// or, with <c>"stream": true</c>, as Cohere's typed events: <c>message-start</c>, <c>content-start</c>, one
/// <c>content-delta</c> per word, <c>content-end</c> (or <c>tool-call-start</c>, <c>tool-call-delta</c>s,
/// <c>tool-call-end</c>), and <c>message-end</c> with the finish reason and usage.
/// </summary>
internal static class CohereChat
{
    /// <summary>What a client gets from <c>malformed-after</c>: an event cut off mid-JSON.</summary>
    private static readonly ReadOnlyMemory<byte> BrokenEvent = """{"type":"content-delta","delta":{"""u8.ToArray();

    public static async Task HandleAsync(HttpContext context, FakeExchange exchange)
    {
        using var request = await CohereRequest.OpenAsync(context, exchange);
        if (request is null)
        {
            return;
        }

        if (!TryReadFacts(request.Body, out var facts, out var stream, out var problem))
        {
            await CohereErrors.WriteInvalidRequestAsync(context, problem);
            return;
        }

        var faults = await request.PassFaultsAsync(context, exchange);
        if (faults is null)
        {
            return;
        }

        var plan = ReplyPlanner.Plan(facts, faults.Words);
        var id = $"fake-{StableHash.Hex($"{request.Model}\n{facts.LastUserText}")}";
        if (stream)
        {
            await StreamAsync(context, exchange, faults, id, plan);
            return;
        }

        await JsonReply.WriteAsync(context, StatusCodes.Status200OK, JsonReply.Build(json =>
        {
            json.WriteStartObject();
            json.WriteString("id", id);
            json.WriteStartObject("message");
            json.WriteString("role", "assistant");
            if (plan.ToolCall is { } call)
            {
                json.WriteStartArray("tool_calls");
                WriteToolCall(json, call, call.ArgumentsJson);
                json.WriteEndArray();
            }
            else
            {
                json.WriteStartArray("content");
                json.WriteStartObject();
                json.WriteString("type", "text");
                json.WriteString("text", plan.Text);
                json.WriteEndObject();
                json.WriteEndArray();
            }

            json.WriteEndObject();
            json.WriteString("finish_reason", FinishReason(plan));
            WriteUsage(json, plan);
            json.WriteEndObject();
        }), faults.Malformed, exchange.Cancellation);
    }

    private static async Task StreamAsync(HttpContext context, FakeExchange exchange, FaultPlan faults, string id, ReplyPlan plan)
    {
        var stream = new SseStream(context, exchange, faults, BrokenEvent);
        await stream.StartAsync();

        // A fault "after 0 words" fires before message-start, so nothing but the headers reaches the client.
        if (!await stream.PassCheckpointAsync(0, wordsFinished: plan.Words.Length == 0))
        {
            return;
        }

        await stream.WriteDataAsync(JsonReply.Build(json =>
        {
            json.WriteStartObject();
            json.WriteString("id", id);
            json.WriteString("type", "message-start");
            json.WriteStartObject("delta");
            json.WriteStartObject("message");
            json.WriteString("role", "assistant");
            json.WriteStartArray("content");
            json.WriteEndArray();
            json.WriteString("tool_plan", "");
            json.WriteStartArray("tool_calls");
            json.WriteEndArray();
            json.WriteStartArray("citations");
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
        }));

        if (plan.ToolCall is { } call)
        {
            // The arguments arrive in two pieces, so a client must add deltas up as with the real stream.
            var half = call.ArgumentsJson.Length / 2;
            await stream.WriteDataAsync(ToolEvent("tool-call-start", json => WriteToolCall(json, call, "")));
            await stream.WriteDataAsync(ToolEvent("tool-call-delta", json => WriteArguments(json, call.ArgumentsJson[..half])));
            await stream.WriteDataAsync(ToolEvent("tool-call-delta", json => WriteArguments(json, call.ArgumentsJson[half..])));
            await stream.WriteDataAsync(JsonReply.Build(json =>
            {
                json.WriteStartObject();
                json.WriteString("type", "tool-call-end");
                json.WriteNumber("index", 0);
                json.WriteEndObject();
            }));
        }
        else
        {
            await stream.WriteDataAsync(ContentEvent("content-start", json =>
            {
                json.WriteString("type", "text");
                json.WriteString("text", "");
            }));
            var words = plan.Words;
            for (var i = 0; i < words.Length; i++)
            {
                if (!await stream.PassCheckpointAsync(i, wordsFinished: false))
                {
                    return;
                }

                var piece = i == words.Length - 1 ? words[i] : words[i] + " ";
                await stream.WriteDataAsync(ContentEvent("content-delta", json => json.WriteString("text", piece)));
            }

            if (!await stream.PassCheckpointAsync(words.Length, wordsFinished: true))
            {
                return;
            }

            await stream.WriteDataAsync(JsonReply.Build(json =>
            {
                json.WriteStartObject();
                json.WriteString("type", "content-end");
                json.WriteNumber("index", 0);
                json.WriteEndObject();
            }));
        }

        await stream.WriteDataAsync(JsonReply.Build(json =>
        {
            json.WriteStartObject();
            json.WriteString("type", "message-end");
            json.WriteStartObject("delta");
            json.WriteString("finish_reason", FinishReason(plan));
            WriteUsage(json, plan);
            json.WriteEndObject();
            json.WriteEndObject();
        }));
    }

    private static ReadOnlyMemory<byte> ContentEvent(string type, Action<Utf8JsonWriter> writeContent) => JsonReply.Build(json =>
    {
        json.WriteStartObject();
        json.WriteString("type", type);
        json.WriteNumber("index", 0);
        json.WriteStartObject("delta");
        json.WriteStartObject("message");
        json.WriteStartObject("content");
        writeContent(json);
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndObject();
    });

    /// <summary>A tool-call event; in Cohere's stream <c>delta.message.tool_calls</c> is one call, not an array.</summary>
    private static ReadOnlyMemory<byte> ToolEvent(string type, Action<Utf8JsonWriter> writeCall) => JsonReply.Build(json =>
    {
        json.WriteStartObject();
        json.WriteString("type", type);
        json.WriteNumber("index", 0);
        json.WriteStartObject("delta");
        json.WriteStartObject("message");
        json.WritePropertyName("tool_calls");
        writeCall(json);
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndObject();
    });

    private static void WriteToolCall(Utf8JsonWriter json, ToolCallPlan call, string arguments)
    {
        json.WriteStartObject();
        json.WriteString("id", call.Id);
        json.WriteString("type", "function");
        json.WriteStartObject("function");
        json.WriteString("name", call.Name);
        json.WriteString("arguments", arguments);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteArguments(Utf8JsonWriter json, string arguments)
    {
        json.WriteStartObject();
        json.WriteStartObject("function");
        json.WriteString("arguments", arguments);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static string FinishReason(ReplyPlan plan) => plan.Finish switch
    {
        FinishKind.Length => "MAX_TOKENS",
        FinishKind.ToolCall => "TOOL_CALL",
        _ => "COMPLETE",
    };

    /// <summary>Both of Cohere's counts, equal here: what was billed and what the model processed.</summary>
    private static void WriteUsage(Utf8JsonWriter json, ReplyPlan plan)
    {
        json.WriteStartObject("usage");
        foreach (var name in (string[])["billed_units", "tokens"])
        {
            json.WriteStartObject(name);
            json.WriteNumber("input_tokens", plan.PromptTokens);
            json.WriteNumber("output_tokens", plan.CompletionTokens);
            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    /// <summary>
    /// Reads the conversation: the last user message's text and <c>image_url</c> parts, the tool result when the last
    /// message is a <c>tool</c> message, the function tools and <c>tool_choice</c> (<c>NONE</c> disables them; Cohere has
    /// no way to name one), <c>max_tokens</c> and <c>stream</c>.
    /// </summary>
    private static bool TryReadFacts(JsonElement body, out ConversationFacts facts, out bool stream, out string problem)
    {
        facts = null!;
        stream = false;
        problem = "";
        if (!body.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
        {
            problem = "messages must not be empty.";
            return false;
        }

        var promptTokens = TokenEstimate.PerChatReply;
        var lastUserText = "";
        var imageCount = 0;
        string? toolResult = null;
        var index = 0;
        foreach (var message in messages.EnumerateArray())
        {
            if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("role", out var roleElement) || roleElement.ValueKind != JsonValueKind.String)
            {
                problem = $"messages[{index}] must be an object with a string role.";
                return false;
            }

            var role = roleElement.GetString();
            if (role is not ("system" or "user" or "assistant" or "tool"))
            {
                problem = $"messages[{index}].role must be one of system, user, assistant, tool.";
                return false;
            }

            var (text, images) = Content(message);
            promptTokens += TokenEstimate.ForText(text) + TokenEstimate.PerChatMessage;
            if (role == "user")
            {
                lastUserText = text;
                imageCount = images;
            }

            if (role == "tool" && (!message.TryGetProperty("tool_call_id", out var callId) || callId.ValueKind != JsonValueKind.String))
            {
                problem = $"messages[{index}]: a tool message needs tool_call_id.";
                return false;
            }

            toolResult = role == "tool" ? text : null;
            index++;
        }

        var toolNames = new List<string>();
        if (body.TryGetProperty("tools", out var tools) && tools.ValueKind == JsonValueKind.Array)
        {
            foreach (var tool in tools.EnumerateArray())
            {
                if (tool.ValueKind == JsonValueKind.Object && tool.TryGetProperty("function", out var function) && function.ValueKind == JsonValueKind.Object
                    && function.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String)
                {
                    toolNames.Add(name.GetString()!);
                }
            }
        }

        var disabled = false;
        if (body.TryGetProperty("tool_choice", out var choice))
        {
            if (choice.ValueKind != JsonValueKind.String || choice.GetString() is not ("REQUIRED" or "NONE"))
            {
                problem = "tool_choice must be REQUIRED or NONE.";
                return false;
            }

            disabled = choice.ValueEquals("NONE");
        }

        int? maxTokens = null;
        if (body.TryGetProperty("max_tokens", out var max))
        {
            if (max.ValueKind != JsonValueKind.Number || !max.TryGetInt32(out var value) || value < 0)
            {
                problem = "max_tokens must be a non-negative integer.";
                return false;
            }

            maxTokens = value;
        }

        if (body.TryGetProperty("stream", out var streamElement))
        {
            if (streamElement.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                problem = "stream must be a boolean.";
                return false;
            }

            stream = streamElement.GetBoolean();
        }

        facts = new ConversationFacts(lastUserText, imageCount, toolNames, null, disabled, toolResult, promptTokens, maxTokens);
        return true;
    }

    /// <summary>A message's text (the string, or its text and document parts joined by a space) and its image count.</summary>
    private static (string Text, int Images) Content(JsonElement message)
    {
        if (!message.TryGetProperty("content", out var content))
        {
            return ("", 0);
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            return (content.GetString()!, 0);
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            return ("", 0);
        }

        var texts = new List<string>();
        var images = 0;
        foreach (var part in content.EnumerateArray())
        {
            if (part.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            if (part.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
            {
                texts.Add(text.GetString()!);
            }
            else if (part.TryGetProperty("image_url", out _))
            {
                images++;
            }
            else if (part.TryGetProperty("document", out var document) && document.ValueKind == JsonValueKind.Object && document.TryGetProperty("data", out var data))
            {
                texts.Add(data.ValueKind == JsonValueKind.String ? data.GetString()! : data.GetRawText());
            }
        }

        return (string.Join(' ', texts), images);
    }
}
