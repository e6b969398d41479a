using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Storage;
using Switchyard.State;

namespace Switchyard.Grains.Caching;

/// <summary>
/// The cache of one workspace (<see cref="ICacheWorkspaceGrain"/>): its <see cref="CacheIndex"/>, its lookup counts,
/// eviction past the byte budget (oldest first), invalidation and the sweep of expired rows. Entries are deleted in
/// their own <see cref="ICacheEntryGrain"/>s (and their vectors forgotten in their <see cref="ISemanticIndexGrain"/>);
/// one that could not be deleted stays indexed, so the next eviction, invalidation or sweep tries it again.
/// </summary>
/// <remarks>
/// The index is written at most every <see cref="ResponseCacheOptions.IndexWriteDelay"/> (a timer writes it when it
/// changed) and when the activation ends, not at every change: a write rewrites the whole index, and a busy workspace
/// registers entries many times a second. The price is a small window: a silo that dies loses the changes made since
/// the last write (at most that delay). Entries registered then stay stored but unindexed, so they are neither evicted
/// nor swept; each is still deleted by the first read after it expires. Counts reported then are lost, and entries
/// deleted then come back to the index, where deleting them again finds nothing.
/// </remarks>
internal sealed partial class CacheWorkspaceGrain : Grain, ICacheWorkspaceGrain
{
    /// <summary>How many entry grains one step of an eviction, invalidation or sweep calls at once.</summary>
    private const int Parallelism = 32;

    private readonly IPersistentState<CacheWorkspaceState> _state;
    private readonly ResponseCacheOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private CacheIndex _index = new([]);
    private bool _dirty;

    // What the directory was last told (null: nothing yet in this activation).
    private bool? _listedHolding;

    public CacheWorkspaceGrain(
        [PersistentState("cache-workspace", GrainStorage.Name)] IPersistentState<CacheWorkspaceState> state,
        IOptions<ResponseCacheOptions> options,
        TimeProvider time,
        ILogger<CacheWorkspaceGrain> logger)
    {
        _state = state;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    private string WorkspaceId => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _index = new CacheIndex(_state.State.ReadIndex());
        _state.State.ClearIndex();
        this.RegisterGrainTimer(WriteIfChangedAsync, new GrainTimerCreationOptions(_options.IndexWriteDelay, _options.IndexWriteDelay));
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => WriteIfChangedAsync(cancellationToken);

    public async Task RegisterAsync(CacheIndexEntry[] entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var entry in entries)
        {
            if (entry is null || entry.Size < 0)
            {
                throw new ArgumentException("An index entry must not be null nor have a negative size.", nameof(entries));
            }

            CacheEntryKey.Validate(WorkspaceId, entry.Hash);
        }

        var now = _time.GetUtcNow();
        foreach (var entry in entries)
        {
            if (entry.ExpiresAt > now)
            {
                _index.Put(entry);
                _dirty = true;
            }
        }

        var evicted = _index.EvictOver(_options.MaxWorkspaceBytes);
        if (evicted.Count > 0)
        {
            _dirty = true;
            var failed = await RemoveEntriesAsync(evicted);
            LogEvicted(_logger, WorkspaceId, evicted.Count - failed.Count, _options.MaxWorkspaceBytes);
        }

        await ListAsync();
    }

    public async Task CountAsync(CacheCounts[] counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        foreach (var count in counts)
        {
            if (count?.Namespace is null || count.Hits < 0 || count.SemanticHits < 0 || count.Misses < 0 || count.SemanticMisses < 0 || count.Refreshes < 0)
            {
                throw new ArgumentException("Lookup counts must name their namespace and not be negative.", nameof(counts));
            }
        }

        foreach (var count in counts)
        {
            if (!_state.State.Counts.TryGetValue(count.Namespace, out var tally))
            {
                tally = new CacheTally();
                _state.State.Counts.Add(count.Namespace, tally);
            }

            tally.Add(count);
            _dirty = true;
        }

        await ListAsync();
    }

