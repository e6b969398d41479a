using Switchyard.Grains.Caching;
using Switchyard.State;

namespace Switchyard.Grains.Tests.Caching;

[Collection(CacheCollection.Name)]
public sealed class CacheWorkspaceGrainTests(CacheCluster cluster)
{
    [Fact]
    public async Task RegisterAsync_PastTheBudget_EvictsTheOldestEntriesAndForgetsTheirVectors()
    {
        var workspace = CacheCluster.NewWorkspace();
        for (var i = 1; i <= 4; i++)
        {
            await cluster.StoreAsync(cluster.Answer(workspace, $"h{i}", age: TimeSpan.FromSeconds(i), partition: "p"));
        }

        var full = await cluster.Workspace(workspace).StatisticsAsync();
        await cluster.StoreAsync(cluster.Answer(workspace, "h5", age: TimeSpan.FromSeconds(5), partition: "p"));

        Assert.Equal([new CacheStatistics(workspace, "", 4, 4 * CacheCluster.AnswerSize, 0, 0, 0, 0, 0)], full);
        Assert.Equal([new CacheStatistics(workspace, "", 4, 4 * CacheCluster.AnswerSize, 0, 0, 0, 0, 0)], await cluster.Workspace(workspace).StatisticsAsync());
        Assert.Equal([false, true, true, true, true], Enumerable.Range(1, 5).Select(i => cluster.IsStored(workspace, $"h{i}")));
        var forget = Assert.Single(cluster.SemanticCallsTo(SemanticIndexKey.Of(workspace, "p")));
        Assert.Equal(nameof(ISemanticIndexGrain.ForgetAsync), forget.Method);
        Assert.Equal(["h1"], (string[])forget.Argument!);
    }

    [Fact]
    public async Task RegisterAsync_ManyAtOnceOverTheBudget_EvictsOldestFirstAcrossTheBatch()
    {
        var workspace = CacheCluster.NewWorkspace();
        var answers = Enumerable.Range(1, 6).Select(i => cluster.Answer(workspace, $"b{i}", age: TimeSpan.FromSeconds(7 - i))).ToArray();
        foreach (var answer in answers)
        {
            await cluster.Entry(workspace, answer.Hash).PutAsync(answer);
        }

        await cluster.Workspace(workspace).RegisterAsync([.. answers.Select(CacheIndexEntry.Of)]);

        // b6 is the oldest (created 1 s after now), b5 the next: both go.
        Assert.Equal([true, true, true, true, false, false], answers.Select(a => cluster.IsStored(workspace, a.Hash)));
    }

    [Fact]
    public async Task InvalidateAsync_ByNamespace_DeletesOnlyThatNamespace()
    {
        var workspace = await FourEntriesAsync();

        var deleted = await cluster.Workspace(workspace).InvalidateAsync(new CacheInvalidation(workspace, Namespace: "docs"));

        Assert.Equal(2, deleted);
        Assert.Equal([false, false, true, true], Stored(workspace));
    }

    [Fact]
    public async Task InvalidateAsync_ByModel_DeletesOnlyThatModel()
    {
        var workspace = await FourEntriesAsync();

        var deleted = await cluster.Workspace(workspace).InvalidateAsync(new CacheInvalidation(workspace, Model: "gpt-4o-mini"));

        Assert.Equal(2, deleted);
        Assert.Equal([true, false, true, false], Stored(workspace));
    }

    [Fact]
    public async Task InvalidateAsync_CreatedBefore_DeletesOnlyOlderEntries()
    {
        var workspace = await FourEntriesAsync();

        var deleted = await cluster.Workspace(workspace).InvalidateAsync(new CacheInvalidation(workspace, CreatedBefore: cluster.Now.AddSeconds(3)));

        Assert.Equal(2, deleted);
        Assert.Equal([false, false, true, true], Stored(workspace));
    }

