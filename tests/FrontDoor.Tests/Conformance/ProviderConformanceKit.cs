using System.Net;
using System.Text.Json;
using Switchyard.FrontDoor.Tests.Infrastructure;

namespace Switchyard.FrontDoor.Tests.Conformance;

/// <summary>
/// The provider conformance kit: the same suite for every adapter, run through the gateway's OpenAI endpoint
/// against the FakeProvider speaking that provider's wire format. A provider joins by subclassing with a config
/// target that points at the fake (see <see cref="Target"/>).
/// </summary>
public abstract class ProviderConformanceKit(GatewayFixture fixture)
{
    protected GatewayFixture Fixture => fixture;

    /// <summary>A config target (a JSON object) for this provider at the FakeProvider, with <paramref name="model"/> as its model.</summary>
    protected abstract string Target(string model);

    /// <summary>The provider's slug, as <c>x-portkey-provider</c> reports it.</summary>
    protected abstract string Provider { get; }

    /// <summary>The model name the fake is called with (directives are appended with <c>|</c>).</summary>
    protected virtual string Model => "fake-model";

    /// <summary>The model the embeddings case is called with, for providers whose embedding models differ in shape from chat models (Bedrock).</summary>
    protected virtual string EmbeddingModel => Model;

    protected virtual bool ServesEmbeddings => true;

    private HttpRequestMessage Chat(string modelSuffix, string body) =>
        Requests.Post("/v1/chat/completions", body).WithConfig(Target(Model + modelSuffix));

    private static string Body(string messages, string extra = "") => $$"""{"model":"any","messages":{{messages}}{{extra}}}""";

    private const string Hello = """[{"role":"system","content":"Be brief."},{"role":"user","content":"hello kit"}]""";

    private const string WeatherTool = ""","tools":[{"type":"function","function":{"name":"get_weather","description":"Weather for a city","parameters":{"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}}}]""";

    private async Task<(HttpResponseMessage Response, SseTranscript Transcript)> StreamAsync(HttpRequestMessage request)
    {
        var response = await fixture.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return (response, await SseTranscript.ReadAsync(response));
    }