    public Task<CacheStatistics[]> StatisticsAsync()
    {
        var now = _time.GetUtcNow();
        var held = new Dictionary<string, (long Entries, long Bytes)>(StringComparer.Ordinal);
        foreach (var entry in _index.Entries)
        {
            if (entry.ExpiresAt > now)
            {
                var (entries, bytes) = held.GetValueOrDefault(entry.Namespace);
                held[entry.Namespace] = (entries + 1, bytes + entry.Size);
            }
        }

        var statistics = held.Keys.Union(_state.State.Counts.Keys)
            .Order(StringComparer.Ordinal)
            .Select(ns =>
            {
                var (entries, bytes) = held.GetValueOrDefault(ns);
                var tally = _state.State.Counts.GetValueOrDefault(ns) ?? new CacheTally();
                return new CacheStatistics(WorkspaceId, ns, entries, bytes, tally.Hits, tally.SemanticHits, tally.Misses, tally.SemanticMisses, tally.Refreshes);
            })
            .ToArray();
        return Task.FromResult(statistics);
    }

    public async Task<long> InvalidateAsync(CacheInvalidation what)
    {
        ArgumentNullException.ThrowIfNull(what);
        if (what.WorkspaceId is { } target && target != WorkspaceId)
        {
            throw new ArgumentException($"An invalidation of workspace {target} reached the cache of {WorkspaceId}.", nameof(what));
        }

        var matched = _index.RemoveMatching(WorkspaceId, what);
        if (matched.Count == 0)
        {
            return 0;
        }

        _dirty = true;
        var failed = await RemoveEntriesAsync(matched);
        await ListAsync();
        LogInvalidated(_logger, WorkspaceId, matched.Count - failed.Count, what);
        if (failed.Count > 0)
        {
            throw new InvalidOperationException(
                $"{failed.Count} of the {matched.Count} cache entries of workspace {WorkspaceId} that the invalidation matched could not be deleted; invalidate again.");
        }

        return matched.Count;
    }

    public async Task<int> SweepAsync()
    {
        var expired = _index.Expired(_time.GetUtcNow());
        var deleted = 0;
        for (var start = 0; start < expired.Count; start += Parallelism)
        {
            var step = expired.GetRange(start, Math.Min(Parallelism, expired.Count - start));
            var gone = await Task.WhenAll(step.Select(TryExpireAsync));
            for (var i = 0; i < step.Count; i++)
            {
                if (gone[i])
                {
                    _index.Remove(step[i].Hash);
                    _dirty = true;
                    deleted++;
                }
            }
        }

        if (deleted > 0)
        {
            LogSwept(_logger, WorkspaceId, deleted);
        }

        await ListAsync();
        return deleted;
    }

    /// <summary>
    /// Deletes the entries (already out of the index) from their grains and forgets their vectors; the ones that could
    /// not be deleted go back into the index and are returned.
    /// </summary>
    private async Task<List<CacheIndexEntry>> RemoveEntriesAsync(List<CacheIndexEntry> entries)
    {
        var failed = new List<CacheIndexEntry>();
        var removed = new List<CacheIndexEntry>(entries.Count);
        for (var start = 0; start < entries.Count; start += Parallelism)
        {
            var step = entries.GetRange(start, Math.Min(Parallelism, entries.Count - start));
            var done = await Task.WhenAll(step.Select(TryRemoveAsync));
            for (var i = 0; i < step.Count; i++)
            {
                (done[i] ? removed : failed).Add(step[i]);
            }
        }

        foreach (var entry in failed)
        {
            _index.Put(entry);
        }

        await ForgetVectorsAsync(removed);
        return failed;
    }

    private async Task<bool> TryRemoveAsync(CacheIndexEntry entry)
    {
        try
        {
            await GrainFactory.GetGrain<ICacheEntryGrain>(CacheEntryKey.Of(WorkspaceId, entry.Hash)).RemoveAsync();
            return true;
        }
        catch (Exception ex)
        {
            LogDeleteFailed(_logger, WorkspaceId, entry.Hash, ex);
            return false;
        }
    }

