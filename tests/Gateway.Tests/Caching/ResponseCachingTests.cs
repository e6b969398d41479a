using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Switchyard.Gateway.Caching;
using Switchyard.Gateway.Errors;
using Switchyard.Gateway.Pipeline;
using Switchyard.Gateway.Routing;
using Switchyard.Gateway.Tests.Pipeline;
using Switchyard.Gateway.Tests.Security;
using Switchyard.Gateway.Upstream;
using Switchyard.State;
using static Switchyard.Gateway.Tests.Answer.AnswerKit;

namespace Switchyard.Gateway.Tests.Caching;

/// <summary>The cache step of a target's call: which status each case gets, what is looked up and what is kept.</summary>
public sealed class ResponseCachingTests
{
    private const string Completion = """{"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"Paris"},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":1,"total_tokens":10}}""";

    private static readonly TargetSettings Simple = TargetSettings.Empty with { Cache = new CacheSettings("simple", 60) };
    private static readonly TargetSettings Semantic = TargetSettings.Empty with { Cache = new CacheSettings("semantic", 60) };

    private readonly KeyWorld _world = new();
    private readonly InMemoryResponseCache _cache;
    private readonly ResponseCaching _caching;

    public ResponseCachingTests()
    {
        _cache = new InMemoryResponseCache(_world.Time);
        _caching = new ResponseCaching(_cache, new WordEmbedder(), null, Options.Create(new GatewayOptions()), new SemanticCacheOptions(), _world.Time, NullLogger<ResponseCaching>.Instance);
    }

    private (GatewayCall Call, UpstreamRequest Request, RecordingResponse Response) Call(string text, bool stream = false, params (string, string)[] headers)
    {
        var body = $$"""{"model":"gpt-4o","messages":[{"role":"user","content":"{{text}}"}]{{(stream ? ",\"stream\":true" : "")}}}""";
        var response = new RecordingResponse();
        var call = TestCalls.Chat(body, response: response, headers: [(GatewayHeaders.Provider, "openai"), (GatewayHeaders.Authorization, "Bearer sk-test"), .. headers]);
        _world.Authenticator.Authenticate(call);
        return (call, _world.FirstRequest(call), response);
    }

    private async Task<CachedReply?> MissThenKeepAsync(TargetSettings settings, string text, params (string, string)[] headers)
    {
        var (call, request, _) = Call(text, headers: headers);
        var reply = await _caching.LookupAsync(call, settings, request);
        _caching.KeepJson(call, Answered(200, Completion), Encoding.UTF8.GetBytes(Completion));
        return reply;
    }

    [Fact]
    public async Task LookupAsync_NoCacheSettings_IsDisabledAndKeepsNothing()
    {
        var (call, request, response) = Call("capital of France?");

        Assert.Null(await _caching.LookupAsync(call, TargetSettings.Empty, request));
        _caching.KeepJson(call, Answered(200, Completion), Encoding.UTF8.GetBytes(Completion));

        // The pipeline wrote DISABLED before the route; the step leaves it.
        Assert.False(response.Headers.ContainsKey(GatewayHeaders.CacheStatus));
        Assert.Equal("DISABLED", call.CacheStatus);
        Assert.Empty(_cache.Stored);
    }

    [Fact]
    public async Task LookupAsync_MissThenHit_HitReplaysWithAFreshIdAndIsCounted()
    {
        Assert.Null(await MissThenKeepAsync(Simple, "capital of France?"));
        var (call, request, response) = Call("capital of France?");

        var hit = await _caching.LookupAsync(call, Simple, request);

        Assert.NotNull(hit);
        Assert.Equal("HIT", response.Headers[GatewayHeaders.CacheStatus]);
        Assert.True(call.ServedFromCache);
        var json = Json(Encoding.UTF8.GetString(hit.Json!));
        Assert.NotEqual("chatcmpl-1", json.GetProperty("id").GetString());
        Assert.Equal(9, json.GetProperty("usage").GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32());
        Assert.Equal([CacheOutcome.Miss, CacheOutcome.Hit], _cache.Counts.Select(c => c.Outcome));
        var stored = Assert.Single(_cache.Stored).Answer;
        Assert.Equal(_world.Time.GetUtcNow() + TimeSpan.FromSeconds(60), stored.ExpiresAt);
        Assert.Equal("chat/completions", stored.Operation);
        Assert.Equal(response.Headers[GatewayHeaders.CacheKey], stored.Hash);
    }

