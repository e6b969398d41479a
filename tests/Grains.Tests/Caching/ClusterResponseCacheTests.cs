using Switchyard.Grains.Caching;
using Switchyard.State;

namespace Switchyard.Grains.Tests.Caching;

/// <summary>
/// <see cref="State.Orleans.Caching.ClusterResponseCache"/>: front doors' caches over the cluster. Several instances on
/// one client stand for several front doors (each with its own local copies and watch).
/// </summary>
[Collection(CacheCollection.Name)]
public sealed class ClusterResponseCacheTests(CacheCluster cluster)
{
    [Fact]
    public async Task GetAsync_StoredByAnotherFrontDoor_ReadFromTheGrainsAndKeptLocally()
    {
        await using var a = await cluster.FrontDoorAsync();
        await using var b = await cluster.FrontDoorAsync();
        var workspace = CacheCluster.NewWorkspace();
        var answer = cluster.Answer(workspace, "g1", @namespace: "docs");

        a.Store(answer, refresh: false);
        var atOnce = await a.GetAsync(workspace, "g1", default);
        await a.FlushAsync(default);
        var localBefore = b.Local.Count;
        var read = await b.GetAsync(workspace, "g1", default);

        Assert.Same(answer, atOnce);
        Assert.Equal(0, localBefore);
        Assert.NotNull(read);
        Assert.Equal(answer with { Body = read.Body }, read);
        Assert.Equal(answer.Body, read.Body);
        Assert.Equal([(workspace, "g1")], b.Local.Keys());
        Assert.Equal([new CacheStatistics(workspace, "docs", 1, CacheCluster.AnswerSize, 0, 0, 0, 0, 0)], await a.StatisticsAsync(workspace, default));
    }

    [Fact]
    public async Task GetAsync_SameHashInTwoWorkspaces_EachSeesOnlyItsOwn()
    {
        await using var a = await cluster.FrontDoorAsync();
        await using var b = await cluster.FrontDoorAsync();
        var first = CacheCluster.NewWorkspace();
        var second = CacheCluster.NewWorkspace();
        a.Store(cluster.Answer(first, "same", text: "first's"), refresh: false);
        await a.FlushAsync(default);

        var secondOnA = await a.GetAsync(second, "same", default);
        var secondOnB = await b.GetAsync(second, "same", default);
        var firstOnB = await b.GetAsync(first, "same", default);

        Assert.Null(secondOnA);
        Assert.Null(secondOnB);
        Assert.Equal("first's", CacheEntryGrainTests.Text(firstOnB!));
        Assert.Equal([(first, "same")], b.Local.Keys());
    }

    [Fact]
    public async Task GetAsync_LocalCopyExpired_NullFromEveryLevel()
    {
        await using var door = await cluster.FrontDoorAsync();
        var workspace = CacheCluster.NewWorkspace();
        door.Store(cluster.Answer(workspace, "t1", lifetime: TimeSpan.FromSeconds(10)), refresh: false);
        await door.FlushAsync(default);
        cluster.Time.Advance(TimeSpan.FromSeconds(9));
        var before = await door.GetAsync(workspace, "t1", default);

        cluster.Time.Advance(TimeSpan.FromSeconds(1));
        var after = await door.GetAsync(workspace, "t1", default);

        Assert.NotNull(before);
        Assert.Null(after);
        Assert.Equal(0, door.Local.Count);
        Assert.False(cluster.IsStored(workspace, "t1"));
    }

    [Fact]
    public async Task InvalidateAsync_OnOneFrontDoor_DropsAnotherFrontDoorsLocalCopies()
    {
        await using var a = await cluster.FrontDoorAsync();
        await using var b = await cluster.FrontDoorAsync();
        var workspace = CacheCluster.NewWorkspace();
        a.Store(cluster.Answer(workspace, "k1", @namespace: "docs"), refresh: false);
        a.Store(cluster.Answer(workspace, "k2", @namespace: "other"), refresh: false);
        await a.FlushAsync(default);
        await b.GetAsync(workspace, "k1", default);
        await b.GetAsync(workspace, "k2", default);

        var deleted = await a.InvalidateAsync(new CacheInvalidation(workspace, Namespace: "docs"), default);

        Assert.Equal(1, deleted);
        await Eventually.Until(() => b.Local.Keys().Count == 1);
        Assert.Equal([(workspace, "k2")], b.Local.Keys());
        Assert.Equal([(workspace, "k2")], a.Local.Keys());
        Assert.Null(await b.GetAsync(workspace, "k1", default));
        Assert.False(cluster.IsStored(workspace, "k1"));
    }

