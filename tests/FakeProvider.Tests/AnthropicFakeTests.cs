using System.Net;
using System.Text;
using System.Text.Json;
using static Switchyard.FakeProvider.Tests.FakeReading;

namespace Switchyard.FakeProvider.Tests;

/// <summary>The FakeProvider's Anthropic Messages format: <c>POST …/messages</c> and <c>…/messages/count_tokens</c>.</summary>
public sealed class AnthropicFakeTests : FakeServerTests
{
    [Fact]
    public async Task Messages_Text_AnswersAnAnthropicMessage()
    {
        using var response = await PostAsync("v1/messages", """{"model":"claude-fake","max_tokens":100,"system":"Be brief.","messages":[{"role":"user","content":"hello there"}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(
            """{"id":"msg_fake_a20b28b594b38447","type":"message","role":"assistant","model":"claude-fake","content":[{"type":"text","text":"You said: hello there"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":17,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":4}}""",
            await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Messages_Headers_AreJournaled()
    {
        using var response = await PostAsync("v1/messages", """{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""", beta: "prompt-caching-2024-07-31");

        var entry = Assert.Single(Server.Journal.Entries);
        Assert.Equal("sk-ant-fake", entry.Headers["x-api-key"]);
        Assert.Equal("2023-06-01", entry.Headers["anthropic-version"]);
        Assert.Equal("prompt-caching-2024-07-31", entry.Headers["anthropic-beta"]);
        Assert.Equal("/v1/messages", entry.PathAndQuery);
    }

    [Fact]
    public async Task Messages_BearerKey_IsAcceptedLikeTheOfficialSdkSendsIt()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/messages")
        {
            Content = new StringContent("""{"model":"m","max_tokens":5,"messages":[{"role":"system","content":"rules"},{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Authorization", "Bearer sk-ant-fake");
        request.Headers.Add("anthropic-version", "2026-10-21");

        using var response = await Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("You said: hi", (await JsonOf(response)).GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Theory]
    [InlineData(null, "2023-06-01", 401, "authentication_error", "x-api-key header is required")]
    [InlineData("sk-fake-invalid", "2023-06-01", 401, "authentication_error", "invalid x-api-key")]
    [InlineData("sk-ant-fake", null, 400, "invalid_request_error", "anthropic-version: header is required")]
    public async Task Messages_MissingOrBadHeaders_AreRefusedInAnthropicShape(string? key, string? version, int status, string type, string message)
    {
        using var response = await PostAsync("v1/messages", """{"model":"m","max_tokens":5,"messages":[]}""", key: key, version: version);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal($$$"""{"type":"error","error":{"type":"{{{type}}}","message":"{{{message}}}"}}""", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("""{"model":"m","messages":[]}""", "max_tokens: Field required")]
    [InlineData("""{"model":"m","max_tokens":0,"messages":[]}""", "max_tokens: Input should be a valid integer greater than or equal to 1")]
    [InlineData("""{"max_tokens":1,"messages":[]}""", "model: Field required")]
    [InlineData("""{"model":"m","max_tokens":1}""", "messages: Field required")]
    [InlineData("""{"model":"m","max_tokens":1,"messages":[{"role":"tool","content":"x"}]}""", "messages.0.role: Input should be 'user', 'assistant' or 'system'")]
    [InlineData("""{"model":"m|statsu=1","max_tokens":1,"messages":[]}""", "model: unknown fault directive 'statsu'")]
    public async Task Messages_InvalidBody_Is400InAnthropicShape(string body, string message)
    {
        using var response = await PostAsync("v1/messages", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await JsonOf(response)).GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.StartsWith(message, error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Messages_MaxTokens_CutsTheReplyWithMaxTokensStop()
    {
        using var response = await PostAsync("v1/messages", """{"model":"m","max_tokens":2,"messages":[{"role":"user","content":"hello there"}]}""");

        var json = await JsonOf(response);
        Assert.Equal("You said:", json.GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal("max_tokens", json.GetProperty("stop_reason").GetString());
        Assert.Equal(2, json.GetProperty("usage").GetProperty("output_tokens").GetInt32());
    }

    [Fact]
    public async Task Messages_Tools_CallsTheFirstToolWithTheUserText()
    {
        using var response = await PostAsync("v1/messages", """
            {"model":"claude-fake","max_tokens":100,"messages":[{"role":"user","content":"weather in Oslo"}],
             "tools":[{"name":"get_weather","input_schema":{"type":"object"}},{"name":"other","input_schema":{"type":"object"}}]}
            """);

        Assert.Equal(
            """{"id":"msg_fake_cd812f9479f47caf","type":"message","role":"assistant","model":"claude-fake","content":[{"type":"tool_use","id":"toolu_8ef47c0ae5fec3fb","name":"get_weather","input":{"text":"weather in Oslo"}}],"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":11,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":7}}""",
            await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("""{"type":"tool","name":"other"}""", "other")]
    [InlineData("""{"type":"any"}""", "get_weather")]
    public async Task Messages_ToolChoice_PicksTheTool(string choice, string expected)
    {
        using var response = await PostAsync("v1/messages", $$$"""
            {"model":"m","max_tokens":100,"messages":[{"role":"user","content":"hi"}],"tool_choice":{{{choice}}},
             "tools":[{"name":"get_weather","input_schema":{"type":"object"}},{"name":"other","input_schema":{"type":"object"}}]}
            """);

        Assert.Equal(expected, (await JsonOf(response)).GetProperty("content")[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task Messages_ToolChoiceNone_AnswersWithText()
    {
        using var response = await PostAsync("v1/messages", """
            {"model":"m","max_tokens":100,"messages":[{"role":"user","content":"hi"}],"tool_choice":{"type":"none"},"tools":[{"name":"f","input_schema":{"type":"object"}}]}
            """);

        Assert.Equal("You said: hi", (await JsonOf(response)).GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task Messages_ToolResult_IsAnsweredFromTheResult()
    {
        using var response = await PostAsync("v1/messages", """
            {"model":"m","max_tokens":100,"tools":[{"name":"get_weather","input_schema":{"type":"object"}}],"messages":[
              {"role":"user","content":"weather in Oslo"},
              {"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"text":"Oslo"}}]},
              {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":[{"type":"text","text":"sunny"}]}]}]}
            """);

        var json = await JsonOf(response);
        Assert.Equal("Tool said: sunny", json.GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal("end_turn", json.GetProperty("stop_reason").GetString());
    }

    [Fact]
    public async Task Messages_Images_AreCounted()
    {
        using var response = await PostAsync("v1/messages", """
            {"model":"m","max_tokens":100,"messages":[{"role":"user","content":[{"type":"text","text":"look"},
              {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBOR"}},
              {"type":"image","source":{"type":"url","url":"https://example.com/a.png"}}]}]}
            """);

        Assert.Equal("You said: look [2 images]", (await JsonOf(response)).GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task Messages_Stream_SendsAnthropicEventsInOrder()
    {
        using var response = await PostAsync("v1/messages", """{"model":"claude-fake","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(
            """
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_fake_1c32aa80d435b3b4","type":"message","role":"assistant","model":"claude-fake","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":8,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}}

            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

            event: ping
            data: {"type":"ping"}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"You "}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"said: "}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi"}}

            event: content_block_stop
            data: {"type":"content_block_stop","index":0}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":3}}

            event: message_stop
            data: {"type":"message_stop"}


            """,
            await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Messages_StreamedToolUse_InputArrivesInPiecesThatJoinUp()
    {
        using var response = await PostAsync("v1/messages", """
            {"model":"m","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"weather in Oslo"}],"tools":[{"name":"get_weather","input_schema":{"type":"object"}}]}
            """);
        var events = await ReadEventsAsync(response);

        Assert.Null(events.Failure);
        Assert.Equal(
            ["message_start", "content_block_start", "ping", "content_block_delta", "content_block_delta", "content_block_delta", "content_block_delta", "content_block_stop", "message_delta", "message_stop"],
            events.Names);
        Assert.Equal("tool_use", events.Data[1].GetProperty("content_block").GetProperty("type").GetString());
        var input = string.Concat(events.Data.Where(d => d.GetProperty("type").GetString() == "content_block_delta").Select(d => d.GetProperty("delta").GetProperty("partial_json").GetString()));
        Assert.Equal("""{"text":"weather in Oslo"}""", input);
        Assert.Equal("tool_use", events.Data[^2].GetProperty("delta").GetProperty("stop_reason").GetString());
    }

    [Fact]
    public async Task Messages_StatusFault_AnswersAnthropicErrorWithRetryAfter()
    {
        using var response = await PostAsync("v1/messages", """{"model":"m|status=429|retry-after=3","max_tokens":5,"messages":[]}""");

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("3", response.Headers.GetValues("Retry-After").Single());
        Assert.Equal("""{"type":"error","error":{"type":"rate_limit_error","message":"fake upstream error 429"}}""", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(500, "api_error")]
    [InlineData(529, "overloaded_error")]
    [InlineData(403, "permission_error")]
    public async Task Messages_StatusFaultFromHeader_UsesAnthropicErrorTypes(int status, string type)
    {
        using var response = await PostAsync("v1/messages", """{"model":"m","max_tokens":5,"stream":true,"messages":[]}""", fault: $"status={status}");

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(type, (await JsonOf(response)).GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task Messages_CutAfter_BreaksTheStreamAfterThatManyWords()
    {
        using var response = await PostAsync("v1/messages", """{"model":"m|cut-after=1","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"a b c"}]}""");
        var events = await ReadEventsAsync(response);

        Assert.IsAssignableFrom<IOException>(events.Failure);
        Assert.Equal(["message_start", "content_block_start", "ping", "content_block_delta"], events.Names);
    }

    [Fact]
    public async Task Messages_CutAfterZero_SendsNoEvent()
    {
        List<string> names = [];
        try
        {
            using var response = await PostAsync("v1/messages", """{"model":"m|cut-after=0","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"a"}]}""");
            var events = await ReadEventsAsync(response);
            Assert.IsAssignableFrom<IOException>(events.Failure);
            names = events.Names;
        }
        catch (HttpRequestException)
        {
            // The reset can overtake the response headers; either way nothing of the stream arrived.
        }

        Assert.Empty(names);
        Assert.True(Assert.Single(Server.Journal.Entries).Aborted);
    }

    [Fact]
    public async Task Messages_MalformedAfter_SendsANamedBrokenDeltaThenFinishes()
    {
        using var response = await PostAsync("v1/messages", """{"model":"m|malformed-after=1","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"x"}]}""");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Contains("event: content_block_delta\ndata: {\"type\": \"content_block_delta\", \"index\": 0, \"delta\": {\n\n", text, StringComparison.Ordinal);
        Assert.EndsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Messages_StallAfter_GoesQuietThenAborts()
    {
        using var response = await PostAsync("v1/messages", """{"model":"m|stall-after=1|stall=100","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"x"}]}""");
        var events = await ReadEventsAsync(response);

        Assert.IsAssignableFrom<IOException>(events.Failure);
        Assert.Equal("content_block_delta", events.Names[^1]);
    }

    [Fact]
    public async Task Messages_Words_GeneratesThatManyWords()
    {
        using var response = await PostAsync("v1/messages", """{"model":"m|words=6","max_tokens":100,"messages":[{"role":"user","content":"x"}]}""");

        var json = await JsonOf(response);
        Assert.Equal(6, json.GetProperty("content")[0].GetProperty("text").GetString()!.Split(' ').Length);
        Assert.Equal(6, json.GetProperty("usage").GetProperty("output_tokens").GetInt32());
    }

    [Fact]
    public async Task Messages_Malformed_ReturnsHalfTheBody()
    {
        using var response = await PostAsync("v1/messages", """{"model":"m|malformed","max_tokens":100,"messages":[{"role":"user","content":"x"}]}""");

        var half = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(half));
    }

    [Fact]
    public async Task Messages_TimesInScenario_FailsThenRecovers()
    {
        const string body = """{"model":"m|status=529|times=1","max_tokens":5,"messages":[{"role":"user","content":"x"}]}""";
        var scenario = $"anthropic-{Guid.NewGuid():N}";

        using var first = await PostAsync("v1/messages", body, scenario: scenario);
        using var second = await PostAsync("v1/messages", body, scenario: scenario);

        Assert.Equal(529, (int)first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
    }

    [Fact]
    public async Task CountTokens_Body_AnswersTheSamePromptEstimateAsMessages()
    {
        const string conversation = "\"system\":\"Be brief.\",\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]";
        using var count = await PostAsync("v1/messages/count_tokens", $$$"""{"model":"m",{{{conversation}}}}""");
        using var message = await PostAsync("v1/messages", $$$"""{"model":"m","max_tokens":5,{{{conversation}}}}""");

        Assert.Equal(HttpStatusCode.OK, count.StatusCode);
        Assert.Equal("""{"input_tokens":17}""", await count.Content.ReadAsStringAsync());
        Assert.Equal(17, (await JsonOf(message)).GetProperty("usage").GetProperty("input_tokens").GetInt32());
    }

    [Fact]
    public async Task CountTokens_WithoutKey_Is401()
    {
        using var response = await PostAsync("v1/messages/count_tokens", """{"model":"m","messages":[]}""", key: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task CountTokens_StatusFault_AnswersAnthropicError()
    {
        using var response = await PostAsync("v1/messages/count_tokens", """{"model":"m|status=500","messages":[]}""");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("""{"type":"error","error":{"type":"api_error","message":"fake upstream error 500"}}""", await response.Content.ReadAsStringAsync());
    }

    private async Task<HttpResponseMessage> PostAsync(
        string path, string body, string? key = "sk-ant-fake", string? version = "2023-06-01", string? beta = null, string? fault = null, string? scenario = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        AddHeader(request, "x-api-key", key);
        AddHeader(request, "anthropic-version", version);
        AddHeader(request, "anthropic-beta", beta);
        AddHeader(request, "x-fake-fault", fault);
        AddHeader(request, "x-fake-scenario", scenario);
        return await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    private static void AddHeader(HttpRequestMessage request, string name, string? value)
    {
        if (value is not null)
        {
            request.Headers.Add(name, value);
        }
    }

    /// <summary>Event names and parsed data, read until the end or until the connection breaks.</summary>
    private static async Task<EventRead> ReadEventsAsync(HttpResponseMessage response)
    {
        var names = new List<string>();
        var data = new List<JsonElement>();
        try
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            while (await reader.ReadLineAsync() is { } line)
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    names.Add(line["event: ".Length..]);
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data.Add(JsonSerializer.Deserialize<JsonElement>(line["data: ".Length..]));
                }
            }
        }
        catch (IOException failure)
        {
            return new EventRead(names, data, failure);
        }

        return new EventRead(names, data, null);
    }

    private sealed record EventRead(List<string> Names, List<JsonElement> Data, IOException? Failure);
}
