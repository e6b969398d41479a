using System.Text;
using System.Text.Json;
using Switchyard.Gateway.Caching;

namespace Switchyard.Gateway.Tests.Caching;

/// <summary>Every part of a cache key, one at a time: what makes two requests one entry, and what keeps them apart.</summary>
public sealed class CacheKeyTests
{
    private const string Body = """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"temperature":0.2}""";

    private static readonly CacheKey Key = new("ws-a", "", "chat/completions", "openai", "https://api.openai.com/v1/chat/completions", "gpt-4o-mini");

    private static string Hash(CacheKey key, string body = Body, JsonElement? metadata = null) => key.Hash(Encoding.UTF8.GetBytes(body), metadata);

    [Fact]
    public void Hash_SameRequest_IsStableLowerHex()
    {
        var hash = Hash(Key);

        Assert.Equal(hash, Hash(Key with { }));
        Assert.Equal(64, hash.Length);
        Assert.Matches("^[0-9a-f]{64}$", hash);
    }

    [Fact]
    public void Hash_AnotherWorkspace_IsAnotherEntry() => Assert.NotEqual(Hash(Key), Hash(Key with { WorkspaceId = "ws-b" }));

    [Fact]
    public void Hash_AnotherNamespace_IsAnotherEntry() => Assert.NotEqual(Hash(Key), Hash(Key with { Namespace = "team-1" }));

    [Fact]
    public void Hash_AnotherOperation_IsAnotherEntry() => Assert.NotEqual(Hash(Key), Hash(Key with { Operation = "completions" }));

    [Fact]
    public void Hash_AnotherProvider_IsAnotherEntry() => Assert.NotEqual(Hash(Key), Hash(Key with { Provider = "groq" }));

    [Fact]
    public void Hash_AnotherUrl_IsAnotherEntry() => Assert.NotEqual(Hash(Key), Hash(Key with { Url = "http://127.0.0.1:9000/v1/chat/completions" }));

    [Fact]
    public void Hash_AnotherModel_IsAnotherEntry() => Assert.NotEqual(Hash(Key), Hash(Key with { Model = "gpt-4o" }));

    [Theory]
    [InlineData("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi!"}],"temperature":0.2}""")]
    [InlineData("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"temperature":0.3}""")]
    [InlineData("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"temperature":0.2,"max_tokens":5}""")]
    [InlineData("""{"model":"gpt-4o-mini","messages":[{"role":"system","content":"hi"}],"temperature":0.2}""")]
    [InlineData("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"temperature":0.2,"tools":[]}""")]
    public void Hash_AParameterThatCanChangeTheAnswer_IsAnotherEntry(string body) => Assert.NotEqual(Hash(Key), Hash(Key, body));

    [Theory]
    [InlineData("""{"temperature":0.20,"messages":[{"content":"hi","role":"user"}],"model":"gpt-4o-mini"}""")]
    [InlineData("""{ "model" : "gpt-4o-mini", "messages" : [ { "role" : "user", "content" : "h\u0069" } ], "temperature" : 2e-1 }""")]
    [InlineData("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"temperature":0.2,"stream":true,"stream_options":{"include_usage":true}}""")]
    public void Hash_TheSameRequestWrittenOrDeliveredDifferently_IsTheSameEntry(string body) => Assert.Equal(Hash(Key), Hash(Key, body));

    [Fact]
    public void Hash_Metadata_CountsOnlyWhenGiven()
    {
        using var a = JsonDocument.Parse("""{"user":"u-1","tier":"pro"}""");
        using var reordered = JsonDocument.Parse("""{"tier":"pro","user":"u-1"}""");
        using var b = JsonDocument.Parse("""{"user":"u-2","tier":"pro"}""");

        Assert.NotEqual(Hash(Key), Hash(Key, metadata: a.RootElement));
        Assert.Equal(Hash(Key, metadata: a.RootElement), Hash(Key, metadata: reordered.RootElement));
        Assert.NotEqual(Hash(Key, metadata: a.RootElement), Hash(Key, metadata: b.RootElement));
    }

    [Fact]
    public void Hash_PartsThatRunTogether_StayApart()
    {
        // Without length prefixes "ws-a" + "b" and "ws-" + "ab" would hash the same bytes.
        Assert.NotEqual(Hash(Key with { WorkspaceId = "ws-a", Namespace = "b" }), Hash(Key with { WorkspaceId = "ws-", Namespace = "ab" }));
    }
}
