using System.Text.Json;
using Switchyard.FakeProvider.Content;
using Switchyard.FakeProvider.Faults;
using Switchyard.FakeProvider.Hosting;
using Switchyard.FakeProvider.Transport;

namespace Switchyard.FakeProvider.Gemini;

/// <summary>
/// POST <c>…/models/{model}:generateContent</c> and <c>:streamGenerateContent?alt=sse</c>: the shared rule book
/// (<see cref="ReplyPlanner"/>) answered in Gemini's shape. A stream sends one chunk per word, then a last chunk with
/// <c>finishReason</c> and the full <c>usageMetadata</c>, then ends the body: Gemini has no terminal event.
/// </summary>
internal static class GenerateContent
{
    public const string Method = ":generateContent";
    public const string StreamMethod = ":streamGenerateContent";
    public const int MaxCandidates = 8;

    /// <summary>What a client gets from <c>malformed-after</c>: a chunk cut off mid-JSON.</summary>
    private static readonly ReadOnlyMemory<byte> BrokenChunk = """{"candidates": ["""u8.ToArray();

    public static Task HandleAsync(HttpContext context, FakeExchange exchange) => HandleAsync(context, exchange, stream: false);

    public static Task HandleStreamAsync(HttpContext context, FakeExchange exchange) => HandleAsync(context, exchange, stream: true);

    private static async Task HandleAsync(HttpContext context, FakeExchange exchange, bool stream)
    {
        using var request = await GeminiRequest.OpenAsync(context, exchange, stream ? StreamMethod : Method);
        if (request is null)
        {
            return;
        }

        if (stream && context.Request.Query["alt"] != "sse")
        {
            await GeminiErrors.WriteInvalidArgumentAsync(context, "The fake provider streams only with ?alt=sse (server-sent events).");
            return;
        }

        if (!TryReadFacts(request.Body, out var facts, out var candidates, out var problem))
        {
            await GeminiErrors.WriteInvalidArgumentAsync(context, problem);
            return;
        }

        var faults = await request.PassFaultsAsync(context, exchange);
        if (faults is null)
        {
            return;
        }

        var plan = ReplyPlanner.Plan(facts, faults.Words);
        var reply = new Reply($"fake-{StableHash.Hex($"{request.Model}\n{facts.LastUserText}")}", request.Model, plan, candidates);
        if (stream)
        {
            await StreamAsync(context, exchange, faults, reply);
            return;
        }

        await JsonReply.WriteAsync(context, StatusCodes.Status200OK, JsonReply.Build(json =>
        {
            json.WriteStartObject();
            WriteCandidates(json, reply, json => WriteWholeContent(json, reply.Plan), reply.FinishReason);
            reply.WriteTail(json, complete: true);
            json.WriteEndObject();
        }), faults.Malformed, exchange.Cancellation);
    }

    private static async Task StreamAsync(HttpContext context, FakeExchange exchange, FaultPlan faults, Reply reply)
    {
        var stream = new SseStream(context, exchange, faults, BrokenChunk);
        await stream.StartAsync();
        var words = reply.Plan.Words;
        for (var i = 0; i < words.Length; i++)
        {
            if (!await stream.PassCheckpointAsync(i, wordsFinished: false))
            {
                return;
            }

            var piece = i == words.Length - 1 ? words[i] : words[i] + " ";
            await stream.WriteDataAsync(JsonReply.Build(json =>
            {
                json.WriteStartObject();
                WriteCandidates(json, reply, json => WriteTextContent(json, piece), finishReason: null);
                reply.WriteTail(json, complete: false);
                json.WriteEndObject();
            }));
        }

        if (!await stream.PassCheckpointAsync(words.Length, wordsFinished: true))
        {
            return;
        }

        // The last chunk: a function call arrives whole in it; a text reply ends with an empty text part.
        await stream.WriteDataAsync(JsonReply.Build(json =>
        {
            json.WriteStartObject();
            WriteCandidates(
                json,
                reply,
                json =>
                {
                    if (reply.Plan.ToolCall is not null)
                    {
                        WriteWholeContent(json, reply.Plan);
                    }
                    else
                    {
                        WriteTextContent(json, "");
                    }
                },
                reply.FinishReason);
            reply.WriteTail(json, complete: true);
            json.WriteEndObject();
        }));
    }

