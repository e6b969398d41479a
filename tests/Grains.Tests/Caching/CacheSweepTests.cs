namespace Switchyard.Grains.Tests.Caching;

/// <summary>The silos' background sweep (src/Grains/Caching/CacheSweep.cs), set off by the fake clock.</summary>
[Collection(CacheCollection.Name)]
public sealed class CacheSweepTests(CacheCluster cluster)
{
    [Fact]
    public async Task SweepInterval_AnExpiredEntryNobodyReads_ItsRowIsDeleted()
    {
        await using var door = await cluster.FrontDoorAsync();
        var workspace = CacheCluster.NewWorkspace();
        door.Store(cluster.Answer(workspace, "gone", lifetime: TimeSpan.FromMinutes(5)), refresh: false);
        door.Store(cluster.Answer(workspace, "kept", lifetime: CacheCluster.SweepInterval * 2), refresh: false);
        await door.FlushAsync(default);
        var storedBefore = cluster.IsStored(workspace, "gone");

        cluster.Time.Advance(CacheCluster.SweepInterval);

        await Eventually.Until(() => !cluster.IsStored(workspace, "gone"));
        Assert.True(storedBefore);
        Assert.True(cluster.IsStored(workspace, "kept"));
    }
}
