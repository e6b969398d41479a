using Switchyard.Grains.Caching;
using Switchyard.State;

namespace Switchyard.Grains.Tests.Caching;

[Collection(CacheCollection.Name)]
public sealed class CacheDirectoryGrainTests(CacheCluster cluster)
{
    private ICacheDirectoryGrain Directory => cluster.Client.GetGrain<ICacheDirectoryGrain>(ICacheDirectoryGrain.Key);

    [Fact]
    public async Task ListAsync_ThenDeactivation_WorkspacesKeptAndOnlyHoldersClaimedForTheSweep()
    {
        var holding = CacheCluster.NewWorkspace();
        var counting = CacheCluster.NewWorkspace();
        var emptied = CacheCluster.NewWorkspace();
        await Directory.ListAsync(holding, holdsEntries: true);
        await Directory.ListAsync(counting, holdsEntries: false);
        await Directory.ListAsync(emptied, holdsEntries: true);
        await Directory.ListAsync(emptied, holdsEntries: false);

        await cluster.Cluster.DeactivateAsync(Directory);
        var workspaces = await Directory.WorkspacesAsync();
        var swept = await Directory.ClaimSweepAsync(TimeSpan.FromSeconds(1));

        Assert.Subset(workspaces.ToHashSet(), new HashSet<string> { holding, counting, emptied });
        Assert.Contains(holding, swept);
        Assert.DoesNotContain(counting, swept);
        Assert.DoesNotContain(emptied, swept);
    }

    [Fact]
    public async Task ClaimSweepAsync_AgainWithinTheInterval_NoWorkspaces()
    {
        var workspace = CacheCluster.NewWorkspace();
        await Directory.ListAsync(workspace, holdsEntries: true);
        var interval = TimeSpan.FromSeconds(10);
        cluster.Time.Advance(interval);

        var first = await Directory.ClaimSweepAsync(interval);
        cluster.Time.Advance(interval * 0.8);
        var tooSoon = await Directory.ClaimSweepAsync(interval);
        cluster.Time.Advance(interval * 0.1);
        var due = await Directory.ClaimSweepAsync(interval);

        Assert.Contains(workspace, first);
        Assert.Empty(tooSoon);
        Assert.Contains(workspace, due);
    }

    [Fact]
    public async Task WatchAsync_FirstRenewedAndLapsed_FalseTrueFalse()
    {
        var watcher = cluster.Client.CreateObjectReference<ICacheWatcher>(new DropRecorder());
        var holder = "door-" + Guid.NewGuid().ToString("N");

        var first = await Directory.WatchAsync(holder, watcher);
        cluster.Time.Advance(CacheDirectoryGrain.WatchLifetime - TimeSpan.FromSeconds(1));
        var renewed = await Directory.WatchAsync(holder, watcher);
        cluster.Time.Advance(CacheDirectoryGrain.WatchLifetime);
        var lapsed = await Directory.WatchAsync(holder, watcher);

        Assert.Equal((false, true, false), (first, renewed, lapsed));
    }

    [Fact]
    public async Task BroadcastAsync_EveryLiveWatcher_ReceivesTheDrops()
    {
        var a = new DropRecorder();
        var b = new DropRecorder();
        await Directory.WatchAsync("door-" + Guid.NewGuid().ToString("N"), cluster.Client.CreateObjectReference<ICacheWatcher>(a));
        await Directory.WatchAsync("door-" + Guid.NewGuid().ToString("N"), cluster.Client.CreateObjectReference<ICacheWatcher>(b));
        var drop = new CacheInvalidation(CacheCluster.NewWorkspace(), Namespace: "docs", CreatedBefore: cluster.Now);

        await Directory.BroadcastAsync([drop]);

        Assert.Equal([drop], await a.ReceivedAsync(drop));
        Assert.Equal([drop], await b.ReceivedAsync(drop));
    }

    /// <summary>A watcher that keeps the drops pushed to it.</summary>
    private sealed class DropRecorder : ICacheWatcher
    {
        private readonly List<CacheInvalidation> _drops = [];
        private readonly Lock _gate = new();

        public Task Dropped(CacheInvalidation[] drops)
        {
            lock (_gate)
            {
                _drops.AddRange(drops);
            }

            return Task.CompletedTask;
        }

        /// <summary>The drops received once <paramref name="expected"/> is among them (10 s of real time at most).</summary>
        public async Task<IReadOnlyList<CacheInvalidation>> ReceivedAsync(CacheInvalidation expected)
        {
            await Eventually.Until(() =>
            {
                lock (_gate)
                {
                    return _drops.Contains(expected);
                }
            });
            lock (_gate)
            {
                return [.. _drops];
            }
        }
    }
}
