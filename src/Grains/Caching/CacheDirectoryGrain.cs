using Microsoft.Extensions.Logging;
using Switchyard.State;

namespace Switchyard.Grains.Caching;

/// <summary>
/// The cluster's cache directory (<see cref="ICacheDirectoryGrain"/>). The workspace lists are stored before they are
/// answered; watches and the last sweep claim live in memory. A new activation (the silo died, the grain moved) has
/// no watches, so every front door's next renewal learns it missed drops and forgets its local copies; and it lets the
/// first silo that asks sweep at once.
/// </summary>
internal sealed partial class CacheDirectoryGrain(
    [PersistentState("cache-directory", GrainStorage.Name)] IPersistentState<CacheDirectoryState> directory,
    TimeProvider time,
    ILogger<CacheDirectoryGrain> logger) : Grain, ICacheDirectoryGrain
{
    /// <summary>How long a watch holds without renewal (front doors renew every 20 s, src/State.Orleans/Caching/ClusterResponseCache.cs).</summary>
    public static readonly TimeSpan WatchLifetime = TimeSpan.FromMinutes(1);

    private readonly Dictionary<string, Watch> _watches = new(StringComparer.Ordinal);
    private DateTimeOffset? _sweepClaimedAt;

    public async Task ListAsync(string workspaceId, bool holdsEntries)
    {
        ArgumentException.ThrowIfNullOrEmpty(workspaceId);
        var state = directory.State;
        var added = state.Workspaces.Add(workspaceId);
        var changed = holdsEntries ? state.Holding.Add(workspaceId) : state.Holding.Remove(workspaceId);
        if (!added && !changed)
        {
            return;
        }

        try
        {
            await directory.WriteStateAsync();
        }
        catch (Exception ex)
        {
            // The stored ETag is now unknown: a new activation reads the truth back, and the workspace tells again.
            LogStorageFailed(logger, workspaceId, ex);
            DeactivateOnIdle();
            throw;
        }
    }

    public Task<string[]> WorkspacesAsync() => Task.FromResult(directory.State.Workspaces.Order(StringComparer.Ordinal).ToArray());

    public Task<string[]> ClaimSweepAsync(TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);

        // Most of an interval, not all of it: silos' timers drift, and a claim a moment early must not skip a round.
        var now = time.GetUtcNow();
        if (_sweepClaimedAt is { } claimed && now - claimed < interval * 0.9)
        {
            return Task.FromResult<string[]>([]);
        }

        _sweepClaimedAt = now;
        return Task.FromResult(directory.State.Holding.Order(StringComparer.Ordinal).ToArray());
    }

    public Task<bool> WatchAsync(string holderId, ICacheWatcher watcher)
    {
        ArgumentException.ThrowIfNullOrEmpty(holderId);
        ArgumentNullException.ThrowIfNull(watcher);
        var now = time.GetUtcNow();
        var live = _watches.TryGetValue(holderId, out var watch) && watch.Expires > now;
        _watches[holderId] = new Watch(watcher, now + WatchLifetime);
        return Task.FromResult(live);
    }

    public Task BroadcastAsync(CacheInvalidation[] drops)
    {
        ArgumentNullException.ThrowIfNull(drops);
        if (drops.Length == 0)
        {
            return Task.CompletedTask;
        }

        var now = time.GetUtcNow();
        foreach (var (holderId, watch) in _watches)
        {
            if (watch.Expires <= now)
            {
                _watches.Remove(holderId);
                continue;
            }

            _ = PushAsync(holderId, watch.Observer, drops);
        }

        return Task.CompletedTask;
    }

    private async Task PushAsync(string holderId, ICacheWatcher observer, CacheInvalidation[] drops)
    {
        try
        {
            await observer.Dropped(drops);
        }
        catch (Exception ex)
        {
            LogPushFailed(logger, holderId, ex);
        }
    }

    private readonly record struct Watch(ICacheWatcher Observer, DateTimeOffset Expires);

    [LoggerMessage(Level = LogLevel.Error, Message = "Cache directory: workspace {WorkspaceId} could not be recorded; the activation is retired")]
    private static partial void LogStorageFailed(ILogger logger, string workspaceId, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Cache directory: drops could not be pushed to front door {HolderId}")]
    private static partial void LogPushFailed(ILogger logger, string holderId, Exception exception);
}