    [Fact]
    public async Task LookupAsync_StreamRequest_GetsChunksOfAJsonEntry()
    {
        await MissThenKeepAsync(Simple, "stream it");
        var (call, request, _) = Call("stream it", stream: true);

        var hit = await _caching.LookupAsync(call, Simple, request);

        Assert.Null(hit!.Json);
        Assert.Equal("[DONE]", Encoding.UTF8.GetString(hit.Chunks![^1]));
    }

    [Fact]
    public async Task LookupAsync_EntryThatCannotBeReadBack_IsAMissAndTheProviderAnswers()
    {
        var (call, request, response) = Call("corrupt entry", stream: true);
        await _caching.LookupAsync(call, Simple, request);
        var (workspace, hash) = (call.Cache!.WorkspaceId, response.Headers[GatewayHeaders.CacheKey]);
        var now = _world.Time.GetUtcNow();
        _cache.Entries[(workspace, hash)] = new CachedAnswer(
            workspace, hash, "", "chat/completions", "openai", "gpt-4o", CachedAnswerShape.Stream, [0xFF, 0x01], now, now.AddMinutes(1));
        var (again, againRequest, againResponse) = Call("corrupt entry", stream: true);

        Assert.Null(await _caching.LookupAsync(again, Simple, againRequest));
        Assert.Equal("MISS", againResponse.Headers[GatewayHeaders.CacheStatus]);
    }

    [Fact]
    public async Task LookupAsync_OtherWorkspace_NeverSeesTheEntry()
    {
        await MissThenKeepAsync(Simple, "tenant safe");
        var (call, request, response) = Call("tenant safe");
        call.Workspace = _world.B;

        Assert.Null(await _caching.LookupAsync(call, Simple, request));
        Assert.Equal("MISS", response.Headers[GatewayHeaders.CacheStatus]);
    }

    [Fact]
    public async Task LookupAsync_ForceRefresh_AsksTheProviderAndReplacesTheEntry()
    {
        await MissThenKeepAsync(Simple, "refresh");
        Assert.Null(await MissThenKeepAsync(Simple, "refresh", (GatewayHeaders.CacheForceRefresh, "true")));

        Assert.Equal([false, true], _cache.Stored.Select(s => s.Refresh));
        Assert.Equal(CacheOutcome.Refresh, _cache.Counts.Last().Outcome);
    }

    [Fact]
    public async Task LookupAsync_CacheControlNoStore_NeitherReadsNorKeeps()
    {
        await MissThenKeepAsync(Simple, "private");
        var (call, request, response) = Call("private", headers: (GatewayHeaders.CacheControl, "private, no-store"));

        Assert.Null(await _caching.LookupAsync(call, Simple, request));
        _caching.KeepJson(call, Answered(200, Completion), Encoding.UTF8.GetBytes(Completion));

        Assert.Equal("DISABLED", call.CacheStatus);
        Assert.False(response.Headers.ContainsKey(GatewayHeaders.CacheStatus));
        Assert.Single(_cache.Stored);
    }

    [Fact]
    public async Task LookupAsync_BadNamespace_Is400()
    {
        var (call, request, _) = Call("ns", headers: (GatewayHeaders.CacheNamespace, "a\u0001b"));

        var refusal = await Assert.ThrowsAsync<GatewayException>(async () => await _caching.LookupAsync(call, Simple, request));
        Assert.Equal(GatewayErrorKind.InvalidRequest, refusal.Kind);
    }

