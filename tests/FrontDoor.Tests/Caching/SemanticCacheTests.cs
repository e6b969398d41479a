using Switchyard.FrontDoor.Tests.Infrastructure;

namespace Switchyard.FrontDoor.Tests.Caching;

/// <summary>
/// The semantic cache end to end with the local embedding model: a paraphrase is answered from the cache, a near miss
/// and an unrelated question are not. Each test has a namespace of its own, so their partitions never meet.
/// </summary>
public sealed class SemanticCacheTests(CachingFixture fixture) : IClassFixture<CachingFixture>
{
    private const string Semantic = """{"cache":{"mode":"semantic","max_age":300}}""";

    private readonly string _namespace = Guid.NewGuid().ToString("N");

    private async Task<(string Status, string Content)> AskAsync(string question, string config = Semantic, string extra = "")
    {
        var request = Requests.Chat("fake-gpt", question, extra: extra).ToFake(fixture).WithConfig(config).WithHeader("x-portkey-cache-namespace", _namespace);
        using var response = await fixture.Client.SendAsync(request);
        var body = await response.JsonAsync();
        var trace = response.Header("x-portkey-trace-id");
        await Eventually.Until(() => fixture.Calls.ContainsKey(trace));
        await fixture.Cache.FlushAsync(CancellationToken.None);
        return (response.Header("x-portkey-cache-status"), body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!);
    }

    /// <summary>A semantic cache whose embeddings come from the FakeProvider, with these fields on the embedding target.</summary>
    private string EmbeddingConfig(string fields) =>
        "{\"cache\":{\"mode\":\"semantic\",\"max_age\":300,\"embedding\":{\"provider\":\"openai\",\"custom_host\":\"" + fixture.FakeBase + "\"," + fields + "}}}";

    [Fact]
    public async Task Paraphrase_IsASemanticHit_NearMissAndUnrelatedQuestionAreNot()
    {
        var first = await AskAsync("What is the capital of France?");
        var paraphrase = await AskAsync("Which city is the capital of France?");
        var exact = await AskAsync("What is the capital of France?");
        var nearMiss = await AskAsync("What is the capital of Germany?");
        var unrelated = await AskAsync("How tall is Mount Everest?");

        Assert.Equal(("SEMANTIC MISS", "You said: What is the capital of France?"), first);
        Assert.Equal(("SEMANTIC HIT", "You said: What is the capital of France?"), paraphrase);
        Assert.Equal(("HIT", "You said: What is the capital of France?"), exact);
        Assert.Equal(("SEMANTIC MISS", "You said: What is the capital of Germany?"), nearMiss);
        Assert.Equal(("SEMANTIC MISS", "You said: How tall is Mount Everest?"), unrelated);
    }

    [Fact]
    public async Task OtherParameters_AreAnotherPartition()
    {
        await AskAsync("How do I reset my password?", extra: ",\"temperature\":0");
        var warmer = await AskAsync("What are the steps to reset my password?", extra: ",\"temperature\":1");
        var same = await AskAsync("What are the steps to reset my password?", extra: ",\"temperature\":0");

        Assert.Equal("SEMANTIC MISS", warmer.Status);
        Assert.Equal(("SEMANTIC HIT", "You said: How do I reset my password?"), same);
    }

    [Fact]
    public async Task EmbeddingTarget_IsCalledThroughTheGateway_InsteadOfTheLocalModel()
    {
        // The FakeProvider embeds every input as "same": two unlike questions are one to this embedder, as they are
        // not to the local model, so a semantic hit shows which one was asked.
        var scenario = Requests.NewScenario();
        var config = EmbeddingConfig($"\"api_key\":\"sk-embedding-key\",\"model\":\"fake-embed|embed-as=same|scenario={scenario}\"");

        var first = await AskAsync("What is the capital of France?", config);
        var other = await AskAsync("How tall is Mount Everest?", config);

        Assert.Equal(("SEMANTIC MISS", "You said: What is the capital of France?"), first);
        Assert.Equal(("SEMANTIC HIT", "You said: What is the capital of France?"), other);
        var calls = fixture.Fake.Journal.ForScenario(scenario);
        Assert.Equal(2, calls.Count);
        Assert.All(calls, c => Assert.EndsWith("/embeddings", c.PathAndQuery, StringComparison.Ordinal));
        Assert.All(calls, c => Assert.Equal("Bearer sk-embedding-key", c.Headers["Authorization"]));
        Assert.Equal("How tall is Mount Everest?", System.Text.Json.JsonDocument.Parse(calls[1].Body).RootElement.GetProperty("input").GetString());
    }

    [Fact]
    public async Task EmbeddingTargetFailing_LeavesTheRequestExactlyCached()
    {
        var config = EmbeddingConfig("\"model\":\"fake-embed|status=500\",\"retry\":{\"attempts\":0}");

        var first = await AskAsync("Where is the Louvre?", config);
        var again = await AskAsync("Where is the Louvre?", config);

        Assert.Equal(("MISS", "You said: Where is the Louvre?"), first);
        Assert.Equal(("HIT", "You said: Where is the Louvre?"), again);
    }

    [Fact]
    public async Task EmbeddingTargetThatServesNoEmbeddings_Is400()
    {
        var config = "{\"cache\":{\"mode\":\"semantic\",\"embedding\":{\"provider\":\"anthropic\",\"custom_host\":\"" + fixture.FakeBase + "\",\"model\":\"claude\"}}}";
        var request = Requests.Chat("fake-gpt", "Who painted the Mona Lisa?").ToFake(fixture).WithConfig(config).WithHeader("x-portkey-cache-namespace", _namespace);
        using var response = await fixture.Client.SendAsync(request);

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Provider 'anthropic' does not serve embeddings.", (await response.JsonAsync()).GetProperty("message").GetString());
    }

    [Fact]
    public async Task LongConversation_IsOnlyExactCached()
    {
        var history = ""","messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b"},{"role":"user","content":"c"},{"role":"assistant","content":"d"},{"role":"user","content":"What is the capital of France?"}]""";
        var request = Requests.Post("/v1/chat/completions", "{\"model\":\"fake-gpt\"" + history + "}").ToFake(fixture).WithConfig(Semantic)
            .WithHeader("x-portkey-cache-namespace", _namespace);
        using var response = await fixture.Client.SendAsync(request);

        Assert.Equal("MISS", response.Header("x-portkey-cache-status"));
    }
}