    [Fact]
    public async Task Text_Answer_IsInOpenAiShape()
    {
        using var response = await fixture.Client.SendAsync(Chat("", Body(Hello)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Provider, response.Header("x-portkey-provider"));
        var json = await response.JsonAsync();
        Assert.Equal("chat.completion", json.GetProperty("object").GetString());
        var choice = json.GetProperty("choices")[0];
        Assert.Equal("assistant", choice.GetProperty("message").GetProperty("role").GetString());
        Assert.Equal("You said: hello kit", choice.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        var usage = json.GetProperty("usage");
        Assert.Equal(4, usage.GetProperty("completion_tokens").GetInt32());
        Assert.True(usage.GetProperty("prompt_tokens").GetInt32() > 0);
        Assert.Equal(usage.GetProperty("prompt_tokens").GetInt32() + 4, usage.GetProperty("total_tokens").GetInt32());
    }

    [Fact]
    public async Task Text_MaxTokens_FinishesWithLength()
    {
        using var response = await fixture.Client.SendAsync(Chat("", Body(Hello, ",\"max_tokens\":2")));

        var choice = (await response.JsonAsync()).GetProperty("choices")[0];
        Assert.Equal("You said:", choice.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("length", choice.GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task Stream_Chunks_AddUpToTheAnswer()
    {
        var (response, transcript) = await StreamAsync(Chat("", Body(Hello, ",\"stream\":true")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        Assert.True(transcript.EndedWithDone, string.Join("\n", transcript.Data));
        Assert.Equal("You said: hello kit", transcript.Content);
        Assert.All(transcript.Chunks, chunk => Assert.Equal("chat.completion.chunk", chunk.GetProperty("object").GetString()));
        Assert.Equal("stop", transcript.Chunks.Last().GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.DoesNotContain(transcript.Chunks, chunk => chunk.GetProperty("choices").GetArrayLength() == 0);
    }

    [Fact]
    public async Task Stream_IncludeUsage_EndsWithTheUsageChunk()
    {
        var (_, transcript) = await StreamAsync(Chat("", Body(Hello, ",\"stream\":true,\"stream_options\":{\"include_usage\":true}")));

        Assert.True(transcript.EndedWithDone);
        var usage = transcript.Chunks.Last();
        Assert.Equal(0, usage.GetProperty("choices").GetArrayLength());
        Assert.Equal(4, usage.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task Tools_Call_IsInOpenAiShape()
    {
        using var response = await fixture.Client.SendAsync(Chat("", Body("""[{"role":"user","content":"weather in Oslo"}]""", WeatherTool)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var choice = (await response.JsonAsync()).GetProperty("choices")[0];
        Assert.Equal("tool_calls", choice.GetProperty("finish_reason").GetString());
        var call = Assert.Single(choice.GetProperty("message").GetProperty("tool_calls").EnumerateArray());
        Assert.Equal("function", call.GetProperty("type").GetString());
        Assert.False(string.IsNullOrEmpty(call.GetProperty("id").GetString()));
        Assert.Equal("get_weather", call.GetProperty("function").GetProperty("name").GetString());
        AssertJsonEqual("""{"text":"weather in Oslo"}""", call.GetProperty("function").GetProperty("arguments").GetString()!);
    }

    [Fact]
    public async Task Tools_StreamedCall_ArgumentsAddUp()
    {
        var (_, transcript) = await StreamAsync(Chat("", Body("""[{"role":"user","content":"weather in Oslo"}]""", WeatherTool + ",\"stream\":true")));

        Assert.True(transcript.EndedWithDone);
        var deltas = transcript.Chunks
            .Where(c => c.GetProperty("choices").GetArrayLength() > 0 && c.GetProperty("choices")[0].GetProperty("delta").TryGetProperty("tool_calls", out _))
            .SelectMany(c => c.GetProperty("choices")[0].GetProperty("delta").GetProperty("tool_calls").EnumerateArray())
            .ToList();
        Assert.NotEmpty(deltas);
        Assert.Equal("get_weather", deltas[0].GetProperty("function").GetProperty("name").GetString());
        Assert.False(string.IsNullOrEmpty(deltas[0].GetProperty("id").GetString()));
        Assert.All(deltas, d => Assert.Equal(0, d.GetProperty("index").GetInt32()));
        var arguments = string.Concat(deltas.Select(d => d.GetProperty("function").TryGetProperty("arguments", out var a) ? a.GetString() : ""));
        AssertJsonEqual("""{"text":"weather in Oslo"}""", arguments);
        Assert.Equal("tool_calls", transcript.Chunks.Last().GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task Tools_Result_IsSentBack()
    {
        const string messages = """
            [{"role":"user","content":"weather in Oslo"},
             {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"text\":\"Oslo\"}"}}]},
             {"role":"tool","tool_call_id":"call_1","content":"sunny"}]
            """;
        using var response = await fixture.Client.SendAsync(Chat("", Body(messages, WeatherTool)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var choice = (await response.JsonAsync()).GetProperty("choices")[0];
        Assert.Equal("Tool said: sunny", choice.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task Images_UserImage_ReachesTheProvider()
    {
        const string messages = """[{"role":"user","content":[{"type":"text","text":"look"},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="}}]}]""";
        using var response = await fixture.Client.SendAsync(Chat("", Body(messages)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("You said: look [1 image]", (await response.JsonAsync()).GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(429)]
    [InlineData(500)]
    public async Task Errors_ProviderStatus_ArriveAsOpenAiErrors(int status)
    {
        using var response = await fixture.Client.SendAsync(Chat($"|status={status}", Body(Hello)));

        Assert.Equal(status, (int)response.StatusCode);
        var error = (await response.JsonAsync()).GetProperty("error");
        Assert.Contains($"fake upstream error {status}", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(error.GetProperty("type").GetString()));
    }

    [Fact]
    public async Task Timeout_SlowProvider_Is408()
    {
        using var response = await fixture.Client.SendAsync(Chat("|latency=5000", Body(Hello)).WithHeader("x-portkey-request-timeout", "200"));

        Assert.Equal(HttpStatusCode.RequestTimeout, response.StatusCode);
        Assert.Equal("timeout_error", (await response.JsonAsync()).GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task Stream_CutMidway_EndsWithAnErrorEvent()
    {
        var (response, transcript) = await StreamAsync(Chat("|words=10|cut-after=3", Body(Hello, ",\"stream\":true")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(transcript.EndedWithDone);
        Assert.Equal("stream_error", transcript.Chunks.Last().GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task Embeddings_Vectors_AreInOpenAiShape()
    {
        if (!ServesEmbeddings)
        {
            using var refused = await fixture.Client.SendAsync(Requests.Post("/v1/embeddings", """{"model":"x","input":"a"}""").WithConfig(Target(EmbeddingModel)));
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            return;
        }

        using var response = await fixture.Client.SendAsync(Requests.Post("/v1/embeddings", """{"model":"x","input":["alpha","beta"]}""").WithConfig(Target(EmbeddingModel)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await response.JsonAsync();
        Assert.Equal("list", json.GetProperty("object").GetString());
        var data = json.GetProperty("data");
        Assert.Equal(2, data.GetArrayLength());
        Assert.Equal(1, data[1].GetProperty("index").GetInt32());
        Assert.Equal(8, data[0].GetProperty("embedding").GetArrayLength());
        Assert.True(json.GetProperty("usage").GetProperty("prompt_tokens").GetInt32() > 0);
    }

    private static void AssertJsonEqual(string expected, string actual) =>
        Assert.True(JsonElement.DeepEquals(JsonDocument.Parse(expected).RootElement, JsonDocument.Parse(actual).RootElement), $"expected {expected}, got {actual}");
}