    [Fact]
    public async Task InvalidateAsync_NoWorkspace_CoversEveryWorkspace()
    {
        await using var a = await cluster.FrontDoorAsync();
        await using var b = await cluster.FrontDoorAsync();
        var first = CacheCluster.NewWorkspace();
        var second = CacheCluster.NewWorkspace();
        var space = "ns-" + Guid.NewGuid().ToString("N");
        a.Store(cluster.Answer(first, "w1", @namespace: space), refresh: false);
        a.Store(cluster.Answer(second, "w2", @namespace: space), refresh: false);
        a.Store(cluster.Answer(second, "w3"), refresh: false);
        await a.FlushAsync(default);
        await b.GetAsync(first, "w1", default);
        await b.GetAsync(second, "w2", default);

        var deleted = await a.InvalidateAsync(new CacheInvalidation(null, Namespace: space), default);

        Assert.Equal(2, deleted);
        Assert.Equal([false, false, true], new[] { (first, "w1"), (second, "w2"), (second, "w3") }.Select(k => cluster.IsStored(k.Item1, k.Item2)));
        await Eventually.Until(() => b.Local.Count == 0);
    }

    [Fact]
    public async Task Store_WithRefresh_DropsOtherFrontDoorsCopiesWhichThenReadTheNewAnswer()
    {
        await using var a = await cluster.FrontDoorAsync();
        await using var b = await cluster.FrontDoorAsync();
        var workspace = CacheCluster.NewWorkspace();
        a.Store(cluster.Answer(workspace, "f1", text: "old"), refresh: false);
        await a.FlushAsync(default);
        await b.GetAsync(workspace, "f1", default);
        cluster.Time.Advance(TimeSpan.FromSeconds(1));

        a.Store(cluster.Answer(workspace, "f1", text: "new"), refresh: true);
        await a.FlushAsync(default);

        await Eventually.Until(() => b.Local.Count == 0);
        Assert.Equal("new", CacheEntryGrainTests.Text((await a.GetAsync(workspace, "f1", default))!));
        Assert.Equal("new", CacheEntryGrainTests.Text((await b.GetAsync(workspace, "f1", default))!));
        Assert.Equal([(workspace, "f1")], a.Local.Keys());
    }

    [Fact]
    public async Task Store_QueueFull_DropsTheStoreAndCountsIt()
    {
        await using var door = await cluster.FrontDoorAsync(storeQueueLength: 2);
        var workspace = CacheCluster.NewWorkspace();
        cluster.Gate.Close();
        try
        {
            door.Store(cluster.Answer(workspace, "q1"), refresh: false);
            await cluster.Gate.StoreHeld.WaitAsync(TimeSpan.FromSeconds(10));
            door.Store(cluster.Answer(workspace, "q2"), refresh: false);
            door.Store(cluster.Answer(workspace, "q3"), refresh: false);
            door.Store(cluster.Answer(workspace, "q4"), refresh: false);
            Assert.Equal(1, door.DroppedStores);
        }
        finally
        {
            cluster.Gate.Open();
        }

        await door.FlushAsync(default);

        Assert.Equal([true, true, true, false], new[] { "q1", "q2", "q3", "q4" }.Select(h => cluster.IsStored(workspace, h)));
        Assert.Equal(1, door.DroppedStores);
    }

    [Fact]
    public async Task Store_OverTheEntryLimit_RefusedAndNotKept()
    {
        await using var door = await cluster.FrontDoorAsync();
        var workspace = CacheCluster.NewWorkspace();

        door.Store(cluster.Answer(workspace, "big") with { Body = new byte[CacheCluster.MaxEntryBytes] }, refresh: false);
        await door.FlushAsync(default);

        Assert.Equal(1, door.RefusedStores);
        Assert.Null(await door.GetAsync(workspace, "big", default));
        Assert.False(cluster.IsStored(workspace, "big"));
    }

