using System.ClientModel;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Embeddings;
using Switchyard.FakeProvider.Journal;

using static Switchyard.FakeProvider.Tests.FakeReading;

namespace Switchyard.FakeProvider.Tests;

public sealed class FakeProviderTests : FakeServerTests
{
    private static readonly TimeSpan PollDeadline = TimeSpan.FromSeconds(10);

    // ---- Hosting ----

    [Fact]
    public void StartAsync_PortZero_ReportsBoundPortWithTrailingSlash()
    {
        Assert.Equal("http", Server.BaseAddress.Scheme);
        Assert.Equal("127.0.0.1", Server.BaseAddress.Host);
        Assert.NotEqual(0, Server.BaseAddress.Port);
        Assert.Equal("/", Server.BaseAddress.AbsolutePath);
    }

    [Theory]
    [InlineData("v1/chat/completions")]
    [InlineData("openai/v1/chat/completions")]
    [InlineData("chat/completions")]
    [InlineData("v1/chat/completions/")]
    public async Task ChatCompletions_AnyBasePath_IsServed(string path)
    {
        using var response = await PostAsync(path, """{"model":"fake-gpt","messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("You said: hi", ContentOf(await JsonOf(response)));
    }

    [Fact]
    public async Task UnknownPath_Get_Returns404WithOpenAiError()
    {
        using var response = await Http.GetAsync("v1/nothing/here");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(
            """{"error":{"message":"Invalid URL (GET /v1/nothing/here)","type":"invalid_request_error","param":null,"code":null}}""",
            await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ChatCompletions_Get_Returns405()
    {
        using var response = await Http.GetAsync("v1/chat/completions");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("invalid_request_error", (await JsonOf(response)).GetProperty("error").GetProperty("type").GetString());
    }

    // ---- Chat completions: content and usage ----

    [Fact]
    public async Task ChatCompletions_StringContent_EchoesLastUserMessageWithExactUsage()
    {
        // Prompt tokens: ceil(chars / 4) + 4 per message, plus 3:
        // "be brief" 8 -> 2+4, "hello" 5 -> 2+4, "Hi! How can I help?" 19 -> 5+4, "tell me  a\njoke" 15 -> 4+4; + 3 = 32.
        using var response = await PostAsync("v1/chat/completions", """
            {"model":"fake-gpt","messages":[
              {"role":"system","content":"be brief"},
              {"role":"user","content":"hello"},
              {"role":"assistant","content":"Hi! How can I help?"},
              {"role":"user","content":"tell me  a\njoke"}]}
            """);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var json = await JsonOf(response);
        Assert.Matches("^chatcmpl-fake-[0-9a-f]{16}$", json.GetProperty("id").GetString());
        Assert.Equal("chat.completion", json.GetProperty("object").GetString());
        Assert.Equal(1700000000, json.GetProperty("created").GetInt64());
        Assert.Equal("fake-gpt", json.GetProperty("model").GetString());
        Assert.Equal("fp_fake", json.GetProperty("system_fingerprint").GetString());
        var choice = Assert.Single(json.GetProperty("choices").EnumerateArray());
        Assert.Equal(0, choice.GetProperty("index").GetInt32());
        Assert.Equal("assistant", choice.GetProperty("message").GetProperty("role").GetString());
        Assert.Equal("You said: tell me a joke", choice.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal(JsonValueKind.Null, choice.GetProperty("message").GetProperty("refusal").ValueKind);
        Assert.Equal(JsonValueKind.Null, choice.GetProperty("logprobs").ValueKind);
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        Assert.Equal((32, 6, 38), Usage(json));
    }

    [Fact]
    public async Task ChatCompletions_SameRequestTwice_ReturnsIdenticalBodies()
    {
        const string Body = """{"model":"fake-gpt","messages":[{"role":"user","content":"repeat me"}]}""";
        using var first = await PostAsync("v1/chat/completions", Body);
        using var second = await PostAsync("v1/chat/completions", Body);

        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ChatCompletions_ContentParts_JoinsTextPartsWithSpaceAndCountsImages()
    {
        // "first part second" is 17 chars -> 5 tokens; + 4 + 3 = 12. The image adds no prompt tokens.
        using var response = await PostAsync("v1/chat/completions", """
            {"model":"fake-gpt","messages":[{"role":"user","content":[
              {"type":"text","text":"first part"},
              {"type":"image_url","image_url":{"url":"https://example.invalid/cat.png"}},
              {"type":"text","text":"second"}]}]}
            """);

        var json = await JsonOf(response);
        Assert.Equal("You said: first part second [1 image]", ContentOf(json));
        Assert.Equal((12, 7, 19), Usage(json));
    }

    [Theory]
    [InlineData("max_tokens", 3, "You said: one", "length")]
    [InlineData("max_completion_tokens", 3, "You said: one", "length")]
    [InlineData("max_tokens", 0, "", "length")]
    [InlineData("max_tokens", 6, "You said: one two three four", "stop")]
    [InlineData("max_tokens", 100, "You said: one two three four", "stop")]
    public async Task ChatCompletions_MaxTokens_TruncatesToWordCount(string field, int max, string content, string finishReason)
    {
        using var response = await PostAsync("v1/chat/completions",
            $$"""{"model":"fake-gpt","{{field}}":{{max}},"messages":[{"role":"user","content":"one two three four"}]}""");

        var json = await JsonOf(response);
        Assert.Equal(content, ContentOf(json));
        Assert.Equal(finishReason, json.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(Math.Min(max, 6), Usage(json).Completion);
    }

    [Fact]
    public async Task ChatCompletions_WordsDirective_ReturnsSameWordsForSameText()
    {
        const string Body = """{"model":"fake-gpt|words=12","messages":[{"role":"user","content":"seed text"}]}""";
        using var first = await PostAsync("v1/chat/completions", Body);
        using var second = await PostAsync("v1/chat/completions", """{"model":"fake-gpt","messages":[{"role":"user","content":"seed text"}]}""", fault: "words=12");
        using var other = await PostAsync("v1/chat/completions", """{"model":"fake-gpt|words=12","messages":[{"role":"user","content":"other text"}]}""");

        var firstJson = await JsonOf(first);
        var content = ContentOf(firstJson);
        Assert.Equal(12, content.Split(' ').Length);
        Assert.DoesNotContain("said", content, StringComparison.Ordinal);
        Assert.Equal(content, ContentOf(await JsonOf(second)));
        Assert.NotEqual(content, ContentOf(await JsonOf(other)));
        Assert.Equal(12, Usage(firstJson).Completion);
        Assert.Equal("fake-gpt", firstJson.GetProperty("model").GetString());
    }

    [Fact]
    public async Task ChatCompletions_NChoices_ReturnsSameTextInEachChoice()
    {
        using var response = await PostAsync("v1/chat/completions", """{"model":"fake-gpt","n":3,"messages":[{"role":"user","content":"triple"}]}""");

        var json = await JsonOf(response);
        var choices = json.GetProperty("choices").EnumerateArray().ToArray();
        Assert.Equal([0, 1, 2], choices.Select(choice => choice.GetProperty("index").GetInt32()));
        Assert.All(choices, choice => Assert.Equal("You said: triple", choice.GetProperty("message").GetProperty("content").GetString()));
        Assert.Equal(9, Usage(json).Completion);
    }

    // ---- Chat completions: streaming ----

    [Fact]
    public async Task ChatCompletions_Stream_ChunksConcatenateToJsonContent()
    {
        const string Messages = """[{"role":"user","content":"stream these words"}]""";
        using var plain = await PostAsync("v1/chat/completions", $$"""{"model":"fake-gpt","messages":{{Messages}}}""");
        var expected = await JsonOf(plain);

        using var response = await PostAsync("v1/chat/completions", $$"""{"model":"fake-gpt","stream":true,"messages":{{Messages}}}""");
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var read = await ReadEventsAsync(response);

        Assert.Null(read.Failure);
        Assert.Equal("[DONE]", read.Events[^1]);
        var chunks = read.Events[..^1].Select(Parse).ToArray();
        Assert.Equal(1 + 5 + 1, chunks.Length);
        Assert.All(chunks, chunk =>
        {
            Assert.Equal(expected.GetProperty("id").GetString(), chunk.GetProperty("id").GetString());
            Assert.Equal("chat.completion.chunk", chunk.GetProperty("object").GetString());
            Assert.Equal(1700000000, chunk.GetProperty("created").GetInt64());
            Assert.Equal("fake-gpt", chunk.GetProperty("model").GetString());
            Assert.False(chunk.TryGetProperty("usage", out _));
        });
        Assert.Equal("""{"role":"assistant","content":""}""", Delta(chunks[0]).GetRawText());
        Assert.Equal(["You ", "said: ", "stream ", "these ", "words"], chunks[1..^1].Select(chunk => Delta(chunk).GetProperty("content").GetString()));
        Assert.Equal(ContentOf(expected), string.Concat(chunks.Select(chunk => Delta(chunk).TryGetProperty("content", out var text) ? text.GetString() : "")));
        Assert.Equal("{}", Delta(chunks[^1]).GetRawText());
        Assert.Equal("stop", chunks[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.All(chunks[..^1], chunk => Assert.Equal(JsonValueKind.Null, chunk.GetProperty("choices")[0].GetProperty("finish_reason").ValueKind));
    }

    [Fact]
    public async Task ChatCompletions_StreamWithIncludeUsage_SendsUsageChunkBeforeDone()
    {
        using var response = await PostAsync("v1/chat/completions", """
            {"model":"fake-gpt","stream":true,"stream_options":{"include_usage":true},"max_tokens":3,
             "messages":[{"role":"user","content":"count my tokens please"}]}
            """);
        var read = await ReadEventsAsync(response);

        Assert.Equal("[DONE]", read.Events[^1]);
        var chunks = read.Events[..^1].Select(Parse).ToArray();
        var usageChunk = chunks[^1];
        Assert.Empty(usageChunk.GetProperty("choices").EnumerateArray());
        Assert.Equal((13, 3, 16), Usage(usageChunk));
        Assert.All(chunks[..^1], chunk => Assert.Equal(JsonValueKind.Null, chunk.GetProperty("usage").ValueKind));
        Assert.Equal("length", chunks[^2].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task ChatCompletions_StreamWithNChoices_InterleavesChoicesPerWord()
    {
        using var response = await PostAsync("v1/chat/completions", """{"model":"fake-gpt","stream":true,"n":2,"messages":[{"role":"user","content":"x"}]}""");
        var chunks = (await ReadEventsAsync(response)).Events[..^1].Select(Parse).ToArray();

        Assert.Equal([0, 1, 0, 1, 0, 1, 0, 1, 0, 1], chunks.Select(chunk => chunk.GetProperty("choices")[0].GetProperty("index").GetInt32()));
        Assert.Equal("You said: x", string.Concat(chunks.Where(chunk => chunk.GetProperty("choices")[0].GetProperty("index").GetInt32() == 1)
            .Select(chunk => Delta(chunk).TryGetProperty("content", out var text) ? text.GetString() : "")));
    }

    // ---- Faults ----

    [Theory]
    [InlineData(400, "invalid_request_error")]
    [InlineData(404, "invalid_request_error")]
    [InlineData(429, "rate_limit_error")]
    [InlineData(500, "server_error")]
    [InlineData(503, "server_error")]
    public async Task ChatCompletions_StatusDirective_ReturnsOpenAiErrorOfThatType(int status, string type)
    {
        using var response = await PostAsync("v1/chat/completions", $$"""{"model":"fake-gpt|status={{status}}","messages":[]}""");

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(
            $$$"""{"error":{"message":"fake upstream error {{{status}}}","type":"{{{type}}}","param":null,"code":null}}""",
            await response.Content.ReadAsStringAsync());
        Assert.False(response.Headers.Contains("Retry-After"));
    }

    [Fact]
    public async Task ChatCompletions_StatusWithRetryAfter_SendsBothRetryHeaders()
    {
        using var response = await PostAsync("v1/chat/completions", """{"model":"fake-gpt|status=503|retry-after=2|retry-after-ms=1500","messages":[]}""");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(2), response.Headers.RetryAfter?.Delta);
        Assert.Equal("1500", Assert.Single(response.Headers.GetValues("retry-after-ms")));
    }

    [Fact]
    public async Task ChatCompletions_RetryAfterHttpDate_IsSentAsGiven()
    {
        using var response = await PostAsync("v1/chat/completions", """{"model":"fake-gpt","messages":[]}""",
            fault: "status=429;retry-after=Wed, 21 Oct 2026 07:28:00 GMT");

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(new DateTimeOffset(2026, 10, 21, 7, 28, 0, TimeSpan.Zero), response.Headers.RetryAfter?.Date);
    }

    [Fact]
    public async Task ChatCompletions_HeaderAndModelDirectives_HeaderWins()
    {
        using var response = await PostAsync("v1/chat/completions", """{"model":"fake-gpt|status=503|retry-after=9","messages":[]}""",
            fault: "status=429;retry-after-ms=50");

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("rate_limit_error", (await JsonOf(response)).GetProperty("error").GetProperty("type").GetString());
        Assert.Equal(TimeSpan.FromSeconds(9), response.Headers.RetryAfter?.Delta);
        Assert.Equal("50", Assert.Single(response.Headers.GetValues("retry-after-ms")));
    }

    [Fact]
    public async Task ChatCompletions_ScenarioWithTimes_FailsOnlyFirstRequests()
    {
        var scenario = $"retry-{Guid.NewGuid():N}";
        var statuses = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await PostAsync("v1/chat/completions",
                $$"""{"model":"fake-gpt|scenario={{scenario}}|times=2|status=500|retry-after=1","messages":[{"role":"user","content":"try"}]}""");
            statuses.Add((int)response.StatusCode);
            Assert.Equal(i < 2, response.Headers.Contains("Retry-After"));
        }

        Assert.Equal([500, 500, 200, 200], statuses);
        var entries = Server.Journal.ForScenario(scenario);
        Assert.Equal([500, 500, 200, 200], entries.Select(entry => entry.StatusCode ?? 0));
        Assert.Equal(entries.Select(entry => entry.Sequence).Order(), entries.Select(entry => entry.Sequence));
    }

    [Fact]
    public async Task ChatCompletions_ScenarioHeader_CountsPerScenarioId()
    {
        var first = $"a-{Guid.NewGuid():N}";
        var second = $"b-{Guid.NewGuid():N}";
        const string Body = """{"model":"fake-gpt|times=1|status=502","messages":[]}""";

        using var firstA = await PostAsync("v1/chat/completions", Body, scenario: first);
        using var firstB = await PostAsync("v1/chat/completions", Body, scenario: second);
        using var secondA = await PostAsync("v1/chat/completions", Body, scenario: first);

        Assert.Equal(HttpStatusCode.BadGateway, firstA.StatusCode);
        Assert.Equal(HttpStatusCode.BadGateway, firstB.StatusCode);
        Assert.Equal(HttpStatusCode.OK, secondA.StatusCode);
        Assert.Equal(2, Server.Journal.ForScenario(first).Count);
    }

    [Fact]
    public async Task ChatCompletions_ConcurrentScenarioRequests_FailExactlyTimes()
    {
        var scenario = $"burst-{Guid.NewGuid():N}";
        var body = $$"""{"model":"fake-gpt|scenario={{scenario}}|times=5|status=503","messages":[]}""";

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => PostAsync("v1/chat/completions", body)));

        Assert.Equal(5, responses.Count(response => response.StatusCode == HttpStatusCode.ServiceUnavailable));
        Assert.Equal(15, responses.Count(response => response.StatusCode == HttpStatusCode.OK));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task ResetScenarios_AfterTimesUsedUp_FailsAgain()
    {
        var body = $$"""{"model":"fake-gpt|scenario=reset-{{Guid.NewGuid():N}}|times=1|status=500","messages":[]}""";
        using var first = await PostAsync("v1/chat/completions", body);
        using var second = await PostAsync("v1/chat/completions", body);

        Server.ResetScenarios();
        using var third = await PostAsync("v1/chat/completions", body);

        Assert.Equal(
            new[] { HttpStatusCode.InternalServerError, HttpStatusCode.OK, HttpStatusCode.InternalServerError },
            [first.StatusCode, second.StatusCode, third.StatusCode]);
    }

    [Fact]
    public async Task ChatCompletions_CutAfter_ClientGetsFirstWordsThenBrokenConnection()
    {
        using var response = await PostAsync("v1/chat/completions", """{"model":"fake-gpt|cut-after=2","stream":true,"messages":[{"role":"user","content":"a b c d"}]}""");
        var read = await ReadEventsAsync(response);

        Assert.IsAssignableFrom<IOException>(read.Failure);
        Assert.DoesNotContain("[DONE]", read.Events);
        Assert.Equal(["", "You ", "said: "], read.Events.Select(data => Delta(Parse(data)).GetProperty("content").GetString()));
        var entry = await WaitForEntryAsync(candidate => candidate.Aborted);
        Assert.Equal(200, entry.StatusCode);
    }

    [Fact]
    public async Task ChatCompletions_CutAfterBeyondReply_CutsAfterLastWord()
    {
        using var response = await PostAsync("v1/chat/completions", """{"model":"fake-gpt|cut-after=50","stream":true,"messages":[{"role":"user","content":"short"}]}""");
        var read = await ReadEventsAsync(response);

        Assert.IsAssignableFrom<IOException>(read.Failure);
        Assert.Equal(1 + 3, read.Events.Length);
    }

    [Fact]
    public async Task ChatCompletions_MalformedAfter_SendsBrokenEventThenFinishes()
    {
        using var response = await PostAsync("v1/chat/completions", """{"model":"fake-gpt|malformed-after=1","stream":true,"messages":[{"role":"user","content":"x y"}]}""");
        var read = await ReadEventsAsync(response);

        Assert.Null(read.Failure);
        Assert.Equal("""{"id": "broken", "choices": [""", read.Events[2]);
        Assert.Throws<JsonException>(() => Parse(read.Events[2]));
        Assert.Equal("[DONE]", read.Events[^1]);
        var valid = read.Events.Where((_, index) => index != 2).SkipLast(1).Select(Parse).ToArray();
        Assert.Equal("You said: x y", string.Concat(valid.Select(chunk => Delta(chunk).TryGetProperty("content", out var text) ? text.GetString() : "")));
    }

    [Theory]
    [InlineData("malformed")]
    [InlineData("malformed=1")]
    public async Task ChatCompletions_Malformed_ReturnsFirstHalfOfBody(string directive)
    {
        using var normal = await PostAsync("v1/chat/completions", """{"model":"fake-gpt","messages":[{"role":"user","content":"break me"}]}""");
        using var broken = await PostAsync("v1/chat/completions", $$"""{"model":"fake-gpt|{{directive}}","messages":[{"role":"user","content":"break me"}]}""");

        var full = await normal.Content.ReadAsStringAsync();
        var half = await broken.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, broken.StatusCode);
        Assert.Equal("application/json", broken.Content.Headers.ContentType?.MediaType);
        Assert.Equal(full[..(Encoding.UTF8.GetByteCount(full) / 2)], half);
        Assert.ThrowsAny<JsonException>(() => Parse(half));
    }

    [Fact]
    public async Task ChatCompletions_StallAfter_GoesQuietThenAborts()
    {
        using var response = await PostAsync("v1/chat/completions", """{"model":"fake-gpt|stall-after=1|stall=300","stream":true,"messages":[{"role":"user","content":"wait"}]}""");
        var clock = Stopwatch.StartNew();
        var read = await ReadEventsAsync(response);
        clock.Stop();

        Assert.IsAssignableFrom<IOException>(read.Failure);
        Assert.Equal(["", "You "], read.Events.Select(data => Delta(Parse(data)).GetProperty("content").GetString()));
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(30));
        Assert.True((await WaitForEntryAsync(candidate => candidate.Aborted)).Aborted);
    }

    [Fact]
    public async Task ChatCompletions_Latency_DelaysResponse()
    {
        var clock = Stopwatch.StartNew();
        using var response = await PostAsync("v1/chat/completions", """{"model":"fake-gpt|latency=200","messages":[]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(190), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task ChatCompletions_LatencyThenClientCancels_JournalRecordsAborted()
    {
        var scenario = $"cancel-{Guid.NewGuid():N}";
        using var cancellation = new CancellationTokenSource();
        var call = PostAsync("v1/chat/completions", """{"model":"fake-gpt|latency=60000","messages":[]}""", scenario: scenario, cancellationToken: cancellation.Token);

        var waiting = await WaitForEntryAsync(entry => entry.ScenarioId == scenario);
        Assert.False(waiting.Aborted);
        Assert.Null(waiting.StatusCode);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        var aborted = await WaitForEntryAsync(entry => entry.ScenarioId == scenario && entry.Aborted);
        Assert.Null(aborted.StatusCode);
    }

    [Fact]
    public async Task ChatCompletions_ChunkDelay_SpacesEveryChunk()
    {
        var clock = Stopwatch.StartNew();
        using var response = await PostAsync("v1/chat/completions", """{"model":"fake-gpt|chunk-delay=60","stream":true,"messages":[{"role":"user","content":"go"}]}""");
        var read = await ReadEventsAsync(response);

        // role, 3 words, finish and [DONE]: five gaps of 60 ms.
        Assert.Equal(6, read.Events.Length);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(290), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task ChatCompletions_StreamFaultsWithoutStream_AreIgnored()
    {
        using var response = await PostAsync("v1/chat/completions", """{"model":"fake-gpt|cut-after=0|stall-after=0|malformed-after=0","messages":[{"role":"user","content":"fine"}]}""");

        Assert.Equal("You said: fine", ContentOf(await JsonOf(response)));
    }

    // ---- Invalid requests ----

    [Theory]
    [InlineData("fake-gpt|statsu=503", "", "statsu")]
    [InlineData("fake-gpt", "lantency=5", "lantency")]
    [InlineData("fake-gpt|status=abc", "", "status")]
    [InlineData("fake-gpt|status=200", "", "status")]
    [InlineData("fake-gpt|times=2|status=500", "", "times")]
    [InlineData("fake-gpt|stall=10", "", "stall")]
    [InlineData("fake-gpt|retry-after=soon", "", "retry-after")]
    public async Task ChatCompletions_BadDirective_Returns400NamingIt(string model, string fault, string named)
    {
        using var response = await PostAsync("v1/chat/completions", $$"""{"model":"{{model}}","messages":[]}""", fault: fault.Length == 0 ? null : fault);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await JsonOf(response)).GetProperty("error");
        Assert.Contains($"'{named}'", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("{not json", null)]
    [InlineData("[1,2]", null)]
    [InlineData("""{"messages":[]}""", "model")]
    [InlineData("""{"model":"|status=500","messages":[]}""", "model")]
    [InlineData("""{"model":"fake-gpt"}""", "messages")]
    [InlineData("""{"model":"fake-gpt","messages":[],"n":0}""", "n")]
    [InlineData("""{"model":"fake-gpt","messages":[{"content":"no role"}]}""", "messages[0]")]
    public async Task ChatCompletions_InvalidBody_Returns400(string body, string? param)
    {
        using var response = await PostAsync("v1/chat/completions", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await JsonOf(response)).GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal(param, error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task ChatCompletions_InvalidApiKey_Returns401()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = new StringContent("""{"model":"fake-gpt|status=500","messages":[]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "sk-fake-invalid");
        using var response = await Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(
            """{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}""",
            await response.Content.ReadAsStringAsync());
    }

    // ---- Legacy completions ----

    [Fact]
    public async Task Completions_StringPrompt_EchoesPrompt()
    {
        using var response = await PostAsync("v1/completions", """{"model":"fake-gpt","prompt":"say this"}""");

        var json = await JsonOf(response);
        Assert.Matches("^cmpl-fake-[0-9a-f]{16}$", json.GetProperty("id").GetString());
        Assert.Equal("text_completion", json.GetProperty("object").GetString());
        Assert.Equal("fake-gpt", json.GetProperty("model").GetString());
        var choice = Assert.Single(json.GetProperty("choices").EnumerateArray());
        Assert.Equal("""{"text":"You said: say this","index":0,"logprobs":null,"finish_reason":"stop"}""", choice.GetRawText());
        Assert.Equal((2, 4, 6), Usage(json));
    }

    [Fact]
    public async Task Completions_PromptArrayWithN_ReturnsChoicesPerPrompt()
    {
        using var response = await PostAsync("v1/completions", """{"model":"fake-gpt","prompt":["first","second one"],"n":2,"max_tokens":3}""");

        var json = await JsonOf(response);
        Assert.Equal(
            ["You said: first", "You said: first", "You said: second", "You said: second"],
            json.GetProperty("choices").EnumerateArray().Select(choice => choice.GetProperty("text").GetString()));
        Assert.Equal(
            ["stop", "stop", "length", "length"],
            json.GetProperty("choices").EnumerateArray().Select(choice => choice.GetProperty("finish_reason").GetString()));
        Assert.Equal((2 + 3, 12, 17), Usage(json));
    }

    [Fact]
    public async Task Completions_StreamWithIncludeUsage_ChunksConcatenateToText()
    {
        using var response = await PostAsync("v1/completions", """{"model":"fake-gpt","prompt":"stream it","stream":true,"stream_options":{"include_usage":true}}""");
        var read = await ReadEventsAsync(response);

        Assert.Equal("[DONE]", read.Events[^1]);
        var chunks = read.Events[..^1].Select(Parse).ToArray();
        Assert.All(chunks, chunk => Assert.Equal("text_completion", chunk.GetProperty("object").GetString()));
        Assert.Equal("You said: stream it", string.Concat(chunks[..^1].Select(chunk => chunk.GetProperty("choices")[0].GetProperty("text").GetString())));
        Assert.Equal("stop", chunks[^2].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal((3, 4, 7), Usage(chunks[^1]));
    }

    // ---- Embeddings ----

    [Fact]
    public async Task Embeddings_FloatFormat_ReturnsDeterministicUnitVectors()
    {
        const string Body = """{"model":"fake-embed","input":["alpha","beta"]}""";
        using var first = await PostAsync("v1/embeddings", Body);
        using var second = await PostAsync("v1/embeddings", Body);

        var text = await first.Content.ReadAsStringAsync();
        Assert.Equal(text, await second.Content.ReadAsStringAsync());
        var json = Parse(text);
        Assert.Equal("list", json.GetProperty("object").GetString());
        Assert.Equal("fake-embed", json.GetProperty("model").GetString());
        Assert.Equal("""{"prompt_tokens":3,"total_tokens":3}""", json.GetProperty("usage").GetRawText());
        var vectors = Vectors(json);
        Assert.Equal(2, vectors.Length);
        Assert.All(vectors, vector =>
        {
            Assert.Equal(8, vector.Length);
            Assert.All(vector, value => Assert.InRange(value, -1f, 1f));
            Assert.Equal(1.0, Math.Sqrt(vector.Sum(value => (double)value * value)), precision: 5);
        });
        Assert.NotEqual(vectors[0], vectors[1]);
        Assert.Equal([0, 1], json.GetProperty("data").EnumerateArray().Select(item => item.GetProperty("index").GetInt32()));
    }

    [Fact]
    public async Task Embeddings_Base64Format_DecodesToTheFloatVector()
    {
        using var floats = await PostAsync("v1/embeddings", """{"model":"fake-embed","input":"same text","dimensions":16}""");
        using var base64 = await PostAsync("v1/embeddings", """{"model":"fake-embed","input":"same text","dimensions":16,"encoding_format":"base64"}""");

        var expected = Assert.Single(Vectors(await JsonOf(floats)));
        var encoded = (await JsonOf(base64)).GetProperty("data")[0].GetProperty("embedding").GetString()!;
        var bytes = Convert.FromBase64String(encoded);
        var decoded = Enumerable.Range(0, bytes.Length / 4)
            .Select(i => System.Buffers.Binary.BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * 4)))
            .ToArray();
        Assert.Equal(16, expected.Length);
        Assert.Equal(expected, decoded);
    }

    [Theory]
    [InlineData("[1,2,3]", 1, 3)]
    [InlineData("[[1,2,3],[4,5]]", 2, 5)]
    public async Task Embeddings_TokenArrays_CountOneTokenPerId(string input, int count, int tokens)
    {
        using var response = await PostAsync("v1/embeddings", $$"""{"model":"fake-embed","input":{{input}}}""");

        var json = await JsonOf(response);
        Assert.Equal(count, json.GetProperty("data").GetArrayLength());
        Assert.Equal(tokens, json.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
    }

    [Theory]
    [InlineData("""{"model":"fake-embed"}""", "input")]
    [InlineData("""{"model":"fake-embed","input":[]}""", "input")]
    [InlineData("""{"model":"fake-embed","input":"x","encoding_format":"hex"}""", "encoding_format")]
    public async Task Embeddings_InvalidBody_Returns400(string body, string param)
    {
        using var response = await PostAsync("v1/embeddings", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(param, (await JsonOf(response)).GetProperty("error").GetProperty("param").GetString());
    }

    // ---- Models ----

    [Fact]
    public async Task Models_Get_ListsFakeModels()
    {
        using var response = await Http.GetAsync("v1/models");

        Assert.Equal(
            """{"object":"list","data":[{"id":"fake-gpt","object":"model","created":1700000000,"owned_by":"fake"},{"id":"fake-gpt-mini","object":"model","created":1700000000,"owned_by":"fake"},{"id":"fake-embed","object":"model","created":1700000000,"owned_by":"fake"}]}""",
            await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Models_StatusHeader_ReturnsError()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/models");
        request.Headers.Add("x-fake-fault", "status=500");
        using var response = await Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
    }

    // ---- Journal ----

    [Fact]
    public async Task Journal_Request_RecordsMethodPathHeadersBodyAndStatus()
    {
        const string Body = """{"model":"fake-gpt|status=418","messages":[]}""";
        var before = DateTimeOffset.UtcNow;
        using var request = new HttpRequestMessage(HttpMethod.Post, "openai/v1/chat/completions?api-version=1")
        {
            Content = new StringContent(Body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "sk-test");
        request.Headers.Add("x-trace", ["one", "two"]);
        using var response = await Http.SendAsync(request);

        var entry = Assert.Single(Server.Journal.Entries);
        Assert.Equal(1, entry.Sequence);
        Assert.InRange(entry.ReceivedAt, before.AddSeconds(-1), DateTimeOffset.UtcNow);
        Assert.Equal("POST", entry.Method);
        Assert.Equal("/openai/v1/chat/completions?api-version=1", entry.PathAndQuery);
        Assert.Equal("Bearer sk-test", entry.Headers["authorization"]);
        Assert.Equal("one, two", entry.Headers["X-Trace"]);
        Assert.Equal(Body, entry.Body);
        Assert.Null(entry.ScenarioId);
        Assert.Equal(418, entry.StatusCode);
        Assert.False(entry.Aborted);
    }

    [Fact]
    public async Task Journal_Clear_ForgetsEntriesButKeepsCounting()
    {
        using var first = await Http.GetAsync("v1/models");
        Server.Journal.Clear();
        Assert.Empty(Server.Journal.Entries);

        using var second = await Http.GetAsync("v1/models");

        Assert.Equal(2, Assert.Single(Server.Journal.Entries).Sequence);
    }

    [Fact]
    public async Task Journal_HttpApi_ListsByScenarioAndClears()
    {
        var scenario = $"http-{Guid.NewGuid():N}";
        using var tagged = await PostAsync("v1/chat/completions", """{"model":"fake-gpt","messages":[]}""", scenario: scenario);
        using var untagged = await Http.GetAsync("v1/models");

        using var filtered = await Http.GetAsync($"__fake/requests?scenario={scenario}");
        var entry = Assert.Single((await JsonOf(filtered)).EnumerateArray());
        Assert.Equal(scenario, entry.GetProperty("scenarioId").GetString());
        Assert.Equal("/v1/chat/completions", entry.GetProperty("pathAndQuery").GetString());
        Assert.Equal(200, entry.GetProperty("statusCode").GetInt32());
        Assert.Equal("""{"model":"fake-gpt","messages":[]}""", entry.GetProperty("body").GetString());

        using var all = await Http.GetAsync("__fake/requests");
        Assert.Equal(2, (await JsonOf(all)).GetArrayLength());

        using var cleared = await Http.DeleteAsync("__fake/requests");
        Assert.Equal(HttpStatusCode.NoContent, cleared.StatusCode);
        Assert.Empty(Server.Journal.Entries);
    }

    // ---- Official OpenAI SDK against the fake ----

    [Fact]
    public async Task OpenAiSdk_CompleteChat_ParsesReplyAndUsage()
    {
        var client = new ChatClient("fake-gpt", new ApiKeyCredential("sk-test"), SdkOptions());

        ChatCompletion completion = await client.CompleteChatAsync([new UserChatMessage("hello sdk")]);

        Assert.Equal("You said: hello sdk", Assert.Single(completion.Content).Text);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal(4, completion.Usage.OutputTokenCount);
        Assert.Equal("fake-gpt", completion.Model);
    }

    [Fact]
    public async Task OpenAiSdk_CompleteChatStreaming_ConcatenatesToReply()
    {
        var client = new ChatClient("fake-gpt", new ApiKeyCredential("sk-test"), SdkOptions());
        var text = new StringBuilder();
        ChatTokenUsage? usage = null;

        await foreach (var update in client.CompleteChatStreamingAsync(
            [new UserChatMessage("stream via sdk")]))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            usage ??= update.Usage;
        }

        Assert.Equal("You said: stream via sdk", text.ToString());
        Assert.Equal(5, usage?.OutputTokenCount);
    }

    [Fact]
    public async Task OpenAiSdk_GenerateEmbedding_DecodesUnitVector()
    {
        var client = new EmbeddingClient("fake-embed", new ApiKeyCredential("sk-test"), SdkOptions());

        OpenAIEmbedding embedding = await client.GenerateEmbeddingAsync("embed me");

        var vector = embedding.ToFloats().ToArray();
        Assert.Equal(8, vector.Length);
        Assert.Equal(1.0, Math.Sqrt(vector.Sum(value => (double)value * value)), precision: 5);
    }

    // ---- helpers ----

    private OpenAIClientOptions SdkOptions() => new() { Endpoint = new Uri(Server.BaseAddress, "v1") };

    private async Task<HttpResponseMessage> PostAsync(
        string path, string body, string? fault = null, string? scenario = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (fault is not null)
        {
            request.Headers.Add("x-fake-fault", fault);
        }

        if (scenario is not null)
        {
            request.Headers.Add("x-fake-scenario", scenario);
        }

        // Headers only, so stream tests read the events as they arrive and see a cut as it happens.
        return await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    private async Task<JournalEntry> WaitForEntryAsync(Func<JournalEntry, bool> predicate)
    {
        JournalEntry? match = null;
        if (!await Eventually.TryUntilAsync(() => Task.FromResult((match = Server.Journal.Entries.FirstOrDefault(predicate)) is not null), PollDeadline, TimeSpan.FromMilliseconds(20)))
        {
            Assert.Fail($"no journal entry matched within {PollDeadline}; entries: {string.Join("; ", Server.Journal.Entries)}");
        }

        return match!;
    }

    private static float[][] Vectors(JsonElement body) =>
        [.. body.GetProperty("data").EnumerateArray().Select(item => item.GetProperty("embedding").EnumerateArray().Select(value => value.GetSingle()).ToArray())];
}
