using System.Numerics.Tensors;
using Switchyard.Grains.Caching;
using Switchyard.Grains.Tests.Infrastructure;

namespace Switchyard.Grains.Tests.Caching;

public sealed class SemanticIndexGrainTests(SemanticIndexCluster cluster) : IClassFixture<SemanticIndexCluster>
{
    private DateTimeOffset Now => cluster.Time.GetUtcNow();

    private ISemanticIndexGrain NewPartition(string workspaceId = "ws-a") =>
        cluster.Client.GetGrain<ISemanticIndexGrain>(SemanticIndexKey.Of(workspaceId, Guid.NewGuid().ToString("N")));

    private SemanticVector Vector(string hash, float x, float y, TimeSpan? lifetime = null)
    {
        var norm = MathF.Sqrt((x * x) + (y * y));
        return new SemanticVector(hash, [x / norm, y / norm, 0], Now + (lifetime ?? TimeSpan.FromHours(1)));
    }

    private static async Task<string[]> FoundAsync(ISemanticIndexGrain grain, float x, float y, float threshold = 0.9f, int limit = 10)
    {
        var norm = MathF.Sqrt((x * x) + (y * y));
        var found = await grain.SearchAsync([x / norm, y / norm, 0], threshold, limit);
        return found.Select(c => c.Hash).ToArray();
    }

    private int Writes(ISemanticIndexGrain grain) => cluster.Storage.WriteCount(grain.GetGrainId());

    private async Task DeactivateAsync(ISemanticIndexGrain grain)
    {
        await cluster.Cluster.DeactivateAsync(grain);
        await cluster.Cluster.WaitForDeactivationAsync(grain);
    }

    [Fact]
    public async Task SearchAsync_AddedVectors_AboveTheThresholdMostSimilarFirst()
    {
        var grain = NewPartition();
        await grain.AddAsync(Vector("paris", 1, 0));
        await grain.AddAsync(Vector("near-paris", 1, 0.2f));
        await grain.AddAsync(Vector("berlin", 0, 1));

        var found = await grain.SearchAsync([1, 0, 0], 0.9f, 5);

        Assert.Equal(["paris", "near-paris"], found.Select(c => c.Hash));
        Assert.Equal([1f, 1 / MathF.Sqrt(1.04f)], found.Select(c => c.Similarity), (a, b) => MathF.Abs(a - b) < 1e-6f);
        Assert.Equal(["paris"], await FoundAsync(grain, 1, 0, limit: 1));
    }

    [Fact]
    public async Task SearchAsync_AnotherPartition_FindsNoneOfThisOnesVectors()
    {
        var grain = NewPartition();
        await grain.AddAsync(Vector("paris", 1, 0));

        Assert.Empty(await FoundAsync(NewPartition(), 1, 0));
        Assert.Empty(await FoundAsync(NewPartition("ws-b"), 1, 0));
        Assert.Equal(["paris"], await FoundAsync(grain, 1, 0));
    }

    [Fact]
    public async Task AddAsync_SameHash_ReplacesTheVector()
    {
        var grain = NewPartition();
        await grain.AddAsync(Vector("a", 1, 0));

        await grain.AddAsync(Vector("a", 0, 1));

        Assert.Empty(await FoundAsync(grain, 1, 0));
        Assert.Equal(["a"], await FoundAsync(grain, 0, 1));
    }

    [Fact]
    public async Task SearchAsync_EntryExpired_NeverMatches()
    {
        var grain = NewPartition();
        await grain.AddAsync(Vector("short", 1, 0, TimeSpan.FromMinutes(1)));
        await grain.AddAsync(Vector("long", 1, 0, TimeSpan.FromMinutes(10)));

        var before = await FoundAsync(grain, 1, 0);
        cluster.Time.Advance(TimeSpan.FromMinutes(1));
        var after = await FoundAsync(grain, 1, 0);

        Assert.Equal(["long", "short"], before);
        Assert.Equal(["long"], after);
    }

    [Fact]
    public async Task ForgetAsync_Hashes_NoLongerFound()
    {
        var grain = NewPartition();
        await grain.AddAsync(Vector("a", 1, 0));
        await grain.AddAsync(Vector("b", 1, 0.1f));
        await grain.AddAsync(Vector("c", 1, 0.2f));

        await grain.ForgetAsync(["a", "c", "unknown"]);

        Assert.Equal(["b"], await FoundAsync(grain, 1, 0));
    }

    [Fact]
    public async Task AddAsync_PastTheSizeLimit_ForgetsTheOldestFirst()
    {
        var grain = NewPartition();
        for (var i = 0; i < SemanticIndexCluster.MaxVectors + 2; i++)
        {
            await grain.AddAsync(Vector($"h{i}", 1, 0));
        }

        Assert.Equal(["h5", "h4", "h3", "h2"], await FoundAsync(grain, 1, 0));
    }

    [Fact]
    public async Task AddAsync_WrongDimensions_TheCallerGetsTheError()
    {
        var grain = NewPartition();
        await grain.AddAsync(Vector("a", 1, 0));

        await Assert.ThrowsAsync<ArgumentException>(() => grain.AddAsync(new SemanticVector("b", [1, 0], Now.AddHours(1))));
        await Assert.ThrowsAsync<ArgumentException>(() => grain.SearchAsync([1, 0], 0.5f, 1));
        Assert.Equal(["a"], await FoundAsync(grain, 1, 0));
    }

