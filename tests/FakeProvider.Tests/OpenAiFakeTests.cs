using System.Net;
using System.Text;
using System.Text.Json;

using static Switchyard.FakeProvider.Tests.FakeReading;

namespace Switchyard.FakeProvider.Tests;

/// <summary>The OpenAI chat format's side of the fake's shared rule book: tools, tool results and images.</summary>
public sealed class OpenAiFakeTests : FakeServerTests
{
    private const string WeatherTools = """
        "tools":[
          {"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}},
          {"type":"function","function":{"name":"get_time"}}]
        """;

    private const string Oslo = """[{"role":"user","content":"weather in Oslo"}]""";

    // {"text":"weather in Oslo"} is 26 characters: 7 completion tokens. "weather in Oslo" is 15: 4 + 4 + 3 = 11 prompt tokens.
    private const string OsloArguments = """{"text":"weather in Oslo"}""";

    // ---- Tools ----

    [Fact]
    public async Task ChatCompletions_ToolsOffered_CallsFirstToolWithNullContent()
    {
        using var response = await PostAsync($$"""{"model":"fake-gpt","messages":{{Oslo}},{{WeatherTools}}}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await JsonOf(response);
        var choice = Assert.Single(json.GetProperty("choices").EnumerateArray());
        Assert.Equal("tool_calls", choice.GetProperty("finish_reason").GetString());
        var message = choice.GetProperty("message");
        var id = ToolCallId(message.GetProperty("tool_calls")[0]);
        Assert.Equal(
            $$$"""{"role":"assistant","content":null,"tool_calls":[{"id":"{{{id}}}","type":"function","function":{"name":"get_weather","arguments":"{\"text\":\"weather in Oslo\"}"}}],"refusal":null}""",
            message.GetRawText());
        Assert.Equal((11, 7, 18), Usage(json));
    }

    [Fact]
    public async Task ChatCompletions_SameToolRequestTwice_ReturnsSameCallId()
    {
        var body = $$"""{"model":"fake-gpt","messages":{{Oslo}},{{WeatherTools}}}""";
        using var first = await PostAsync(body);
        using var second = await PostAsync(body);

        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ChatCompletions_ToolChoiceNamesFunction_CallsThatTool()
    {
        using var response = await PostAsync(
            $$$"""{"model":"fake-gpt","tool_choice":{"type":"function","function":{"name":"get_time"}},"messages":{{{Oslo}}},{{{WeatherTools}}}}""");

        var call = (await JsonOf(response)).GetProperty("choices")[0].GetProperty("message").GetProperty("tool_calls")[0];
        Assert.Equal("get_time", call.GetProperty("function").GetProperty("name").GetString());
        Assert.Equal(OsloArguments, call.GetProperty("function").GetProperty("arguments").GetString());
    }

    [Theory]
    [InlineData("\"auto\"")]
    [InlineData("\"required\"")]
    public async Task ChatCompletions_ToolChoiceAutoOrRequired_CallsFirstTool(string toolChoice)
    {
        using var response = await PostAsync($$"""{"model":"fake-gpt","messages":{{Oslo}},{{WeatherTools}},"tool_choice":{{toolChoice}}}""");

        var choice = (await JsonOf(response)).GetProperty("choices")[0];
        Assert.Equal("tool_calls", choice.GetProperty("finish_reason").GetString());
        Assert.Equal("get_weather", choice.GetProperty("message").GetProperty("tool_calls")[0].GetProperty("function").GetProperty("name").GetString());
    }

    [Fact]
    public async Task ChatCompletions_ToolChoiceNone_EchoesText()
    {
        using var response = await PostAsync($$"""{"model":"fake-gpt","messages":{{Oslo}},{{WeatherTools}},"tool_choice":"none"}""");

        var json = await JsonOf(response);
        var choice = json.GetProperty("choices")[0];
        Assert.Equal("You said: weather in Oslo", choice.GetProperty("message").GetProperty("content").GetString());
        Assert.False(choice.GetProperty("message").TryGetProperty("tool_calls", out _));
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task ChatCompletions_ToolCallWithNChoices_EveryChoiceCallsAndUsageSumsThem()
    {
        using var response = await PostAsync($$"""{"model":"fake-gpt","n":2,"messages":{{Oslo}},{{WeatherTools}}}""");

        var json = await JsonOf(response);
        Assert.All(json.GetProperty("choices").EnumerateArray(), choice => Assert.Equal("tool_calls", choice.GetProperty("finish_reason").GetString()));
        Assert.Equal((11, 14, 25), Usage(json));
    }

    [Fact]
    public async Task ChatCompletions_MaxTokensWithToolCall_DoesNotCutTheCall()
    {
        using var response = await PostAsync($$"""{"model":"fake-gpt","max_tokens":1,"messages":{{Oslo}},{{WeatherTools}}}""");

        var choice = (await JsonOf(response)).GetProperty("choices")[0];
        Assert.Equal("tool_calls", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(OsloArguments, choice.GetProperty("message").GetProperty("tool_calls")[0].GetProperty("function").GetProperty("arguments").GetString());
    }

    [Theory]
    [InlineData(""","tools":{"type":"function"}""", "tools")]
    [InlineData(""","tools":[{"type":"retrieval"}]""", "tools[0].type")]
    [InlineData(""","tools":[{"type":"function","function":{}}]""", "tools[0].function.name")]
    [InlineData(""","tool_choice":"auto" """, "tool_choice")]
    [InlineData(""","tools":[{"type":"function","function":{"name":"a"}}],"tool_choice":"sometimes" """, "tool_choice")]
    [InlineData(""","tools":[{"type":"function","function":{"name":"a"}}],"tool_choice":{"type":"function","function":{"name":"b"}}""", "tool_choice")]
    public async Task ChatCompletions_InvalidTools_Returns400Naming(string extra, string param)
    {
        using var response = await PostAsync($$"""{"model":"fake-gpt","messages":{{Oslo}}{{extra}}}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await JsonOf(response)).GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal(param, error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task ChatCompletions_StreamedToolCall_SendsNameThenArgumentPiecesThenFinish()
    {
        using var response = await PostAsync(
            $$"""{"model":"fake-gpt","stream":true,"stream_options":{"include_usage":true},"messages":{{Oslo}},{{WeatherTools}}}""");
        var read = await ReadEventsAsync(response);

        Assert.Null(read.Failure);
        Assert.Equal("[DONE]", read.Events[^1]);
        var chunks = read.Events[..^1].Select(Parse).ToArray();
        Assert.Equal(1 + 4 + 1 + 1, chunks.Length);
        var first = Delta(chunks[0]);
        var id = ToolCallId(first.GetProperty("tool_calls")[0]);
        Assert.Equal(
            $$$"""{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"{{{id}}}","type":"function","function":{"name":"get_weather","arguments":""}}],"refusal":null}""",
            first.GetRawText());
        Assert.Equal(
            [
                """{"tool_calls":[{"index":0,"function":{"arguments":"{\"text\":"}}]}""",
                """{"tool_calls":[{"index":0,"function":{"arguments":"\"weather"}}]}""",
                """{"tool_calls":[{"index":0,"function":{"arguments":" in Oslo"}}]}""",
                """{"tool_calls":[{"index":0,"function":{"arguments":"\"}"}}]}""",
            ],
            chunks[1..5].Select(chunk => Delta(chunk).GetRawText()));
        Assert.Equal("{}", Delta(chunks[5]).GetRawText());
        Assert.Equal("tool_calls", chunks[5].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Empty(chunks[6].GetProperty("choices").EnumerateArray());
        Assert.Equal((11, 7, 18), Usage(chunks[6]));

        using var plain = await PostAsync($$"""{"model":"fake-gpt","messages":{{Oslo}},{{WeatherTools}}}""");
        Assert.Equal(id, ToolCallId((await JsonOf(plain)).GetProperty("choices")[0].GetProperty("message").GetProperty("tool_calls")[0]));
    }

    [Fact]
    public async Task ChatCompletions_StreamedToolCallCutAfter_CountsArgumentPieces()
    {
        using var response = await PostAsync($$"""{"model":"fake-gpt|cut-after=2","stream":true,"messages":{{Oslo}},{{WeatherTools}}}""");
        var read = await ReadEventsAsync(response);

        Assert.IsAssignableFrom<IOException>(read.Failure);
        Assert.Equal(1 + 2, read.Events.Length);
        Assert.Equal(
            "{\"text\":\"weather",
            string.Concat(read.Events.Select(data => Delta(Parse(data)).GetProperty("tool_calls")[0].GetProperty("function").GetProperty("arguments").GetString())));
    }

    [Fact]
    public async Task ChatCompletions_StreamedToolCallCutAfterZero_SendsNoEvent()
    {
        // The reset can overtake the response headers, so the send itself may fail; either way no event arrives.
        var events = new List<string>();
        try
        {
            using var response = await PostAsync($$"""{"model":"fake-gpt|cut-after=0","stream":true,"messages":{{Oslo}},{{WeatherTools}}}""");
            var read = await ReadEventsAsync(response);
            Assert.IsAssignableFrom<IOException>(read.Failure);
            events.AddRange(read.Events);
        }
        catch (HttpRequestException)
        {
        }

        Assert.Empty(events);
    }

    // ---- Tool results ----

    [Fact]
    public async Task ChatCompletions_LastMessageIsToolResult_AnswersWithIt()
    {
        using var response = await PostAsync($$$"""
            {"model":"fake-gpt",{{{WeatherTools}}},"messages":[
              {"role":"user","content":"weather in Oslo"},
              {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{}"}}]},
              {"role":"tool","tool_call_id":"call_1","content":[{"type":"text","text":"sunny and"},{"type":"text","text":"mild"}]}]}
            """);

        var json = await JsonOf(response);
        var choice = json.GetProperty("choices")[0];
        Assert.Equal("Tool said: sunny and mild", choice.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        // Prompt: "weather in Oslo" 4+4, assistant null 0+4, "sunny and mild" 14 -> 4+4; + 3 = 23.
        Assert.Equal((23, 5, 28), Usage(json));
    }

    [Fact]
    public async Task ChatCompletions_ToolResultFollowedByUser_EchoesTheUser()
    {
        using var response = await PostAsync("""
            {"model":"fake-gpt","messages":[
              {"role":"user","content":"weather in Oslo"},
              {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{}"}}]},
              {"role":"tool","tool_call_id":"call_1","content":"sunny"},
              {"role":"user","content":"thanks"}]}
            """);

        Assert.Equal("You said: thanks", ContentOf(await JsonOf(response)));
    }

    [Fact]
    public async Task ChatCompletions_StreamedToolResult_ChunksAddUpToTheAnswer()
    {
        using var response = await PostAsync("""
            {"model":"fake-gpt","stream":true,"messages":[
              {"role":"user","content":"weather in Oslo"},
              {"role":"tool","tool_call_id":"call_1","content":"sunny"}]}
            """);
        var chunks = (await ReadEventsAsync(response)).Events[..^1].Select(Parse).ToArray();

        Assert.Equal("Tool said: sunny", string.Concat(chunks.Select(chunk => Delta(chunk).TryGetProperty("content", out var text) ? text.GetString() : "")));
        Assert.Equal("stop", chunks[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }

    // ---- Images ----

    [Fact]
    public async Task ChatCompletions_ImagesInLastUserMessage_AreCounted()
    {
        using var response = await PostAsync("""
            {"model":"fake-gpt","messages":[
              {"role":"user","content":[{"type":"image_url","image_url":{"url":"https://example.invalid/old.png"}},{"type":"text","text":"earlier"}]},
              {"role":"assistant","content":"ok"},
              {"role":"user","content":[
                {"type":"text","text":"compare"},
                {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}},
                {"type":"image_url","image_url":{"url":"https://example.invalid/b.png","detail":"low"}}]}]}
            """);

        var json = await JsonOf(response);
        Assert.Equal("You said: compare [2 images]", ContentOf(json));
        Assert.Equal(5, Usage(json).Completion);
    }

    [Fact]
    public async Task ChatCompletions_ImageOnly_EchoesTheCount()
    {
        using var response = await PostAsync("""
            {"model":"fake-gpt","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://example.invalid/a.png"}}]}]}
            """);

        Assert.Equal("You said: [1 image]", ContentOf(await JsonOf(response)));
    }

    // ---- helpers ----

    private async Task<HttpResponseMessage> PostAsync(string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };

        return await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    private static string ToolCallId(JsonElement call)
    {
        var id = call.GetProperty("id").GetString()!;
        Assert.Matches("^call_[0-9a-f]{16}$", id);
        return id;
    }
}