    private async Task<bool> TryExpireAsync(CacheIndexEntry entry)
    {
        try
        {
            // False when the entry was stored again since (its registration, with the new expiry, is on its way).
            return await GrainFactory.GetGrain<ICacheEntryGrain>(CacheEntryKey.Of(WorkspaceId, entry.Hash)).ExpireAsync();
        }
        catch (Exception ex)
        {
            LogDeleteFailed(_logger, WorkspaceId, entry.Hash, ex);
            return false;
        }
    }

    /// <summary>Tells each semantic partition of the entries to forget their vectors. A vector left behind finds an entry that is gone: a miss.</summary>
    private async Task ForgetVectorsAsync(List<CacheIndexEntry> removed)
    {
        var partitions = removed.Where(e => e.SemanticPartition is not null).GroupBy(e => e.SemanticPartition!, StringComparer.Ordinal);
        await Task.WhenAll(partitions.Select(async partition =>
        {
            try
            {
                var index = GrainFactory.GetGrain<ISemanticIndexGrain>(SemanticIndexKey.Of(WorkspaceId, partition.Key));
                await index.ForgetAsync([.. partition.Select(e => e.Hash)]);
            }
            catch (Exception ex)
            {
                LogForgetFailed(_logger, WorkspaceId, partition.Key, ex);
            }
        }));
    }

    /// <summary>Tells the directory when this workspace starts or stops holding entries (once per change, retried at the next one if it failed).</summary>
    private async Task ListAsync()
    {
        var holding = _index.Count > 0;
        if (_listedHolding == holding)
        {
            return;
        }

        try
        {
            await GrainFactory.GetGrain<ICacheDirectoryGrain>(ICacheDirectoryGrain.Key).ListAsync(WorkspaceId, holding);
            _listedHolding = holding;
        }
        catch (Exception ex)
        {
            LogListFailed(_logger, WorkspaceId, ex);
        }
    }

    private async Task WriteIfChangedAsync(CancellationToken cancellationToken)
    {
        if (!_dirty)
        {
            return;
        }

        _state.State.SetIndex(_index.Entries);
        try
        {
            await _state.WriteStateAsync(cancellationToken);
            _dirty = false;
        }
        catch (InconsistentStateException ex)
        {
            // Another activation wrote the index: this one's view is stale, and a fresh activation reads the truth.
            LogWriteFailed(_logger, WorkspaceId, ex);
            DeactivateOnIdle();
        }
        catch (Exception ex)
        {
            // Still dirty: the next tick (or the deactivation) writes again.
            LogWriteFailed(_logger, WorkspaceId, ex);
        }
        finally
        {
            _state.State.ClearIndex();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cache of workspace {WorkspaceId}: evicted its {Count} oldest entries to stay within {Budget} bytes")]
    private static partial void LogEvicted(ILogger logger, string workspaceId, int count, long budget);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cache of workspace {WorkspaceId}: {Count} entries invalidated ({What})")]
    private static partial void LogInvalidated(ILogger logger, string workspaceId, int count, CacheInvalidation what);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Cache of workspace {WorkspaceId}: swept {Count} expired entries")]
    private static partial void LogSwept(ILogger logger, string workspaceId, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cache of workspace {WorkspaceId}: entry {Hash} could not be deleted; it stays indexed and is tried again")]
    private static partial void LogDeleteFailed(ILogger logger, string workspaceId, string hash, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cache of workspace {WorkspaceId}: the semantic partition {Partition} could not be told to forget vectors")]
    private static partial void LogForgetFailed(ILogger logger, string workspaceId, string partition, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cache of workspace {WorkspaceId}: the cache directory could not be told; tried again at the next change")]
    private static partial void LogListFailed(ILogger logger, string workspaceId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cache of workspace {WorkspaceId}: the index could not be written")]
    private static partial void LogWriteFailed(ILogger logger, string workspaceId, Exception exception);
}
