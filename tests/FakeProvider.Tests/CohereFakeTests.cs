using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using static Switchyard.FakeProvider.Tests.FakeReading;

namespace Switchyard.FakeProvider.Tests;

/// <summary>The FakeProvider speaking Cohere's v2 API: <c>/v2/chat</c> and <c>/v2/embed</c>.</summary>
public sealed class CohereFakeTests : FakeServerTests
{
    private const string Hello = """{"model":"fake-command","messages":[{"role":"user","content":"hello there"}]}""";

    [Fact]
    public async Task Chat_Text_EchoesInCoheresShape()
    {
        using var response = await PostAsync("v2/chat", Hello);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var id = Parse(text).GetProperty("id").GetString()!;
        Assert.StartsWith("fake-", id, StringComparison.Ordinal);
        Assert.Equal(
            """{"id":"ID","message":{"role":"assistant","content":[{"type":"text","text":"You said: hello there"}]},"finish_reason":"COMPLETE","usage":{"billed_units":{"input_tokens":10,"output_tokens":4},"tokens":{"input_tokens":10,"output_tokens":4}}}""".Replace("ID", id, StringComparison.Ordinal),
            text);
    }

    [Theory]
    [InlineData(null, "no api key supplied")]
    [InlineData("sk-fake-invalid", "invalid api token")]
    public async Task Chat_MissingOrInvalidKey_Is401(string? key, string message)
    {
        using var response = await PostAsync("v2/chat", Hello, key: key);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(message, (await JsonOf(response)).GetProperty("message").GetString());
    }