    private static void WriteCandidates(Utf8JsonWriter json, Reply reply, Action<Utf8JsonWriter> writeContent, string? finishReason)
    {
        json.WriteStartArray("candidates");
        for (var index = 0; index < reply.Candidates; index++)
        {
            json.WriteStartObject();
            json.WriteStartObject("content");
            json.WriteStartArray("parts");
            writeContent(json);
            json.WriteEndArray();
            json.WriteString("role", "model");
            json.WriteEndObject();
            if (finishReason is not null)
            {
                json.WriteString("finishReason", finishReason);
            }

            json.WriteNumber("index", index);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteWholeContent(Utf8JsonWriter json, ReplyPlan plan)
    {
        if (plan.ToolCall is { } call)
        {
            json.WriteStartObject();
            json.WriteStartObject("functionCall");
            json.WriteString("name", call.Name);
            json.WritePropertyName("args");
            using (var arguments = JsonDocument.Parse(call.ArgumentsJson))
            {
                arguments.RootElement.WriteTo(json);
            }

            json.WriteEndObject();
            json.WriteEndObject();
            return;
        }

        WriteTextContent(json, plan.Text);
    }

    private static void WriteTextContent(Utf8JsonWriter json, string text)
    {
        json.WriteStartObject();
        json.WriteString("text", text);
        json.WriteEndObject();
    }

    /// <summary>
    /// Reads the conversation: the last <c>user</c> turn's text and images, the tool result when the last turn carries a
    /// <c>functionResponse</c> (its <c>response.content</c> when that is a string, else the response's JSON), the declared
    /// functions and <c>toolConfig</c>, <c>maxOutputTokens</c> and <c>candidateCount</c>. Prompt tokens count each turn
    /// (and the system instruction) as a chat message.
    /// </summary>
    private static bool TryReadFacts(JsonElement body, out ConversationFacts facts, out int candidates, out string problem)
    {
        facts = null!;
        candidates = 1;
        problem = "";
        if (!body.TryGetProperty("contents", out var contents) || contents.ValueKind != JsonValueKind.Array || contents.GetArrayLength() == 0)
        {
            problem = "* GenerateContentRequest.contents: contents is not specified";
            return false;
        }

        var promptTokens = TokenEstimate.PerChatReply;
        if (body.TryGetProperty("systemInstruction", out var system))
        {
            if (!TryReadTurn(system, out var systemTurn))
            {
                problem = "* GenerateContentRequest.system_instruction: expected an object with 'parts'";
                return false;
            }

            promptTokens += TokenEstimate.ForText(systemTurn.Text) + TokenEstimate.PerChatMessage;
        }

        var lastUserText = "";
        var imageCount = 0;
        string? toolResult = null;
        var index = 0;
        foreach (var content in contents.EnumerateArray())
        {
            if (!TryReadTurn(content, out var turn))
            {
                problem = $"* GenerateContentRequest.contents[{index}].parts: contents.parts must not be empty";
                return false;
            }

            promptTokens += TokenEstimate.ForText(turn.Text) + TokenEstimate.PerChatMessage;
            if (turn.Role == "user")
            {
                lastUserText = turn.Text;
                imageCount = turn.Images;
            }

            toolResult = turn.ToolResult;
            index++;
        }

        var toolNames = new List<string>();
        if (body.TryGetProperty("tools", out var tools) && tools.ValueKind == JsonValueKind.Array)
        {
            foreach (var tool in tools.EnumerateArray())
            {
                if (tool.ValueKind == JsonValueKind.Object && tool.TryGetProperty("functionDeclarations", out var declarations) && declarations.ValueKind == JsonValueKind.Array)
                {
                    foreach (var declaration in declarations.EnumerateArray())
                    {
                        if (declaration.ValueKind == JsonValueKind.Object && declaration.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String)
                        {
                            toolNames.Add(name.GetString()!);
                        }
                    }
                }
            }
        }

        string? forced = null;
        var disabled = false;
        if (body.TryGetProperty("toolConfig", out var toolConfig) && toolConfig.ValueKind == JsonValueKind.Object
            && toolConfig.TryGetProperty("functionCallingConfig", out var calling) && calling.ValueKind == JsonValueKind.Object)
        {
            var mode = calling.TryGetProperty("mode", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            disabled = mode == "NONE";
            if (mode == "ANY" && calling.TryGetProperty("allowedFunctionNames", out var allowed) && allowed.ValueKind == JsonValueKind.Array
                && allowed.GetArrayLength() > 0 && allowed[0].ValueKind == JsonValueKind.String)
            {
                forced = allowed[0].GetString();
            }
        }

        int? maxTokens = null;
        if (body.TryGetProperty("generationConfig", out var config) && config.ValueKind == JsonValueKind.Object)
        {
            if (config.TryGetProperty("maxOutputTokens", out var max))
            {
                if (max.ValueKind != JsonValueKind.Number || !max.TryGetInt32(out var value) || value < 0)
                {
                    problem = "* GenerateContentRequest.generation_config.max_output_tokens: must be a non-negative integer";
                    return false;
                }

                maxTokens = value;
            }

            if (config.TryGetProperty("candidateCount", out var count))
            {
                if (count.ValueKind != JsonValueKind.Number || !count.TryGetInt32(out candidates) || candidates < 1 || candidates > MaxCandidates)
                {
                    problem = $"* GenerateContentRequest.generation_config.candidate_count: must be from 1 to {MaxCandidates}";
                    return false;
                }
            }
        }

        facts = new ConversationFacts(lastUserText, imageCount, toolNames, forced, disabled, toolResult, promptTokens, maxTokens);
        return true;
    }

    private static bool TryReadTurn(JsonElement content, out Turn turn)
    {
        turn = default;
        if (content.ValueKind != JsonValueKind.Object || !content.TryGetProperty("parts", out var parts) || parts.ValueKind != JsonValueKind.Array || parts.GetArrayLength() == 0)
        {
            return false;
        }

        var role = content.TryGetProperty("role", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()! : "user";
        var texts = new List<string>();
        var images = 0;
        List<string>? results = null;
        foreach (var part in parts.EnumerateArray())
        {
            if (part.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            if (part.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
            {
                texts.Add(text.GetString()!);
            }
            else if (part.TryGetProperty("inlineData", out _) || part.TryGetProperty("fileData", out _))
            {
                images++;
            }
            else if (part.TryGetProperty("functionResponse", out var response) && response.ValueKind == JsonValueKind.Object)
            {
                results ??= [];
                results.Add(response.TryGetProperty("response", out var value)
                    ? value.ValueKind == JsonValueKind.Object && value.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : value.GetRawText()
                    : "");
            }
        }

        turn = new Turn(role, string.Join(' ', texts), images, results is null ? null : string.Join(' ', results));
        return true;
    }

    private readonly record struct Turn(string Role, string Text, int Images, string? ToolResult);

    /// <summary>One answer: the plan, repeated over <paramref name="Candidates"/>, and what every chunk repeats.</summary>
    private sealed record Reply(string ResponseId, string Model, ReplyPlan Plan, int Candidates)
    {
        public string FinishReason => Plan.Finish == FinishKind.Length ? "MAX_TOKENS" : "STOP";

        /// <summary>
        /// <c>usageMetadata</c>, <c>modelVersion</c>, <c>responseId</c>. Gemini sends usage on every chunk; only the last
        /// (complete) one has the candidates' tokens.
        /// </summary>
        public void WriteTail(Utf8JsonWriter json, bool complete)
        {
            var completion = complete ? Plan.CompletionTokens * Candidates : 0;
            json.WriteStartObject("usageMetadata");
            json.WriteNumber("promptTokenCount", Plan.PromptTokens);
            if (complete)
            {
                json.WriteNumber("candidatesTokenCount", completion);
            }

            json.WriteNumber("totalTokenCount", Plan.PromptTokens + completion);
            json.WriteEndObject();
            json.WriteString("modelVersion", Model);
            json.WriteString("responseId", ResponseId);
        }
    }
}
