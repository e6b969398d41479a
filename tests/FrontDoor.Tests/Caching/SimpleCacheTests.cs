using System.Net;
using System.Text.Json;
using Switchyard.FrontDoor.Tests.Infrastructure;

namespace Switchyard.FrontDoor.Tests.Caching;

/// <summary>The simple (exact-key) cache end to end: statuses, what is stored, replay as JSON and as streams.</summary>
public sealed class SimpleCacheTests(CachingFixture fixture) : IClassFixture<CachingFixture>
{
    private const string Simple = """{"cache":{"mode":"simple","max_age":60}}""";

    private async Task<HttpResponseMessage> SendAsync(string model, string text, bool stream = false, string config = Simple, string extra = "", params (string Name, string Value)[] headers)
    {
        var request = Requests.Chat(model, text, stream, extra).ToFake(fixture).WithConfig(config);
        foreach (var (name, value) in headers)
        {
            request.WithHeader(name, value);
        }

        var response = await fixture.Client.SendAsync(request, stream ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead);
        if (!stream)
        {
            await SettledAsync(response);
        }

        return response;
    }

    /// <summary>Reads a stream to its end and waits until the gateway has finished the call and stored what it keeps.</summary>
    private async Task<SseTranscript> ReadAsync(HttpResponseMessage response)
    {
        var transcript = await SseTranscript.ReadAsync(response);
        await SettledAsync(response);
        return transcript;
    }

    private async Task SettledAsync(HttpResponseMessage response)
    {
        var trace = response.Header("x-portkey-trace-id");
        await Eventually.Until(() => fixture.Calls.ContainsKey(trace));
        await fixture.Cache.FlushAsync(CancellationToken.None);
    }

    private int Upstream(string scenario) => fixture.Fake.Journal.ForScenario(scenario).Count;

