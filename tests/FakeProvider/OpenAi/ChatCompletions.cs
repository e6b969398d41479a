using System.Text.Json;
using Switchyard.FakeProvider.Content;
using Switchyard.FakeProvider.Faults;
using Switchyard.FakeProvider.Hosting;
using Switchyard.FakeProvider.Transport;

namespace Switchyard.FakeProvider.OpenAi;

/// <summary>
/// POST <c>.../chat/completions</c>: answers by <see cref="ReplyPlanner"/> (echo, tool call or tool result), as JSON or
/// as a stream.
/// </summary>
internal static class ChatCompletions
{
    public const int MaxChoices = 128;

    public static async Task HandleAsync(HttpContext context, FakeExchange exchange)
    {
        using var request = await OpenAiRequest.OpenAsync(context, exchange, hasBody: true);
        if (request is null)
        {
            return;
        }

        if (!request.Body.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
        {
            await OpenAiErrors.WriteInvalidRequestAsync(
                context, "Missing required parameter: 'messages'.", "messages", "missing_required_parameter");
            return;
        }

        if (!request.TryReadInt("n", 1, MaxChoices, out var n)
            || !request.TryReadInt("max_tokens", 0, int.MaxValue, out var maxTokens)
            || !request.TryReadInt("max_completion_tokens", 0, int.MaxValue, out var maxCompletionTokens)
            || !ChatConversation.TryRead(request, messages, maxCompletionTokens ?? maxTokens, out var facts)
            || !request.TryReadBool("stream", out var stream)
            || !request.TryReadIncludeUsage(out var includeUsage))
        {
            await request.RejectAsync(context);
            return;
        }

        var faults = await request.PassFaultsAsync(context, exchange);
        if (faults is null)
        {
            return;
        }

        var plan = ReplyPlanner.Plan(facts, faults.Words);
        var finishReason = plan.Finish switch
        {
            FinishKind.ToolCall => ReplyChoice.ToolCalls,
            FinishKind.Length => ReplyChoice.Length,
            _ => ReplyChoice.Stop,
        };
        var reply = new OpenAiReply(
            $"chatcmpl-fake-{StableHash.Hex($"{request.Model}\n{facts.LastUserText}")}",
            request.Model,
            [.. Enumerable.Range(0, n ?? 1).Select(index => new ReplyChoice(index, plan.Words, finishReason)
            {
                ToolCall = plan.ToolCall,
                CompletionTokens = plan.CompletionTokens,
            })],
            plan.PromptTokens);

        if (stream)
        {
            await StreamAsync(context, exchange, faults, reply, includeUsage);
            return;
        }

        await JsonReply.WriteAsync(context, StatusCodes.Status200OK, Completion(reply), faults.Malformed, exchange.Cancellation);
    }

    private static ReadOnlyMemory<byte> Completion(OpenAiReply reply) => JsonReply.Build(json =>
    {
        json.WriteStartObject();
        reply.WriteHeader(json, "chat.completion");
        json.WriteStartArray("choices");
        foreach (var choice in reply.Choices)
        {
            json.WriteStartObject();
            json.WriteNumber("index", choice.Index);
            json.WriteStartObject("message");
            json.WriteString("role", "assistant");
            if (choice.ToolCall is { } call)
            {
                // OpenAI sends content null beside tool calls, not an empty string.
                json.WriteNull("content");
                json.WriteStartArray("tool_calls");
                json.WriteStartObject();
                json.WriteString("id", call.Id);
                json.WriteString("type", "function");
                json.WriteStartObject("function");
                json.WriteString("name", call.Name);
                json.WriteString("arguments", call.ArgumentsJson);
                json.WriteEndObject();
                json.WriteEndObject();
                json.WriteEndArray();
            }
            else
            {
                json.WriteString("content", choice.Text);
            }

            json.WriteNull("refusal");
            json.WriteEndObject();
            json.WriteNull("logprobs");
            json.WriteString("finish_reason", choice.FinishReason);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        reply.WriteChatUsage(json);
        json.WriteEndObject();
    });

    private static async Task StreamAsync(HttpContext context, FakeExchange exchange, FaultPlan faults, OpenAiReply reply, bool includeUsage)
    {
        var stream = OpenAiStreaming.Open(context, exchange, faults);
        await stream.StartAsync();

        // A fault "after 0 words" fires before the role chunk, so nothing but the headers reaches the client.
        if (!await stream.PassCheckpointAsync(0, wordsFinished: false))
        {
            return;
        }

        foreach (var choice in reply.Choices)
        {
            await stream.WriteDataAsync(Chunk(reply, includeUsage, choice.Index, finishReason: null, json => WriteFirstDelta(json, choice)));
        }

        var finished = await OpenAiStreaming.WriteWordsAsync(
            stream,
            reply.Choices,
            (choice, piece) => Chunk(reply, includeUsage, choice.Index, finishReason: null, json => WritePieceDelta(json, choice, piece)));
        if (!finished)
        {
            return;
        }

        foreach (var choice in reply.Choices)
        {
            await stream.WriteDataAsync(Chunk(reply, includeUsage, choice.Index, choice.FinishReason, static _ => { }));
        }

        if (includeUsage)
        {
            await stream.WriteDataAsync(JsonReply.Build(json =>
            {
                json.WriteStartObject();
                reply.WriteHeader(json, "chat.completion.chunk");
                json.WriteStartArray("choices");
                json.WriteEndArray();
                reply.WriteChatUsage(json);
                json.WriteEndObject();
            }));
        }

        await stream.WriteDataAsync(OpenAiStreaming.Done);
    }

    /// <summary>
    /// The role, and for a tool call, as OpenAI streams it, the call's index, id, type and name with empty arguments;
    /// the arguments follow in pieces.
    /// </summary>
    private static void WriteFirstDelta(Utf8JsonWriter json, ReplyChoice choice)
    {
        json.WriteString("role", "assistant");
        if (choice.ToolCall is not { } call)
        {
            json.WriteString("content", "");
            return;
        }

        json.WriteNull("content");
        json.WriteStartArray("tool_calls");
        json.WriteStartObject();
        json.WriteNumber("index", 0);
        json.WriteString("id", call.Id);
        json.WriteString("type", "function");
        json.WriteStartObject("function");
        json.WriteString("name", call.Name);
        json.WriteString("arguments", "");
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteNull("refusal");
    }

    private static void WritePieceDelta(Utf8JsonWriter json, ReplyChoice choice, string piece)
    {
        if (choice.ToolCall is null)
        {
            json.WriteString("content", piece);
            return;
        }

        json.WriteStartArray("tool_calls");
        json.WriteStartObject();
        json.WriteNumber("index", 0);
        json.WriteStartObject("function");
        json.WriteString("arguments", piece);
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndArray();
    }

    /// <param name="usageNull">
    /// With include_usage OpenAI puts <c>"usage": null</c> on every chunk before the usage one;
    /// without it the field is absent. Clients tell the two apart, so the fake does too.
    /// </param>
    private static ReadOnlyMemory<byte> Chunk(
        OpenAiReply reply, bool usageNull, int index, string? finishReason, Action<Utf8JsonWriter> writeDelta) => JsonReply.Build(json =>
    {
        json.WriteStartObject();
        reply.WriteHeader(json, "chat.completion.chunk");
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
        if (usageNull)
        {
            json.WriteNull("usage");
        }

        json.WriteEndObject();
    });
}
