using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Switchyard.FakeProvider.Content;
using Switchyard.FakeProvider.Faults;
using Switchyard.FakeProvider.Hosting;
using Switchyard.FakeProvider.Transport;

namespace Switchyard.FakeProvider.OpenAi;

/// <summary>POST <c>.../chat/completions</c>: echoes the last user message, as JSON or as a stream.</summary>
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

        if (!TryReadMessages(request, messages, out var userText, out var promptTokens)
            || !request.TryReadInt("n", 1, MaxChoices, out var n)
            || !request.TryReadInt("max_tokens", 0, int.MaxValue, out var maxTokens)
            || !request.TryReadInt("max_completion_tokens", 0, int.MaxValue, out var maxCompletionTokens)
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

        var words = faults.Words is int count ? ReplyText.Generated(userText, count) : ReplyText.Echo(userText);
        words = ReplyText.Truncate(words, maxCompletionTokens ?? maxTokens, out var truncated);
        var finishReason = truncated ? ReplyChoice.Length : ReplyChoice.Stop;
        var reply = new OpenAiReply(
            $"chatcmpl-fake-{StableHash.Hex($"{request.Model}\n{userText}")}",
            request.Model,
            [.. Enumerable.Range(0, n ?? 1).Select(index => new ReplyChoice(index, words, finishReason))],
            promptTokens);

        if (stream)
        {
            await StreamAsync(context, exchange, faults, reply, includeUsage);
            return;
        }

        await JsonReply.WriteAsync(context, StatusCodes.Status200OK, Completion(reply), faults.Malformed, exchange.Cancellation);
    }

    /// <summary>
    /// Finds the last user message's text and counts prompt tokens: per message its text's
    /// tokens plus <see cref="TokenEstimate.PerChatMessage"/>, plus <see cref="TokenEstimate.PerChatReply"/>.
    /// </summary>
    private static bool TryReadMessages(OpenAiRequest request, JsonElement messages, out string userText, out int promptTokens)
    {
        userText = "";
        promptTokens = TokenEstimate.PerChatReply;
        var index = 0;
        foreach (var message in messages.EnumerateArray())
        {
            if (message.ValueKind != JsonValueKind.Object
                || !message.TryGetProperty("role", out var role)
                || role.ValueKind != JsonValueKind.String)
            {
                return request.Refuse($"Invalid 'messages[{index}]': expected an object with a string 'role'.", $"messages[{index}]", "invalid_value");
            }

            if (!TryReadText(message, out var text))
            {
                return request.Refuse(
                    $"Invalid 'messages[{index}].content': expected a string, an array of content parts or null.", $"messages[{index}].content", "invalid_type");
            }

            promptTokens += TokenEstimate.ForText(text) + TokenEstimate.PerChatMessage;
            if (role.ValueEquals("user"))
            {
                userText = text;
            }

            index++;
        }

        return true;
    }

    /// <summary>Text content of a message: the string itself, or the <c>text</c> of its parts joined by a space.</summary>
    private static bool TryReadText(JsonElement message, [NotNullWhen(true)] out string? text)
    {
        text = null;
        if (!message.TryGetProperty("content", out var content) || content.ValueKind == JsonValueKind.Null)
        {
            text = "";
            return true;
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            text = content.GetString()!;
            return true;
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        var parts = new List<string>();
        foreach (var part in content.EnumerateArray())
        {
            if (part.ValueKind == JsonValueKind.Object
                && part.TryGetProperty("text", out var partText)
                && partText.ValueKind == JsonValueKind.String)
            {
                parts.Add(partText.GetString()!);
            }
        }

        text = string.Join(' ', parts);
        return true;
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
            json.WriteString("content", choice.Text);
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
            await stream.WriteDataAsync(Chunk(reply, includeUsage, choice.Index, finishReason: null, json =>
            {
                json.WriteString("role", "assistant");
                json.WriteString("content", "");
            }));
        }

        var finished = await OpenAiStreaming.WriteWordsAsync(
            stream,
            reply.Choices,
            (choice, piece) => Chunk(reply, includeUsage, choice.Index, finishReason: null, json => json.WriteString("content", piece)));
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
