using Orleans.Concurrency;
using Switchyard.State;

namespace Switchyard.Grains.Caching;

/// <summary>
/// The cluster's one cache directory (key <see cref="Key"/>): which workspaces use the cache and which hold entries
/// (stored), which front doors watch for drops (in memory; each renews its watch), and whose turn the background sweep
/// is. It calls no other grain: workspaces and front doors call it, and it pushes drops one-way.
/// </summary>
[Alias("Switchyard.ICacheDirectoryGrain")]
public interface ICacheDirectoryGrain : IGrainWithIntegerKey
{
    /// <summary>The directory's only key.</summary>
    const long Key = 0;

    /// <summary>Records that the workspace uses the cache, and whether it holds entries now.</summary>
    [Alias("List")]
    Task ListAsync(string workspaceId, bool holdsEntries);

    /// <summary>Every workspace that ever used the cache.</summary>
    [Alias("Workspaces")]
    Task<string[]> WorkspacesAsync();

    /// <summary>
    /// The workspaces holding entries, when no silo claimed a sweep within most of <paramref name="interval"/>; else none.
    /// Every silo asks once an interval, so the cluster sweeps about once an interval whichever silos are up.
    /// </summary>
    [Alias("ClaimSweep")]
    Task<string[]> ClaimSweepAsync(TimeSpan interval);

    /// <summary>
    /// Registers <paramref name="watcher"/> for drops for <c>WatchLifetime</c>. True when the holder's previous watch was
    /// still live, so it missed nothing; false after a gap (a first watch, a lapse, or a directory that moved), when the
    /// front door must forget its local copies.
    /// </summary>
    [Alias("Watch")]
    Task<bool> WatchAsync(string holderId, ICacheWatcher watcher);

    /// <summary>Pushes <paramref name="drops"/> to every live watcher (one-way; this call does not wait for them).</summary>
    [Alias("Broadcast")]
    Task BroadcastAsync(CacheInvalidation[] drops);
}

/// <summary>A front door's local copy of cached answers, told what to drop.</summary>
[Alias("Switchyard.ICacheWatcher")]
public interface ICacheWatcher : IGrainObserver
{
    /// <summary>Drop every local copy one of <paramref name="drops"/> matches. One-way: a dead front door costs the directory nothing.</summary>
    [Alias("Dropped")]
    [OneWay]
    Task Dropped(CacheInvalidation[] drops);
}
