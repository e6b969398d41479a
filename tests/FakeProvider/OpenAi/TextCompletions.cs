using System.Text.Json;
using Switchyard.FakeProvider.Content;
using Switchyard.FakeProvider.Faults;
using Switchyard.FakeProvider.Hosting;
using Switchyard.FakeProvider.Transport;

namespace Switchyard.FakeProvider.OpenAi;

/// <summary>POST <c>.../completions</c> (legacy text completions): echoes each prompt.</summary>
internal static class TextCompletions
{
    public static async Task HandleAsync(HttpContext context, FakeExchange exchange)
    {
        using var request = await OpenAiRequest.OpenAsync(context, exchange, hasBody: true);
        if (request is null)
        {
            return;
        }

        if (!TryReadPrompts(request, out var prompts)
            || !request.TryReadInt("n", 1, ChatCompletions.MaxChoices, out var n)
            || !request.TryReadInt("max_tokens", 0, int.MaxValue, out var maxTokens)
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

        // OpenAI numbers the choices prompt by prompt: prompt p's i-th choice has index p * n + i.
        var choices = new List<ReplyChoice>();
        foreach (var prompt in prompts)
        {
            var words = faults.Words is int count ? ReplyText.Generated(prompt, count) : ReplyText.Echo(prompt);
            words = ReplyText.Truncate(words, maxTokens, out var truncated);
            for (var i = 0; i < (n ?? 1); i++)
            {
                choices.Add(new ReplyChoice(choices.Count, words, truncated ? ReplyChoice.Length : ReplyChoice.Stop));
            }
        }

        var reply = new OpenAiReply(
            $"cmpl-fake-{StableHash.Hex($"{request.Model}\n{string.Join('\n', prompts)}")}",
            request.Model,
            choices,
            prompts.Sum(TokenEstimate.ForText));

        if (stream)
        {
            await StreamAsync(context, exchange, faults, reply, includeUsage);
            return;
        }

        await JsonReply.WriteAsync(context, StatusCodes.Status200OK, Completion(reply), faults.Malformed, exchange.Cancellation);
    }

    /// <summary>A prompt is a string or an array of strings; absent means one empty prompt.</summary>
    private static bool TryReadPrompts(OpenAiRequest request, out string[] prompts)
    {
        prompts = [""];
        if (!request.Body.TryGetProperty("prompt", out var prompt) || prompt.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (prompt.ValueKind == JsonValueKind.String)
        {
            prompts = [prompt.GetString()!];
            return true;
        }

        if (prompt.ValueKind == JsonValueKind.Array
            && prompt.GetArrayLength() > 0
            && prompt.EnumerateArray().All(item => item.ValueKind == JsonValueKind.String))
        {
            prompts = [.. prompt.EnumerateArray().Select(item => item.GetString()!)];
            return true;
        }

        return request.Refuse("Invalid 'prompt': the fake accepts a string or a non-empty array of strings.", "prompt", "invalid_type");
    }

    private static ReadOnlyMemory<byte> Completion(OpenAiReply reply) => JsonReply.Build(json =>
    {
        json.WriteStartObject();
        reply.WriteHeader(json, "text_completion");
        json.WriteStartArray("choices");
        foreach (var choice in reply.Choices)
        {
            WriteChoice(json, choice.Index, choice.Text, choice.FinishReason);
        }

        json.WriteEndArray();
        reply.WriteTextUsage(json);
        json.WriteEndObject();
    });

    private static async Task StreamAsync(HttpContext context, FakeExchange exchange, FaultPlan faults, OpenAiReply reply, bool includeUsage)
    {
        var stream = OpenAiStreaming.Open(context, exchange, faults);
        await stream.StartAsync();
        var finished = await OpenAiStreaming.WriteWordsAsync(
            stream, reply.Choices, (choice, piece) => Chunk(reply, includeUsage, choice.Index, piece, finishReason: null));
        if (!finished)
        {
            return;
        }

        foreach (var choice in reply.Choices)
        {
            await stream.WriteDataAsync(Chunk(reply, includeUsage, choice.Index, "", choice.FinishReason));
        }

        if (includeUsage)
        {
            await stream.WriteDataAsync(JsonReply.Build(json =>
            {
                json.WriteStartObject();
                reply.WriteHeader(json, "text_completion");
                json.WriteStartArray("choices");
                json.WriteEndArray();
                reply.WriteTextUsage(json);
                json.WriteEndObject();
            }));
        }

        await stream.WriteDataAsync(OpenAiStreaming.Done);
    }

    private static ReadOnlyMemory<byte> Chunk(OpenAiReply reply, bool usageNull, int index, string text, string? finishReason) =>
        JsonReply.Build(json =>
        {
            json.WriteStartObject();
            reply.WriteHeader(json, "text_completion");
            json.WriteStartArray("choices");
            WriteChoice(json, index, text, finishReason);
            json.WriteEndArray();
            if (usageNull)
            {
                json.WriteNull("usage");
            }

            json.WriteEndObject();
        });

    private static void WriteChoice(Utf8JsonWriter json, int index, string text, string? finishReason)
    {
        json.WriteStartObject();
        json.WriteString("text", text);
        json.WriteNumber("index", index);
        json.WriteNull("logprobs");
        json.WriteString("finish_reason", finishReason);
        json.WriteEndObject();
    }
}