    [Fact]
    public async Task Json_SecondIdenticalCall_IsAHitWithAFreshIdAndCachedUsage()
    {
        var scenario = Requests.NewScenario();
        var model = $"fake-gpt|scenario={scenario}";
        using var first = await SendAsync(model, "cache me please");
        var original = await first.JsonAsync();
        using var second = await SendAsync(model, "cache me please");
        var replayed = await second.JsonAsync();

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("MISS", first.Header("x-portkey-cache-status"));
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("HIT", second.Header("x-portkey-cache-status"));
        Assert.Equal(first.Header("x-switchyard-cache-key"), second.Header("x-switchyard-cache-key"));
        Assert.Equal(1, Upstream(scenario));

        Assert.Equal(original.GetProperty("choices").GetRawText(), replayed.GetProperty("choices").GetRawText());
        Assert.NotEqual(original.GetProperty("id").GetString(), replayed.GetProperty("id").GetString());
        Assert.StartsWith("chatcmpl-", replayed.GetProperty("id").GetString(), StringComparison.Ordinal);
        var now = fixture.Clock.GetUtcNow().ToUnixTimeSeconds();
        Assert.InRange(replayed.GetProperty("created").GetInt64(), now - 5, now);
        var usage = replayed.GetProperty("usage");
        Assert.Equal(original.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(), usage.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(usage.GetProperty("prompt_tokens").GetInt32(), usage.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32());
        Assert.Equal(0, original.GetProperty("usage").GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32());
    }

    [Fact]
    public async Task NoCacheInConfig_StatusDisabledAndNothingStored()
    {
        var scenario = Requests.NewScenario();
        using var first = await SendAsync($"fake-gpt|scenario={scenario}", "no cache here", config: """{"retry":{"attempts":0}}""");
        using var second = await SendAsync($"fake-gpt|scenario={scenario}", "no cache here", config: """{"retry":{"attempts":0}}""");

        Assert.Equal("DISABLED", first.Header("x-portkey-cache-status"));
        Assert.Equal("DISABLED", second.Header("x-portkey-cache-status"));
        Assert.False(second.Headers.Contains("x-switchyard-cache-key"));
        Assert.Equal(2, Upstream(scenario));
    }

    [Fact]
    public async Task ForceRefresh_CallsTheProviderAndStoresTheNewAnswer()
    {
        var scenario = Requests.NewScenario();
        var model = $"fake-gpt|scenario={scenario}";
        using var miss = await SendAsync(model, "refresh me");
        using var refresh = await SendAsync(model, "refresh me", headers: ("x-portkey-cache-force-refresh", "true"));
        using var hit = await SendAsync(model, "refresh me");

        Assert.Equal("MISS", miss.Header("x-portkey-cache-status"));
        Assert.Equal("REFRESH", refresh.Header("x-portkey-cache-status"));
        Assert.Equal("HIT", hit.Header("x-portkey-cache-status"));
        Assert.Equal(2, Upstream(scenario));
    }

    [Fact]
    public async Task Namespace_IsASeparatePartition()
    {
        var scenario = Requests.NewScenario();
        var model = $"fake-gpt|scenario={scenario}";
        using var plain = await SendAsync(model, "namespaced");
        using var teamA = await SendAsync(model, "namespaced", headers: ("x-portkey-cache-namespace", "team-a"));
        using var teamAAgain = await SendAsync(model, "namespaced", headers: ("x-portkey-cache-namespace", "team-a"));
        using var plainAgain = await SendAsync(model, "namespaced");

        Assert.Equal("MISS", plain.Header("x-portkey-cache-status"));
        Assert.Equal("MISS", teamA.Header("x-portkey-cache-status"));
        Assert.Equal("HIT", teamAAgain.Header("x-portkey-cache-status"));
        Assert.Equal("HIT", plainAgain.Header("x-portkey-cache-status"));
        Assert.NotEqual(plain.Header("x-switchyard-cache-key"), teamA.Header("x-switchyard-cache-key"));
        Assert.Equal(2, Upstream(scenario));
    }

    [Fact]
    public async Task CacheControl_NoStoreBypassesTheCache_NoCacheRefreshes()
    {
        var scenario = Requests.NewScenario();
        var model = $"fake-gpt|scenario={scenario}";
        using var noStore = await SendAsync(model, "http semantics", headers: ("Cache-Control", "no-store"));
        using var miss = await SendAsync(model, "http semantics");
        using var noCache = await SendAsync(model, "http semantics", headers: ("Cache-Control", "no-cache"));
        using var hit = await SendAsync(model, "http semantics");

        Assert.Equal("DISABLED", noStore.Header("x-portkey-cache-status"));
        Assert.Equal("MISS", miss.Header("x-portkey-cache-status"));
        Assert.Equal("REFRESH", noCache.Header("x-portkey-cache-status"));
        Assert.Equal("HIT", hit.Header("x-portkey-cache-status"));
        Assert.Equal(3, Upstream(scenario));
    }

    [Fact]
    public async Task LongNamespace_Is400()
    {
        using var response = await SendAsync("fake-gpt", "ns", headers: ("x-portkey-cache-namespace", new string('n', 129)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(
            "x-portkey-cache-namespace must be at most 128 printable characters.", (await response.JsonAsync()).GetProperty("message").GetString());
    }

    [Fact]
    public async Task ErrorAnswer_IsNeverStored()
    {
        var scenario = Requests.NewScenario();
        var model = $"fake-gpt|scenario={scenario}|status=500";
        using var first = await SendAsync(model, "failing", config: """{"cache":{"mode":"simple"},"retry":{"attempts":0}}""");
        using var second = await SendAsync(model, "failing", config: """{"cache":{"mode":"simple"},"retry":{"attempts":0}}""");

        Assert.Equal(HttpStatusCode.InternalServerError, first.StatusCode);
        Assert.Equal("MISS", second.Header("x-portkey-cache-status"));
        Assert.Equal(2, Upstream(scenario));
    }

    [Fact]
    public async Task CutStream_IsNeverStored()
    {
        var scenario = Requests.NewScenario();
        var model = $"fake-gpt|scenario={scenario}|words=6|cut-after=2";
        using var first = await SendAsync(model, "cut me off", stream: true);
        var broken = await ReadAsync(first);
        using var second = await SendAsync(model, "cut me off", stream: true);
        await ReadAsync(second);

        Assert.DoesNotContain("[DONE]", broken.Data);
        Assert.Equal("MISS", second.Header("x-portkey-cache-status"));
        Assert.Equal(2, Upstream(scenario));
    }

    [Fact]
    public async Task Stream_ReplaysEventByEvent_ToolCallsIncluded()
    {
        var scenario = Requests.NewScenario();
        var model = $"fake-gpt|scenario={scenario}";
        const string Tools = ""","tools":[{"type":"function","function":{"name":"lookup","parameters":{"type":"object"}}}],"stream_options":{"include_usage":true}""";
        using var first = await SendAsync(model, "call a tool for me", stream: true, extra: Tools);
        var original = await ReadAsync(first);
        using var second = await SendAsync(model, "call a tool for me", stream: true, extra: Tools);
        var replayed = await ReadAsync(second);

        Assert.Equal("MISS", first.Header("x-portkey-cache-status"));
        Assert.Equal("HIT", second.Header("x-portkey-cache-status"));
        Assert.Equal("text/event-stream", second.Content.Headers.ContentType!.MediaType);
        Assert.Equal(1, Upstream(scenario));
        Assert.True(replayed.EndedWithDone);
        Assert.Equal(original.Data.Count, replayed.Data.Count);
        var ids = replayed.Chunks.Select(c => c.GetProperty("id").GetString()).Distinct().ToArray();
        Assert.Single(ids);
        Assert.NotEqual(original.Chunks.First().GetProperty("id").GetString(), ids[0]);
        foreach (var (before, after) in original.Chunks.Zip(replayed.Chunks))
        {
            Assert.Equal(WithoutStamp(before), WithoutStamp(after));
        }
    }

    [Fact]
    public async Task JsonAnswer_ServesAStreamRequest_AndAStreamServesJson()
    {
        var scenario = Requests.NewScenario();
        var model = $"fake-gpt|scenario={scenario}|words=5";
        using var json = await SendAsync(model, "json first then stream");
        var answer = (await json.JsonAsync()).GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString();
        using var stream = await SendAsync(model, "json first then stream", stream: true);
        var transcript = await ReadAsync(stream);

        Assert.Equal("HIT", stream.Header("x-portkey-cache-status"));
        Assert.True(transcript.EndedWithDone);
        Assert.Equal(answer, transcript.Content);

        var other = Requests.NewScenario();
        var streamed = $"fake-gpt|scenario={other}|words=4";
        using var first = await SendAsync(streamed, "stream first then json", stream: true);
        var content = (await ReadAsync(first)).Content;
        using var asJson = await SendAsync(streamed, "stream first then json");
        var body = await asJson.JsonAsync();

        Assert.Equal("HIT", asJson.Header("x-portkey-cache-status"));
        Assert.Equal("chat.completion", body.GetProperty("object").GetString());
        Assert.Equal(content, body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("stop", body.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(1, Upstream(scenario));
        Assert.Equal(1, Upstream(other));
    }

    [Fact]
    public async Task MaxAge_IsSeconds_EntryExpiresAfterIt()
    {
        var scenario = Requests.NewScenario();
        var model = $"fake-gpt|scenario={scenario}";
        const string TenSeconds = """{"cache":{"mode":"simple","max_age":10}}""";
        using var miss = await SendAsync(model, "expire me", config: TenSeconds);
        fixture.Clock.Advance(TimeSpan.FromSeconds(9));
        using var hit = await SendAsync(model, "expire me", config: TenSeconds);
        fixture.Clock.Advance(TimeSpan.FromSeconds(2));
        using var expired = await SendAsync(model, "expire me", config: TenSeconds);

        Assert.Equal("MISS", miss.Header("x-portkey-cache-status"));
        Assert.Equal("HIT", hit.Header("x-portkey-cache-status"));
        Assert.Equal("MISS", expired.Header("x-portkey-cache-status"));
        Assert.Equal(2, Upstream(scenario));
    }

    [Fact]
    public async Task Embeddings_AreCached()
    {
        var scenario = Requests.NewScenario();
        var body = $$"""{"model":"fake-embed|scenario={{scenario}}","input":"vectors please"}""";
        HttpRequestMessage Embed() => Requests.Post("/v1/embeddings", body).ToFake(fixture).WithConfig(Simple);
        using var first = await fixture.Client.SendAsync(Embed());
        var original = await first.JsonAsync();
        await SettledAsync(first);
        using var second = await fixture.Client.SendAsync(Embed());
        var replayed = await second.JsonAsync();

        Assert.Equal("MISS", first.Header("x-portkey-cache-status"));
        Assert.Equal("HIT", second.Header("x-portkey-cache-status"));
        Assert.Equal(original.GetProperty("data").GetRawText(), replayed.GetProperty("data").GetRawText());
        Assert.Equal(1, Upstream(scenario));
    }

    [Fact]
    public async Task TargetCache_WinsOverTheTopLevel()
    {
        var scenario = Requests.NewScenario();
        var config = $$"""{"cache":{"mode":"simple"},"strategy":{"mode":"fallback"},"targets":[{{Requests.Target(fixture, $"fake-gpt|scenario={scenario}", ",\"cache\":{\"mode\":\"simple\",\"max_age\":5}")}}]}""";
        using var miss = await SendAsync("ignored", "target settings", config: config);
        fixture.Clock.Advance(TimeSpan.FromSeconds(6));
        using var expired = await SendAsync("ignored", "target settings", config: config);

        Assert.Equal("MISS", miss.Header("x-portkey-cache-status"));
        Assert.Equal("MISS", expired.Header("x-portkey-cache-status"));
        Assert.Equal(2, Upstream(scenario));
    }

    /// <summary>A chunk without what a replay changes on purpose: its id, created, and the cached-tokens count.</summary>
    private static string WithoutStamp(JsonElement chunk)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(chunk.GetRawText())!.AsObject();
        node.Remove("id");
        node.Remove("created");
        if (node["usage"] is System.Text.Json.Nodes.JsonObject usage)
        {
            usage.Remove("prompt_tokens_details");
        }

        return node.ToJsonString();
    }
}