    [Fact]
    public async Task Count_ThenFlushAsync_StatisticsPerNamespaceAcrossFrontDoors()
    {
        await using var a = await cluster.FrontDoorAsync();
        await using var b = await cluster.FrontDoorAsync();
        var workspace = CacheCluster.NewWorkspace();
        a.Store(cluster.Answer(workspace, "c1", @namespace: "docs"), refresh: false);
        foreach (var outcome in new[] { CacheOutcome.Hit, CacheOutcome.Hit, CacheOutcome.Miss, CacheOutcome.SemanticHit, CacheOutcome.SemanticMiss, CacheOutcome.Refresh })
        {
            a.Count(workspace, "docs", outcome);
        }

        b.Count(workspace, "docs", CacheOutcome.Hit);
        b.Count(workspace, "", CacheOutcome.Miss);

        await a.FlushAsync(default);
        await b.FlushAsync(default);

        Assert.Equal(
            [
                new CacheStatistics(workspace, "", 0, 0, 0, 0, 1, 0, 0),
                new CacheStatistics(workspace, "docs", 1, CacheCluster.AnswerSize, 3, 1, 1, 1, 1),
            ],
            await b.StatisticsAsync(workspace, default));
    }

    [Fact]
    public async Task StatisticsAsync_NoWorkspace_CoversEveryWorkspaceTheDirectoryKnows()
    {
        await using var door = await cluster.FrontDoorAsync();
        var first = CacheCluster.NewWorkspace();
        var second = CacheCluster.NewWorkspace();
        door.Store(cluster.Answer(first, "a"), refresh: false);
        door.Count(second, "", CacheOutcome.Miss);
        await door.FlushAsync(default);

        var statistics = await door.StatisticsAsync(null, default);

        Assert.Contains(new CacheStatistics(first, "", 1, CacheCluster.AnswerSize, 0, 0, 0, 0, 0), statistics);
        Assert.Contains(new CacheStatistics(second, "", 0, 0, 0, 0, 1, 0, 0), statistics);
    }

    [Fact]
    public async Task FindSimilarAsync_StoredWithAVector_FindsItsHashAboveTheThreshold()
    {
        await using var door = await cluster.FrontDoorAsync();
        var workspace = CacheCluster.NewWorkspace();
        var partition = "docs|openai|gpt-4o|" + Guid.NewGuid().ToString("N");
        door.Store(cluster.Answer(workspace, "near", partition: partition), refresh: false, vector: new float[] { 0.6f, 0.8f, 0f, 0f });
        door.Store(cluster.Answer(workspace, "far", partition: partition), refresh: false, vector: new float[] { 0f, 0f, 1f, 0f });
        await door.FlushAsync(default);

        var found = await door.FindSimilarAsync(workspace, partition, new float[] { 0.8f, 0.6f, 0f, 0f }, 0.9f, 5, default);
        var elsewhere = await door.FindSimilarAsync(CacheCluster.NewWorkspace(), partition, new float[] { 0.8f, 0.6f, 0f, 0f }, 0.9f, 5, default);

        var match = Assert.Single(found);
        Assert.Equal("near", match.Hash);
        Assert.Equal(0.96f, match.Similarity, 0.0001f);
        Assert.Empty(elsewhere);
    }

    [Fact]
    public async Task Renewal_AfterTheDirectoryLostItsWatches_LocalCopiesCleared()
    {
        await using var door = await cluster.FrontDoorAsync();
        var workspace = CacheCluster.NewWorkspace();
        door.Store(cluster.Answer(workspace, "m1"), refresh: false);
        await door.FlushAsync(default);

        await cluster.Cluster.DeactivateAsync(cluster.Client.GetGrain<ICacheDirectoryGrain>(ICacheDirectoryGrain.Key));
        var keptMeanwhile = door.Local.Count;
        cluster.Time.Advance(State.Orleans.Caching.ClusterResponseCache.RenewEvery);

        await Eventually.Until(() => door.Local.Count == 0);
        Assert.Equal(1, keptMeanwhile);
        Assert.NotNull(await door.GetAsync(workspace, "m1", default));
    }
}
