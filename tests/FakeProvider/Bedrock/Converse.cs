using System.Text.Json;
using Switchyard.FakeProvider.Content;
using Switchyard.FakeProvider.Faults;
using Switchyard.FakeProvider.Hosting;
using Switchyard.FakeProvider.Transport;

namespace Switchyard.FakeProvider.Bedrock;

/// <summary>
/// POST <c>…/model/{model}/converse</c> and <c>…/converse-stream</c>: the Converse API, answering
/// by <see cref="ReplyPlanner"/> as every other format does.
/// </summary>
internal static class Converse
{
    public static Task HandleAsync(HttpContext context, FakeExchange exchange) => HandleAsync(context, exchange, stream: false);

    public static Task HandleStreamAsync(HttpContext context, FakeExchange exchange) => HandleAsync(context, exchange, stream: true);

    private static async Task HandleAsync(HttpContext context, FakeExchange exchange, bool stream)
    {
        using var request = await BedrockRequest.OpenAsync(context, exchange);
        if (request is null)
        {
            return;
        }

        if (!TryReadFacts(request.Body, out var facts, out var problem))
        {
            await BedrockErrors.WriteValidationAsync(context, problem);
            return;
        }

        var faults = await request.PassFaultsAsync(context, exchange);
        if (faults is null)
        {
            return;
        }

        var plan = ReplyPlanner.Plan(facts, faults.Words);
        if (stream)
        {
            await StreamAsync(context, exchange, faults, plan);
            return;
        }

        await JsonReply.WriteAsync(context, StatusCodes.Status200OK, Answer(plan), faults.Malformed, exchange.Cancellation);
    }

