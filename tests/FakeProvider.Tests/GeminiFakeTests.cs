using System.Net;
using System.Text;
using System.Text.Json;
using static Switchyard.FakeProvider.Tests.FakeReading;

namespace Switchyard.FakeProvider.Tests;

/// <summary>The FakeProvider speaking Google's Gemini API: <c>models/{model}:generateContent</c> and friends.</summary>
public sealed class GeminiFakeTests : FakeServerTests
{
    private const string Hello = """{"contents":[{"role":"user","parts":[{"text":"hello there"}]}]}""";

    [Fact]
    public async Task GenerateContent_Text_EchoesInGeminisShape()
    {
        using var response = await PostAsync("v1beta/models/fake-gemini:generateContent", Hello);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var id = Parse(text).GetProperty("responseId").GetString()!;
        Assert.StartsWith("fake-", id, StringComparison.Ordinal);
        Assert.Equal(
            """{"candidates":[{"content":{"parts":[{"text":"You said: hello there"}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":4,"totalTokenCount":14},"modelVersion":"fake-gemini","responseId":"ID"}""".Replace("ID", id, StringComparison.Ordinal),
            text);
    }

    [Theory]
    [InlineData("v1beta/models/fake-gemini:generateContent")]
    [InlineData("v1/models/fake-gemini:generateContent")]
    [InlineData("models/fake-gemini:generateContent")]
    public async Task GenerateContent_AnyBasePath_IsServed(string path)
    {
        using var response = await PostAsync(path, Hello);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task GenerateContent_KeyInTheQuery_IsAccepted()
    {
        using var response = await PostAsync("v1beta/models/fake-gemini:generateContent?key=abc", Hello, key: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task GenerateContent_NoKey_Is403PermissionDenied()
    {
        using var response = await PostAsync("v1beta/models/fake-gemini:generateContent", Hello, key: null);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("PERMISSION_DENIED", (await JsonOf(response)).GetProperty("error").GetProperty("status").GetString());
    }

    [Fact]
    public async Task GenerateContent_InvalidKey_Is400InvalidArgument()
    {
        using var response = await PostAsync("v1beta/models/fake-gemini:generateContent", Hello, key: "sk-fake-invalid");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(
            """{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT"}}""",
            await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task GenerateContent_MaxOutputTokens_CutsWithMaxTokens()
    {
        const string body = """{"contents":[{"role":"user","parts":[{"text":"hello there"}]}],"generationConfig":{"maxOutputTokens":2}}""";

        using var response = await PostAsync("v1beta/models/fake-gemini:generateContent", body);
        var candidate = (await JsonOf(response)).GetProperty("candidates")[0];

        Assert.Equal("You said:", candidate.GetProperty("content").GetProperty("parts")[0].GetProperty("text").GetString());
        Assert.Equal("MAX_TOKENS", candidate.GetProperty("finishReason").GetString());
    }

    [Fact]
    public async Task GenerateContent_Tools_CallsTheFirstFunction()
    {
        const string body = """
            {"contents":[{"role":"user","parts":[{"text":"weather in Oslo"}]}],
             "tools":[{"functionDeclarations":[{"name":"get_weather"},{"name":"get_time"}]}]}
            """;

        using var response = await PostAsync("v1beta/models/fake-gemini:generateContent", body);
        var candidate = (await JsonOf(response)).GetProperty("candidates")[0];

        Assert.Equal(
            """{"functionCall":{"name":"get_weather","args":{"text":"weather in Oslo"}}}""",
            candidate.GetProperty("content").GetProperty("parts")[0].GetRawText());
        Assert.Equal("STOP", candidate.GetProperty("finishReason").GetString());
    }

    [Theory]
    [InlineData("""{"mode":"ANY","allowedFunctionNames":["get_time"]}""", "get_time")]
    [InlineData("""{"mode":"NONE"}""", null)]
    public async Task GenerateContent_ToolConfig_ForcesOrDisables(string config, string? called)
    {
        var body = """
            {"contents":[{"role":"user","parts":[{"text":"now"}]}],
             "tools":[{"functionDeclarations":[{"name":"get_weather"},{"name":"get_time"}]}],
             "toolConfig":{"functionCallingConfig":CONFIG}}
            """.Replace("CONFIG", config, StringComparison.Ordinal);

        using var response = await PostAsync("v1beta/models/fake-gemini:generateContent", body);
        var part = (await JsonOf(response)).GetProperty("candidates")[0].GetProperty("content").GetProperty("parts")[0];

        if (called is null)
        {
            Assert.Equal("You said: now", part.GetProperty("text").GetString());
        }
        else
        {
            Assert.Equal(called, part.GetProperty("functionCall").GetProperty("name").GetString());
        }
    }

    [Fact]
    public async Task GenerateContent_FunctionResponse_IsAnsweredWithToolSaid()
    {
        const string body = """
            {"contents":[
              {"role":"user","parts":[{"text":"weather in Oslo"}]},
              {"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"text":"Oslo"}}}]},
              {"role":"user","parts":[{"functionResponse":{"name":"get_weather","response":{"content":"sunny"}}}]}],
             "tools":[{"functionDeclarations":[{"name":"get_weather"}]}]}
            """;

        using var response = await PostAsync("v1beta/models/fake-gemini:generateContent", body);

        Assert.Equal("Tool said: sunny", Text(await JsonOf(response)));
    }

    [Fact]
    public async Task GenerateContent_InlineAndFileData_CountAsImages()
    {
        const string body = """
            {"systemInstruction":{"parts":[{"text":"Be brief."}]},
             "contents":[{"role":"user","parts":[{"text":"look"},{"inlineData":{"mimeType":"image/png","data":"AAAA"}},{"fileData":{"fileUri":"https://x/y.png"}}]}]}
            """;

        using var response = await PostAsync("v1beta/models/fake-gemini:generateContent", body);

        Assert.Equal("You said: look [2 images]", Text(await JsonOf(response)));
    }

    [Fact]
    public async Task GenerateContent_CandidateCount_GivesThatManyCandidates()
    {
        const string body = """{"contents":[{"role":"user","parts":[{"text":"hi"}]}],"generationConfig":{"candidateCount":3}}""";

        using var response = await PostAsync("v1beta/models/fake-gemini:generateContent", body);
        var json = await JsonOf(response);

        Assert.Equal([0, 1, 2], json.GetProperty("candidates").EnumerateArray().Select(c => c.GetProperty("index").GetInt32()));
        Assert.Equal(3 * 3, json.GetProperty("usageMetadata").GetProperty("candidatesTokenCount").GetInt32());
    }

    [Fact]
    public async Task GenerateContent_MissingContents_Is400()
    {
        using var response = await PostAsync("v1beta/models/fake-gemini:generateContent", "{}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("INVALID_ARGUMENT", (await JsonOf(response)).GetProperty("error").GetProperty("status").GetString());
    }

    [Theory]
    [InlineData(400, "INVALID_ARGUMENT")]
    [InlineData(401, "UNAUTHENTICATED")]
    [InlineData(429, "RESOURCE_EXHAUSTED")]
    [InlineData(500, "INTERNAL")]
    [InlineData(503, "UNAVAILABLE")]
    public async Task GenerateContent_StatusInTheEscapedModel_AnswersGooglesError(int status, string rpcStatus)
    {
        using var response = await PostAsync($"v1beta/models/fake-gemini%7Cstatus%3D{status}%7Cretry-after%3D2:generateContent", Hello);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("2", response.Headers.RetryAfter!.ToString());
        Assert.Equal(
            $$$"""{"error":{"code":{{{status}}},"message":"fake upstream error {{{status}}}","status":"{{{rpcStatus}}}"}}""",
            await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task GenerateContent_HeaderFault_Applies()
    {
        using var response = await PostAsync("v1beta/models/fake-gemini:generateContent", Hello, fault: "status=429");

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
    }

    [Fact]
    public async Task GenerateContent_UnknownDirective_Is400NamingIt()
    {
        using var response = await PostAsync("v1beta/models/fake-gemini%7Cstatsu%3D500:generateContent", Hello);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("'statsu'", (await JsonOf(response)).GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerateContent_Malformed_SendsHalfTheBody()
    {
        using var response = await PostAsync("v1beta/models/fake-gemini%7Cmalformed:generateContent", Hello);

        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.ThrowsAny<JsonException>(() => Parse(text));
    }

    [Fact]
    public async Task StreamGenerateContent_Words_EndWithTheFinishChunkAndNoDone()
    {
        using var response = await PostAsync("v1beta/models/fake-gemini:streamGenerateContent?alt=sse", Hello);
        var read = await ReadEventsAsync(response);

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        Assert.Null(read.Failure);
        var chunks = read.Events.Select(Parse).ToArray();
        Assert.Equal(["You ", "said: ", "hello ", "there", ""], chunks.Select(c => c.GetProperty("candidates")[0].GetProperty("content").GetProperty("parts")[0].GetProperty("text").GetString()));
        Assert.All(chunks[..^1], c => Assert.False(c.GetProperty("candidates")[0].TryGetProperty("finishReason", out _)));
        Assert.Equal("STOP", chunks[^1].GetProperty("candidates")[0].GetProperty("finishReason").GetString());
        Assert.Equal(
            """{"promptTokenCount":10,"candidatesTokenCount":4,"totalTokenCount":14}""",
            chunks[^1].GetProperty("usageMetadata").GetRawText());
    }

    [Fact]
    public async Task StreamGenerateContent_Tools_SendsTheWholeCallInTheLastChunk()
    {
        const string body = """{"contents":[{"role":"user","parts":[{"text":"weather in Oslo"}]}],"tools":[{"functionDeclarations":[{"name":"get_weather"}]}]}""";

        using var response = await PostAsync("v1beta/models/fake-gemini:streamGenerateContent?alt=sse", body);
        var read = await ReadEventsAsync(response);

        var chunk = Parse(Assert.Single(read.Events)).GetProperty("candidates")[0];
        Assert.Equal("get_weather", chunk.GetProperty("content").GetProperty("parts")[0].GetProperty("functionCall").GetProperty("name").GetString());
        Assert.Equal("STOP", chunk.GetProperty("finishReason").GetString());
    }

    [Fact]
    public async Task StreamGenerateContent_WithoutAltSse_Is400()
    {
        using var response = await PostAsync("v1beta/models/fake-gemini:streamGenerateContent", Hello);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task StreamGenerateContent_CutAfter_BreaksBeforeTheFinishChunk()
    {
        using var response = await PostAsync("v1beta/models/fake-gemini%7Ccut-after%3D2:streamGenerateContent?alt=sse", Hello);
        var read = await ReadEventsAsync(response);

        Assert.IsAssignableFrom<IOException>(read.Failure);
        Assert.Equal(2, read.Events.Length);
    }

    [Fact]
    public async Task StreamGenerateContent_CutAfterZero_SendsNoEvent()
    {
        // The reset may come before the response headers reach the client, or just after them: no event either way.
        string[] events;
        try
        {
            using var response = await PostAsync("v1beta/models/fake-gemini%7Ccut-after%3D0:streamGenerateContent?alt=sse", Hello);
            var read = await ReadEventsAsync(response);
            Assert.IsAssignableFrom<IOException>(read.Failure);
            events = read.Events;
        }
        catch (HttpRequestException)
        {
            events = [];
        }

        Assert.Empty(events);
    }

    [Fact]
    public async Task StreamGenerateContent_MalformedAfter_SendsABrokenChunkThenFinishes()
    {
        using var response = await PostAsync("v1beta/models/fake-gemini%7Cmalformed-after%3D1:streamGenerateContent?alt=sse", Hello);
        var read = await ReadEventsAsync(response);

        Assert.Null(read.Failure);
        Assert.Equal("""{"candidates": [""", read.Events[1]);
        Assert.Equal(4 + 1 + 1, read.Events.Length);
    }

    [Fact]
    public async Task BatchEmbedContents_Vectors_MatchTheOpenAiFormats()
    {
        const string gemini = """
            {"requests":[
              {"model":"models/fake-embed","content":{"parts":[{"text":"alpha"}]}},
              {"model":"models/fake-embed","content":{"parts":[{"text":"beta"}]},"outputDimensionality":4}]}
            """;

        using var response = await PostAsync("v1beta/models/fake-embed:batchEmbedContents", gemini);
        using var openAi = await PostAsync("v1/embeddings", """{"model":"fake-embed","input":["alpha"]}""", key: null);

        var embeddings = (await JsonOf(response)).GetProperty("embeddings");
        Assert.Equal(8, embeddings[0].GetProperty("values").GetArrayLength());
        Assert.Equal(4, embeddings[1].GetProperty("values").GetArrayLength());
        Assert.Equal(
            (await JsonOf(openAi)).GetProperty("data")[0].GetProperty("embedding").GetRawText(),
            embeddings[0].GetProperty("values").GetRawText());
    }

    [Fact]
    public async Task BatchEmbedContents_StatusFault_AnswersGooglesError()
    {
        using var response = await PostAsync("v1beta/models/fake-embed%7Cstatus%3D500:batchEmbedContents", """{"requests":[{"content":{"parts":[{"text":"a"}]}}]}""");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("fake upstream error 500", (await JsonOf(response)).GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task Journal_RecordsTheModelPathAndKey()
    {
        using var response = await PostAsync("v1beta/models/fake-gemini%7Cscenario%3Dg1:generateContent", Hello);

        var entry = Assert.Single(Server.Journal.ForScenario("g1"));
        Assert.StartsWith("/v1beta/models/fake-gemini", entry.PathAndQuery, StringComparison.Ordinal);
        Assert.EndsWith("scenario=g1:generateContent", entry.PathAndQuery, StringComparison.Ordinal);
        Assert.Equal("g-key", entry.Headers["x-goog-api-key"]);
    }

    private async Task<HttpResponseMessage> PostAsync(string path, string body, string? key = "g-key", string? fault = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (key is not null)
        {
            request.Headers.Add("x-goog-api-key", key);
        }

        if (fault is not null)
        {
            request.Headers.Add("x-fake-fault", fault);
        }

        return await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    private static string Text(JsonElement response) =>
        response.GetProperty("candidates")[0].GetProperty("content").GetProperty("parts")[0].GetProperty("text").GetString()!;
}