    [Fact]
    public async Task KeepStream_OnlyAStreamWithAChoice_IsKept()
    {
        var (call, request, _) = Call("stream kept", stream: true);
        await _caching.LookupAsync(call, Simple, request);
        var usageOnly = Encoding.UTF8.GetBytes("""{"id":"c","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":0,"total_tokens":1}}""");
        var spaced = Encoding.UTF8.GetBytes("""{"id": "c", "choices": [ {"index": 0, "delta": {"content": "hi"}} ]}""");

        _caching.KeepStream(call, Answered(200, ""), [usageOnly]);
        Assert.Empty(_cache.Stored);
        _caching.KeepStream(call, Answered(200, ""), [spaced, usageOnly]);

        Assert.Equal(CachedAnswerShape.Stream, Assert.Single(_cache.Stored).Answer.Shape);
    }

    [Fact]
    public async Task KeepJson_ErrorsEmptyChoicesAndProviderNoStore_AreNotKept()
    {
        var (call, request, _) = Call("not kept");
        await _caching.LookupAsync(call, Simple, request);

        _caching.KeepJson(call, Answered(500, """{"error":{"message":"boom"}}"""), Encoding.UTF8.GetBytes("""{"error":{"message":"boom"}}"""));
        _caching.KeepJson(call, Answered(200, """{"choices":[]}"""), Encoding.UTF8.GetBytes("""{"choices":[]}"""));
        var noStore = Answer.AnswerKit.Upstream(200, Completion);
        noStore.Headers.TryAddWithoutValidation("Cache-Control", "no-store");
        _caching.KeepJson(call, UpstreamOutcome.Answered(noStore, Encoding.UTF8.GetBytes(Completion)), Encoding.UTF8.GetBytes(Completion));

        Assert.Empty(_cache.Stored);
    }

    [Fact]
    public async Task LookupAsync_Semantic_ParaphraseHitsAndOtherQuestionMisses()
    {
        Assert.Null(await MissThenKeepAsync(Semantic, "capital city of france"));
        var (paraphrase, request, response) = Call("france capital city");
        var (other, otherRequest, otherResponse) = Call("largest ocean on earth");

        Assert.NotNull(await _caching.LookupAsync(paraphrase, Semantic, request));
        Assert.Null(await _caching.LookupAsync(other, Semantic, otherRequest));

        Assert.Equal("SEMANTIC HIT", response.Headers[GatewayHeaders.CacheStatus]);
        Assert.Equal("SEMANTIC MISS", otherResponse.Headers[GatewayHeaders.CacheStatus]);
        var stored = Assert.Single(_cache.Stored).Answer;
        Assert.NotNull(stored.SemanticPartition);
        Assert.Equal(stored.Hash, response.Headers[GatewayHeaders.CacheKey]);
    }

    [Fact]
    public async Task LookupAsync_SemanticThresholdFromTheConfig_Wins()
    {
        var strict = TargetSettings.Empty with { Cache = new CacheSettings("semantic", 60, SimilarityThreshold: 1.0) };
        await MissThenKeepAsync(strict, "capital city of france");
        var (paraphrase, request, response) = Call("france capital city please");

        Assert.Null(await _caching.LookupAsync(paraphrase, strict, request));
        Assert.Equal("SEMANTIC MISS", response.Headers[GatewayHeaders.CacheStatus]);
    }

    /// <summary>A bag-of-words embedder: texts with the same words are the same vector, so the test knows what matches.</summary>
    private sealed class WordEmbedder : ITextEmbedder
    {
        public string Model => "words";

        public float DefaultThreshold => 0.8f;

        public ValueTask<float[]> EmbedAsync(string text, CancellationToken cancellationToken)
        {
            var vector = new float[64];
            foreach (var word in text.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                vector[(int)((uint)word.GetHashCode(StringComparison.Ordinal) % 64)] += 1;
            }

            var length = MathF.Sqrt(vector.Sum(v => v * v));
            return ValueTask.FromResult(vector.Select(v => v / length).ToArray());
        }
    }
}