    /// <summary>
    /// The conversation's facts from a Converse body. Prompt tokens: per message and per system
    /// block, the tokens of its text plus <see cref="TokenEstimate.PerChatMessage"/>, plus
    /// <see cref="TokenEstimate.PerChatReply"/>.
    /// </summary>
    internal static bool TryReadFacts(JsonElement body, out ConversationFacts facts, out string problem)
    {
        facts = null!;
        problem = "";
        if (!body.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
        {
            problem = "1 validation error detected: Value null at 'messages' failed to satisfy constraint: Member must not be null";
            return false;
        }

        var promptTokens = TokenEstimate.PerChatReply;
        if (body.TryGetProperty("system", out var system) && system.ValueKind == JsonValueKind.Array)
        {
            foreach (var block in system.EnumerateArray())
            {
                promptTokens += TokenEstimate.ForText(Text(block)) + TokenEstimate.PerChatMessage;
            }
        }

        var lastUserText = "";
        var images = 0;
        string? toolResult = null;
        var index = 0;
        foreach (var message in messages.EnumerateArray())
        {
            if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String
                || !message.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.Array)
            {
                problem = $"1 validation error detected: Value at 'messages.{index + 1}' failed to satisfy constraint: Member must have a role and a content array";
                return false;
            }

            var texts = new List<string>();
            var resultTexts = new List<string>();
            var messageImages = 0;
            string? messageResult = null;
            foreach (var block in content.EnumerateArray().Where(block => block.ValueKind == JsonValueKind.Object))
            {
                if (block.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
                {
                    texts.Add(text.GetString()!);
                }
                else if (block.TryGetProperty("image", out _))
                {
                    messageImages++;
                }
                else if (block.TryGetProperty("toolResult", out var result))
                {
                    messageResult = ToolResultText(result);
                    resultTexts.Add(messageResult);
                }
            }

            promptTokens += TokenEstimate.ForText(string.Join(' ', texts.Concat(resultTexts))) + TokenEstimate.PerChatMessage;
            if (role.ValueEquals("user"))
            {
                lastUserText = messageResult is not null && texts.Count == 0 ? lastUserText : string.Join(' ', texts);
                images = messageImages;
            }

            toolResult = messageResult;
            index++;
        }

        var tools = new List<string>();
        string? forced = null;
        if (body.TryGetProperty("toolConfig", out var toolConfig) && toolConfig.ValueKind == JsonValueKind.Object)
        {
            if (toolConfig.TryGetProperty("tools", out var toolList) && toolList.ValueKind == JsonValueKind.Array)
            {
                foreach (var tool in toolList.EnumerateArray())
                {
                    if (tool.ValueKind == JsonValueKind.Object && tool.TryGetProperty("toolSpec", out var spec) && spec.ValueKind == JsonValueKind.Object
                        && spec.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String)
                    {
                        tools.Add(name.GetString()!);
                    }
                }
            }

            if (toolConfig.TryGetProperty("toolChoice", out var choice) && choice.ValueKind == JsonValueKind.Object
                && choice.TryGetProperty("tool", out var forcedTool) && forcedTool.ValueKind == JsonValueKind.Object
                && forcedTool.TryGetProperty("name", out var forcedName) && forcedName.ValueKind == JsonValueKind.String)
            {
                forced = forcedName.GetString();
            }
        }

        int? maxTokens = body.TryGetProperty("inferenceConfig", out var inference) && inference.ValueKind == JsonValueKind.Object
            && inference.TryGetProperty("maxTokens", out var max) && max.ValueKind == JsonValueKind.Number && max.TryGetInt32(out var maxValue) ? maxValue : null;
        facts = new ConversationFacts(lastUserText, images, tools, forced, ToolsDisabled: false, toolResult, promptTokens, maxTokens);
        return true;
    }

    private static string Text(JsonElement block) =>
        block.ValueKind == JsonValueKind.Object && block.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String ? text.GetString()! : "";

    private static string ToolResultText(JsonElement result) =>
        result.ValueKind == JsonValueKind.Object && result.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.Array
            ? string.Join(' ', content.EnumerateArray().Select(item =>
                item.ValueKind == JsonValueKind.Object && item.TryGetProperty("json", out var json) ? json.GetRawText() : Text(item)))
            : "";

    private static ReadOnlyMemory<byte> Answer(ReplyPlan plan) => JsonReply.Build(json =>
    {
        json.WriteStartObject();
        json.WriteStartObject("output");
        json.WriteStartObject("message");
        json.WriteString("role", "assistant");
        json.WriteStartArray("content");
        json.WriteStartObject();
        if (plan.ToolCall is { } call)
        {
            json.WriteStartObject("toolUse");
            json.WriteString("toolUseId", call.Id);
            json.WriteString("name", call.Name);
            json.WritePropertyName("input");
            json.WriteRawValue(call.ArgumentsJson);
            json.WriteEndObject();
        }
        else
        {
            json.WriteString("text", plan.Text);
        }

        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteString("stopReason", StopReason(plan.Finish));
        WriteUsage(json, plan);
        json.WriteStartObject("metrics");
        json.WriteNumber("latencyMs", 0);
        json.WriteEndObject();
        json.WriteEndObject();
    });

    private static string StopReason(FinishKind finish) => finish switch
    {
        FinishKind.Length => "max_tokens",
        FinishKind.ToolCall => "tool_use",
        _ => "end_turn",
    };

    private static void WriteUsage(System.Text.Json.Utf8JsonWriter json, ReplyPlan plan)
    {
        json.WriteStartObject("usage");
        json.WriteNumber("inputTokens", plan.PromptTokens);
        json.WriteNumber("outputTokens", plan.CompletionTokens);
        json.WriteNumber("totalTokens", plan.PromptTokens + plan.CompletionTokens);
        json.WriteEndObject();
    }

    /// <summary>
    /// messageStart, then per word a contentBlockDelta (or, for a tool call, contentBlockStart and
    /// the input in three pieces), contentBlockStop, messageStop and metadata, always last.
    /// </summary>
    private static async Task StreamAsync(HttpContext context, FakeExchange exchange, FaultPlan faults, ReplyPlan plan)
    {
        var stream = new EventStreamReply(context, exchange, faults);
        await stream.StartAsync();

        // A fault "after 0 words" fires before messageStart, so nothing but the headers reaches the client.
        if (!await stream.PassCheckpointAsync(0, wordsFinished: false))
        {
            return;
        }

        await stream.WriteEventAsync("messageStart", Json(json => json.WriteString("role", "assistant")));
        int sent;
        if (plan.ToolCall is { } call)
        {
            await stream.WriteEventAsync("contentBlockStart", Json(json =>
            {
                json.WriteNumber("contentBlockIndex", 0);
                json.WriteStartObject("start");
                json.WriteStartObject("toolUse");
                json.WriteString("toolUseId", call.Id);
                json.WriteString("name", call.Name);
                json.WriteEndObject();
                json.WriteEndObject();
            }));
            var third = Math.Max(1, call.ArgumentsJson.Length / 3);
            for (var start = 0; start < call.ArgumentsJson.Length; start += third)
            {
                var piece = call.ArgumentsJson.Substring(start, Math.Min(third, call.ArgumentsJson.Length - start));
                await stream.WriteEventAsync("contentBlockDelta", Delta(json =>
                {
                    json.WriteStartObject("toolUse");
                    json.WriteString("input", piece);
                    json.WriteEndObject();
                }));
            }

            sent = 0;
        }
        else
        {
            for (sent = 0; sent < plan.Words.Length; sent++)
            {
                if (!await stream.PassCheckpointAsync(sent, wordsFinished: false))
                {
                    return;
                }

                var piece = sent < plan.Words.Length - 1 ? plan.Words[sent] + " " : plan.Words[sent];
                await stream.WriteEventAsync("contentBlockDelta", Delta(json => json.WriteString("text", piece)));
            }
        }

        if (!await stream.PassCheckpointAsync(sent, wordsFinished: true))
        {
            return;
        }

        await stream.WriteEventAsync("contentBlockStop", Json(json => json.WriteNumber("contentBlockIndex", 0)));
        await stream.WriteEventAsync("messageStop", Json(json => json.WriteString("stopReason", StopReason(plan.Finish))));
        await stream.WriteEventAsync("metadata", Json(json =>
        {
            WriteUsage(json, plan);
            json.WriteStartObject("metrics");
            json.WriteNumber("latencyMs", 0);
            json.WriteEndObject();
        }));
    }

    private static ReadOnlyMemory<byte> Delta(Action<System.Text.Json.Utf8JsonWriter> writeDelta) => Json(json =>
    {
        json.WriteNumber("contentBlockIndex", 0);
        json.WriteStartObject("delta");
        writeDelta(json);
        json.WriteEndObject();
    });

    private static ReadOnlyMemory<byte> Json(Action<System.Text.Json.Utf8JsonWriter> writeFields) => JsonReply.Build(json =>
    {
        json.WriteStartObject();
        writeFields(json);
        json.WriteString("p", EventStreamReply.Padding);
        json.WriteEndObject();
    });
}