    [Fact]
    public async Task Chat_MaxTokens_FinishesWithMaxTokens()
    {
        using var response = await PostAsync("v2/chat", """{"model":"fake-command","max_tokens":2,"messages":[{"role":"user","content":"hello there"}]}""");
        var json = await JsonOf(response);

        Assert.Equal("You said:", Text(json));
        Assert.Equal("MAX_TOKENS", json.GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task Chat_Tools_CallsTheFirstTool()
    {
        const string body = """
            {"model":"fake-command","messages":[{"role":"user","content":"weather in Oslo"}],
             "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{}}}}]}
            """;

        using var response = await PostAsync("v2/chat", body);
        var json = await JsonOf(response);

        Assert.Equal("TOOL_CALL", json.GetProperty("finish_reason").GetString());
        var call = json.GetProperty("message").GetProperty("tool_calls")[0];
        Assert.StartsWith("call_", call.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal("get_weather", call.GetProperty("function").GetProperty("name").GetString());
        Assert.Equal("""{"text":"weather in Oslo"}""", call.GetProperty("function").GetProperty("arguments").GetString());
    }

    [Fact]
    public async Task Chat_ToolChoiceNone_AnswersWithText()
    {
        const string body = """
            {"model":"fake-command","messages":[{"role":"user","content":"hi"}],"tool_choice":"NONE",
             "tools":[{"type":"function","function":{"name":"get_weather"}}]}
            """;

        using var response = await PostAsync("v2/chat", body);

        Assert.Equal("You said: hi", Text(await JsonOf(response)));
    }

    [Fact]
    public async Task Chat_ToolResult_IsAnsweredWithToolSaid()
    {
        const string body = """
            {"model":"fake-command","messages":[
              {"role":"user","content":"weather in Oslo"},
              {"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"get_weather","arguments":"{}"}}]},
              {"role":"tool","tool_call_id":"c1","content":[{"type":"document","document":{"data":"sunny"}}]}],
             "tools":[{"type":"function","function":{"name":"get_weather"}}]}
            """;

        using var response = await PostAsync("v2/chat", body);

        Assert.Equal("Tool said: sunny", Text(await JsonOf(response)));
    }

    [Fact]
    public async Task Chat_ImageParts_AreCounted()
    {
        const string body = """{"model":"fake-command","messages":[{"role":"user","content":[{"type":"text","text":"look"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]}]}""";

        using var response = await PostAsync("v2/chat", body);

        Assert.Equal("You said: look [1 image]", Text(await JsonOf(response)));
    }

    [Fact]
    public async Task Chat_OpenAiToolChoice_Is400()
    {
        using var response = await PostAsync("v2/chat", """{"model":"fake-command","messages":[{"role":"user","content":"hi"}],"tool_choice":"auto"}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid request: tool_choice must be REQUIRED or NONE.", (await JsonOf(response)).GetProperty("message").GetString());
    }

    [Theory]
    [InlineData(400)]
    [InlineData(429)]
    [InlineData(500)]
    public async Task Chat_StatusFault_AnswersCoheresError(int status)
    {
        using var response = await PostAsync("v2/chat", $$"""{"model":"fake-command|status={{status}}","messages":[{"role":"user","content":"hi"}]}""");
        var json = await JsonOf(response);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal($"fake upstream error {status}", json.GetProperty("message").GetString());
        Assert.True(json.TryGetProperty("id", out _));
    }

    [Fact]
    public async Task Chat_Stream_SendsCoheresEventsInOrder()
    {
        using var response = await PostAsync("v2/chat", """{"model":"fake-command","stream":true,"messages":[{"role":"user","content":"hello there"}]}""");
        var read = await ReadEventsAsync(response);

        Assert.Null(read.Failure);
        var events = read.Events.Select(Parse).ToArray();
        Assert.Equal(
            ["message-start", "content-start", "content-delta", "content-delta", "content-delta", "content-delta", "content-end", "message-end"],
            events.Select(e => e.GetProperty("type").GetString()));
        Assert.Equal(
            "You said: hello there",
            string.Concat(events.Where(e => e.GetProperty("type").GetString() == "content-delta")
                .Select(e => e.GetProperty("delta").GetProperty("message").GetProperty("content").GetProperty("text").GetString())));
        Assert.Equal(
            """{"finish_reason":"COMPLETE","usage":{"billed_units":{"input_tokens":10,"output_tokens":4},"tokens":{"input_tokens":10,"output_tokens":4}}}""",
            events[^1].GetProperty("delta").GetRawText());
    }

    [Fact]
    public async Task Chat_StreamedToolCall_ArgumentsAddUp()
    {
        const string body = """
            {"model":"fake-command","stream":true,"messages":[{"role":"user","content":"weather in Oslo"}],
             "tools":[{"type":"function","function":{"name":"get_weather"}}]}
            """;

        using var response = await PostAsync("v2/chat", body);
        var events = (await ReadEventsAsync(response)).Events.Select(Parse).ToArray();

        Assert.Equal(
            ["message-start", "tool-call-start", "tool-call-delta", "tool-call-delta", "tool-call-end", "message-end"],
            events.Select(e => e.GetProperty("type").GetString()));
        Assert.Equal("get_weather", events[1].GetProperty("delta").GetProperty("message").GetProperty("tool_calls").GetProperty("function").GetProperty("name").GetString());
        Assert.Equal(
            """{"text":"weather in Oslo"}""",
            string.Concat(events[2..4].Select(e => e.GetProperty("delta").GetProperty("message").GetProperty("tool_calls").GetProperty("function").GetProperty("arguments").GetString())));
        Assert.Equal("TOOL_CALL", events[^1].GetProperty("delta").GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task Chat_StreamCutAfter_BreaksBeforeMessageEnd()
    {
        using var response = await PostAsync("v2/chat", """{"model":"fake-command|cut-after=1","stream":true,"messages":[{"role":"user","content":"hello there"}]}""");
        var read = await ReadEventsAsync(response);

        Assert.IsAssignableFrom<IOException>(read.Failure);
        Assert.Equal(["message-start", "content-start", "content-delta"], read.Events.Select(e => Parse(e).GetProperty("type").GetString()));
    }

    [Fact]
    public async Task Chat_StreamCutAfterZero_SendsNoEvent()
    {
        // The reset may come before the response headers reach the client, or just after them: no event either way.
        string[] events;
        try
        {
            using var response = await PostAsync("v2/chat", """{"model":"fake-command|cut-after=0","stream":true,"messages":[{"role":"user","content":"hi"}]}""");
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
    public async Task Chat_StreamMalformedAfter_SendsABrokenEventThenFinishes()
    {
        using var response = await PostAsync("v2/chat", """{"model":"fake-command|malformed-after=1","stream":true,"messages":[{"role":"user","content":"hi"}]}""");
        var read = await ReadEventsAsync(response);

        Assert.Null(read.Failure);
        Assert.Equal("""{"type":"content-delta","delta":{""", read.Events[3]);
        Assert.Equal("message-end", Parse(read.Events[^1]).GetProperty("type").GetString());
    }

    [Fact]
    public async Task Embed_Vectors_MatchTheOpenAiFormats()
    {
        using var response = await PostAsync("v2/embed", """{"model":"fake-embed","texts":["alpha","beta"],"input_type":"search_document","embedding_types":["float"]}""");
        using var openAi = await PostAsync("v1/embeddings", """{"model":"fake-embed","input":["alpha"]}""");
        var json = await JsonOf(response);

        var vectors = json.GetProperty("embeddings").GetProperty("float");
        Assert.Equal(2, vectors.GetArrayLength());
        Assert.Equal(8, vectors[0].GetArrayLength());
        Assert.Equal((await JsonOf(openAi)).GetProperty("data")[0].GetProperty("embedding").GetRawText(), vectors[0].GetRawText());
        Assert.Equal(2 + 1, json.GetProperty("meta").GetProperty("billed_units").GetProperty("input_tokens").GetInt32());
    }

    [Fact]
    public async Task Embed_OutputDimension_SetsTheLength()
    {
        using var response = await PostAsync("v2/embed", """{"model":"fake-embed","texts":["a"],"input_type":"search_query","output_dimension":3}""");

        Assert.Equal(3, (await JsonOf(response)).GetProperty("embeddings").GetProperty("float")[0].GetArrayLength());
    }

    [Fact]
    public async Task Embed_WithoutInputType_Is400()
    {
        using var response = await PostAsync("v2/embed", """{"model":"fake-embed","texts":["a"]}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid request: valid input_type must be provided with the provided model", (await JsonOf(response)).GetProperty("message").GetString());
    }

    private async Task<HttpResponseMessage> PostAsync(string path, string body, string? key = "co-key")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    private static string Text(JsonElement response) =>
        response.GetProperty("message").GetProperty("content")[0].GetProperty("text").GetString()!;
}