    [Fact]
    public async Task InvalidateAsync_OneHash_DeletesOnlyThatEntry()
    {
        var workspace = await FourEntriesAsync();

        var deleted = await cluster.Workspace(workspace).InvalidateAsync(new CacheInvalidation(workspace, Hash: "i3"));

        Assert.Equal(1, deleted);
        Assert.Equal([true, true, false, true], Stored(workspace));
    }

    [Fact]
    public async Task InvalidateAsync_EveryFieldSet_DeletesOnlyWhatMatchesThemAll()
    {
        var workspace = await FourEntriesAsync();

        var none = await cluster.Workspace(workspace).InvalidateAsync(new CacheInvalidation(workspace, "docs", "gpt-4o", cluster.Now.AddSeconds(2), "i2"));
        var one = await cluster.Workspace(workspace).InvalidateAsync(new CacheInvalidation(workspace, "docs", "gpt-4o-mini", cluster.Now.AddSeconds(3), "i2"));

        Assert.Equal((0, 1), (none, one));
        Assert.Equal([true, false, true, true], Stored(workspace));
    }

    [Fact]
    public async Task InvalidateAsync_NoWorkspace_DeletesEveryEntryAndTheirVectors()
    {
        var workspace = CacheCluster.NewWorkspace();
        await cluster.StoreAsync(cluster.Answer(workspace, "v1", partition: "q"));
        await cluster.StoreAsync(cluster.Answer(workspace, "v2", partition: "q"));

        var deleted = await cluster.Workspace(workspace).InvalidateAsync(new CacheInvalidation(null));

        Assert.Equal(2, deleted);
        Assert.False(cluster.IsStored(workspace, "v1") || cluster.IsStored(workspace, "v2"));
        Assert.Empty(await cluster.Workspace(workspace).StatisticsAsync());
        var forget = Assert.Single(cluster.SemanticCallsTo(SemanticIndexKey.Of(workspace, "q")));
        Assert.Equal(["v1", "v2"], ((string[])forget.Argument!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task InvalidateAsync_AnotherWorkspace_RefusedWithArgumentException()
    {
        var workspace = await FourEntriesAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => cluster.Workspace(workspace).InvalidateAsync(new CacheInvalidation(CacheCluster.NewWorkspace())));
        Assert.Equal([true, true, true, true], Stored(workspace));
    }

    [Fact]
    public async Task SweepAsync_SomeExpired_DeletesTheExpiredRowsOnly()
    {
        var workspace = CacheCluster.NewWorkspace();
        await cluster.StoreAsync(cluster.Answer(workspace, "s1", lifetime: TimeSpan.FromSeconds(10)));
        await cluster.StoreAsync(cluster.Answer(workspace, "s2", lifetime: TimeSpan.FromSeconds(20)));
        await cluster.StoreAsync(cluster.Answer(workspace, "s3", lifetime: TimeSpan.FromSeconds(30)));
        cluster.Time.Advance(TimeSpan.FromSeconds(20));

        var swept = await cluster.Workspace(workspace).SweepAsync();
        var again = await cluster.Workspace(workspace).SweepAsync();

        Assert.Equal((2, 0), (swept, again));
        Assert.Equal([false, false, true], new[] { "s1", "s2", "s3" }.Select(h => cluster.IsStored(workspace, h)));
        Assert.Equal([new CacheStatistics(workspace, "", 1, CacheCluster.AnswerSize, 0, 0, 0, 0, 0)], await cluster.Workspace(workspace).StatisticsAsync());
    }

    [Fact]
    public async Task SweepAsync_ExpiredInTheIndexButStoredAgain_KeepsTheNewEntry()
    {
        var workspace = CacheCluster.NewWorkspace();
        await cluster.StoreAsync(cluster.Answer(workspace, "n1", lifetime: TimeSpan.FromSeconds(10)));
        cluster.Time.Advance(TimeSpan.FromSeconds(10));

        // Stored again, its registration not yet arrived: the index still has the old expiry.
        await cluster.Entry(workspace, "n1").PutAsync(cluster.Answer(workspace, "n1", text: "new"));
        var swept = await cluster.Workspace(workspace).SweepAsync();

        Assert.Equal(0, swept);
        Assert.Equal("new", CacheEntryGrainTests.Text((await cluster.Entry(workspace, "n1").GetAsync())!));
    }

    [Fact]
    public async Task StatisticsAsync_CountsAndEntries_PerNamespace()
    {
        var workspace = await FourEntriesAsync();
        await cluster.Workspace(workspace).CountAsync([new CacheCounts("docs", 5, 1, 3, 2, 1), new CacheCounts("other", 0, 0, 4, 0, 0)]);
        await cluster.Workspace(workspace).CountAsync([new CacheCounts("docs", 1, 0, 0, 0, 0)]);

        var statistics = await cluster.Workspace(workspace).StatisticsAsync();

        Assert.Equal(
            [
                new CacheStatistics(workspace, "", 2, 2 * CacheCluster.AnswerSize, 0, 0, 0, 0, 0),
                new CacheStatistics(workspace, "docs", 2, 2 * CacheCluster.AnswerSize, 6, 1, 3, 2, 1),
                new CacheStatistics(workspace, "other", 0, 0, 0, 0, 4, 0, 0),
            ],
            statistics);
    }

    [Fact]
    public async Task StatisticsAsync_AnExpiredEntryNotYetSwept_NotCounted()
    {
        var workspace = CacheCluster.NewWorkspace();
        await cluster.StoreAsync(cluster.Answer(workspace, "x1", lifetime: TimeSpan.FromSeconds(5)));
        await cluster.StoreAsync(cluster.Answer(workspace, "x2"));
        cluster.Time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal([new CacheStatistics(workspace, "", 1, CacheCluster.AnswerSize, 0, 0, 0, 0, 0)], await cluster.Workspace(workspace).StatisticsAsync());
    }

    [Fact]
    public async Task RegisterAsync_IndexWrittenOnDeactivationNotAtEveryChange_AndReadBack()
    {
        var workspace = await FourEntriesAsync();
        await cluster.Workspace(workspace).CountAsync([new CacheCounts("docs", 2, 0, 1, 0, 0)]);
        var grainId = cluster.Workspace(workspace).GetGrainId();
        var writesBefore = cluster.Storage.WriteCount(grainId);

        await cluster.Cluster.DeactivateAsync(cluster.Workspace(workspace));
        var statistics = await cluster.Workspace(workspace).StatisticsAsync();

        Assert.Equal(0, writesBefore);
        Assert.Equal(1, cluster.Storage.WriteCount(grainId));
        Assert.Equal(
            [
                new CacheStatistics(workspace, "", 2, 2 * CacheCluster.AnswerSize, 0, 0, 0, 0, 0),
                new CacheStatistics(workspace, "docs", 2, 2 * CacheCluster.AnswerSize, 2, 0, 1, 0, 0),
            ],
            statistics);
    }

    /// <summary>
    /// i1 (docs, gpt-4o), i2 (docs, gpt-4o-mini), i3 (default, gpt-4o), i4 (default, gpt-4o-mini), created one second
    /// apart from now + 1 s.
    /// </summary>
    private async Task<string> FourEntriesAsync()
    {
        var workspace = CacheCluster.NewWorkspace();
        await cluster.StoreAsync(cluster.Answer(workspace, "i1", @namespace: "docs", model: "gpt-4o", age: TimeSpan.FromSeconds(1)));
        await cluster.StoreAsync(cluster.Answer(workspace, "i2", @namespace: "docs", model: "gpt-4o-mini", age: TimeSpan.FromSeconds(2)));
        await cluster.StoreAsync(cluster.Answer(workspace, "i3", model: "gpt-4o", age: TimeSpan.FromSeconds(3)));
        await cluster.StoreAsync(cluster.Answer(workspace, "i4", model: "gpt-4o-mini", age: TimeSpan.FromSeconds(4)));
        return workspace;
    }

    private bool[] Stored(string workspace) => [.. Enumerable.Range(1, 4).Select(i => cluster.IsStored(workspace, $"i{i}"))];
}