    [Fact]
    public async Task AddAsync_SeveralChanges_StoredOnceAtTheWriteInterval()
    {
        var grain = NewPartition();
        await grain.AddAsync(Vector("a", 1, 0));
        await grain.AddAsync(Vector("b", 0, 1));
        await grain.ForgetAsync(["a"]);
        await grain.AddAsync(Vector("c", 1, 1));
        Assert.Equal(0, Writes(grain));

        cluster.Time.Advance(SemanticIndexCluster.WriteInterval);
        await Eventually.Until(() => Writes(grain) == 1);
        await FoundAsync(grain, 1, 0);

        Assert.Equal(1, Writes(grain));
    }

    [Fact]
    public async Task Deactivation_Changed_StoredAndTheNextActivationFindsTheVectors()
    {
        var grain = NewPartition();
        await grain.AddAsync(Vector("a", 1, 0));
        await grain.AddAsync(Vector("b", 1, 0.1f, TimeSpan.FromMinutes(5)));

        await DeactivateAsync(grain);
        var writes = Writes(grain);
        var found = await grain.SearchAsync([1, 0, 0], 0.9f, 10);

        Assert.Equal(1, writes);
        Assert.Equal(["a", "b"], found.Select(c => c.Hash));
        Assert.Equal(1f, found[0].Similarity, 6);
        Assert.Equal(1 / MathF.Sqrt(1.01f), found[1].Similarity, 6);
    }

    [Fact]
    public async Task Deactivation_Unchanged_NotStoredAgain()
    {
        var grain = NewPartition();
        await grain.AddAsync(Vector("a", 1, 0));
        await DeactivateAsync(grain);

        Assert.Equal(["a"], await FoundAsync(grain, 1, 0));
        await DeactivateAsync(grain);

        Assert.Equal(1, Writes(grain));
    }

    [Fact]
    public async Task Reactivation_EveryVectorExpired_StoredStateCleared()
    {
        var grain = NewPartition();
        await grain.AddAsync(Vector("a", 1, 0, TimeSpan.FromMinutes(1)));
        await DeactivateAsync(grain);
        Assert.NotNull(cluster.Storage.Peek("vectors", grain.GetGrainId()));

        cluster.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty(await FoundAsync(grain, 1, 0));
        cluster.Time.Advance(SemanticIndexCluster.WriteInterval);

        await Eventually.Until(() => cluster.Storage.Peek("vectors", grain.GetGrainId()) is null);
    }

    [Fact]
    public async Task WriteInterval_SomeExpired_StoresTheRestOnly()
    {
        var grain = NewPartition();
        var expires = Now + TimeSpan.FromHours(1);
        await grain.AddAsync(Vector("short", 1, 0, SemanticIndexCluster.WriteInterval));
        await grain.AddAsync(new SemanticVector("long", [0.6f, 0.8f, 0], expires));

        cluster.Time.Advance(SemanticIndexCluster.WriteInterval);
        await Eventually.Until(() => Writes(grain) == 1);

        var stored = cluster.Stored(grain)!;
        Assert.Equal(3, stored.Dimensions);
        Assert.Equal(["long"], stored.Hashes);
        Assert.Equal([expires.UtcTicks], stored.ExpiresAt);
        Assert.Equal([0.6f, 0.8f, 0f], System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(stored.Vectors).ToArray());
    }

    [Fact]
    public async Task WriteInterval_StoreFailed_StillChangedAndStoredAtDeactivation()
    {
        var grain = NewPartition();
        await grain.AddAsync(Vector("a", 1, 0));
        var hold = cluster.Storage.HoldNextWrite(grain.GetGrainId());

        cluster.Time.Advance(SemanticIndexCluster.WriteInterval);
        await hold.WriteStarted.WaitAsync(TimeSpan.FromSeconds(30));
        hold.Fail();
        await DeactivateAsync(grain);

        Assert.Equal(1, Writes(grain));
        Assert.Equal(["a"], cluster.Stored(grain)!.Hashes);
        Assert.Equal(["a"], await FoundAsync(grain, 1, 0));
    }

    [Fact]
    public async Task SearchAsync_VectorsOfTheLocalModelsSize_TheSameVectorFound()
    {
        var grain = cluster.Client.GetGrain<ISemanticIndexGrain>(SemanticIndexKey.Of("ws-a", "dimensions-384"));
        var random = new Random(11);
        float[] RandomUnit()
        {
            var v = Enumerable.Range(0, 384).Select(_ => random.NextSingle() - 0.5f).ToArray();
            TensorPrimitives.Divide(v, TensorPrimitives.Norm(v), v);
            return v;
        }

        var vectors = Enumerable.Range(0, SemanticIndexCluster.MaxVectors).Select(_ => RandomUnit()).ToArray();
        for (var i = 0; i < vectors.Length; i++)
        {
            await grain.AddAsync(new SemanticVector($"h{i}", vectors[i], Now.AddHours(1)));
        }

        var found = await grain.SearchAsync(vectors[2], 0.99f, 3);

        Assert.Equal("h2", Assert.Single(found).Hash);
    }
}
