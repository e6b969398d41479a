using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Switchyard.Grains.Caching;

namespace Switchyard.State.Orleans.Caching;

/// <summary>
/// A front door's response cache over the cluster's cache grains, co-hosted in a silo or as a plain Orleans client.
/// Reads go to a <see cref="LocalAnswerCache"/> first, then to the entry's <see cref="ICacheEntryGrain"/> (a hit there
/// is kept locally). Stores are kept locally at once and queued; one background writer puts them into their entry
/// grains, indexes them in their <see cref="ICacheWorkspaceGrain"/> and adds their vectors to their partition's
/// <see cref="ISemanticIndexGrain"/>. Lookup outcomes are counted here and reported every <see cref="CountEvery"/>.
/// </summary>
/// <remarks>
/// Every front door watches the <see cref="ICacheDirectoryGrain"/> (renewed every <see cref="RenewEvery"/>), which pushes
/// refreshes and invalidations to all of them; a renewal that finds its watch was not live (the directory moved, or this
/// process stalled) clears the local copies, since drops may have been missed meanwhile. So a local copy outlives its
/// invalidation by at most about a renewal period when the directory's silo dies.
/// A grain that cannot be reached costs a request nothing but a miss: failed reads, stores, registrations and reports
/// are logged (at most once a minute each) and dropped. An entry stored but not registered (its workspace grain was
/// away) is neither evicted nor swept; the first read after it expires deletes it. A store dropped from a full queue
/// is kept only in this front door's copies (a refresh among them drops no other front door's copy). Stores still
/// queued in another front door when an invalidation runs land after it.
/// </remarks>
internal sealed partial class ClusterResponseCache : IResponseCache, IAsyncDisposable
{
    /// <summary>How often counted lookups are reported (and a failed watch tried again).</summary>
    public static readonly TimeSpan CountEvery = TimeSpan.FromSeconds(1);

    /// <summary>How often the directory watch is renewed (well within its minute, src/Grains/Caching/CacheDirectoryGrain.cs).</summary>
    public static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(20);

    /// <summary>How often one kind of failure is logged at most.</summary>
    public static readonly TimeSpan LogEvery = TimeSpan.FromMinutes(1);

    /// <summary>The most queued stores the writer takes in one round.</summary>
    private const int BatchSize = 64;

    private readonly IGrainFactory _grains;
    private readonly ResponseCacheOptions _options;
    private readonly string _holderId;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly LocalAnswerCache _local;
    private readonly Channel<PendingStore> _queue;
    private readonly ConcurrentDictionary<(string WorkspaceId, string Namespace), OutcomeTally> _tallies = new();
    private readonly DropReceiver _watcher;
    private readonly SemaphoreSlim _tickGate = new(1, 1);
    private readonly ObserverReference<ICacheWatcher> _reference;
    private ITimer? _timer;
    private Task _writer = Task.CompletedTask;
    private Task _firstWatch = Task.CompletedTask;
    private TaskCompletionSource _progress = NewSignal();
    private DateTimeOffset _nextRenewal;
    private long _enqueued;
    private long _written;
    private long _dropped;
    private long _refused;
    private long _dropLoggedAt;
    private long _readFailureLoggedAt;
    private long _writeFailureLoggedAt;
    private long _watchFailureLoggedAt;
    private int _started;
    private int _disposed;

    public ClusterResponseCache(IGrainFactory grains, ResponseCacheOptions options, string holderId, TimeProvider time, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(holderId);
        options.Validate();
        _grains = grains;
        _options = options;
        _holderId = holderId;
        _time = time;
        _logger = logger;
        _local = new LocalAnswerCache(options.LocalBytes, time);
        _queue = Channel.CreateBounded<PendingStore>(new BoundedChannelOptions(options.StoreQueueLength)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });

        // The directory holds the watcher object only through a weak reference: this field keeps it alive.
        _watcher = new DropReceiver(_local);
        _reference = new ObserverReference<ICacheWatcher>(grains, _watcher, logger);
    }

    /// <summary>Stores dropped because the queue was full.</summary>
    public long DroppedStores => Interlocked.Read(ref _dropped);

    /// <summary>Stores refused because the answer was over <see cref="ResponseCacheOptions.MaxEntryBytes"/>.</summary>
    public long RefusedStores => Interlocked.Read(ref _refused);

    /// <summary>This front door's copies (tests, measurements).</summary>
    internal LocalAnswerCache Local => _local;

    /// <summary>The object the directory pushes to (tests: a push delivered by hand).</summary>
    internal ICacheWatcher Watcher => _watcher;

    /// <summary>Completes when the first watch of the directory has been answered (or failed); for tests.</summary>
    internal Task WhenWatching
    {
        get
        {
            Start();
            return _firstWatch;
        }
    }

    public async ValueTask<CachedAnswer?> GetAsync(string workspaceId, string hash, CancellationToken cancellationToken)
    {
        CacheEntryKey.Validate(workspaceId, hash);
        Start();
        if (_local.Get(workspaceId, hash) is { } local)
        {
            return local;
        }

        var dropsSeen = _local.Drops;
        CachedAnswer? answer;
        try
        {
            answer = await _grains.GetGrain<ICacheEntryGrain>(CacheEntryKey.Of(workspaceId, hash)).GetAsync().WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            if (Due(ref _readFailureLoggedAt))
            {
                LogReadFailed(_logger, workspaceId, ex);
            }

            return null;
        }

        // The grain answers for its key only; checked anyway, since a wrong tenant's answer must never be served.
        if (answer is null || answer.WorkspaceId != workspaceId || answer.Hash != hash)
        {
            return null;
        }

        _local.Put(answer, dropsSeen);
        return answer;
    }

    public void Store(CachedAnswer answer, bool refresh, ReadOnlyMemory<float> vector = default)
    {
        ArgumentNullException.ThrowIfNull(answer);
        CacheEntryKey.Validate(answer.WorkspaceId, answer.Hash);
        Start();
        if (answer.Size > _options.MaxEntryBytes)
        {
            Interlocked.Increment(ref _refused);
            return;
        }

        if (answer.ExpiresAt <= _time.GetUtcNow())
        {
            return;
        }

        _local.Put(answer);

        // The caller's vector may live in a buffer it reuses: the queue keeps a copy.
        var pending = new PendingStore(answer, refresh, vector.IsEmpty ? null : vector.ToArray());
        if (_queue.Writer.TryWrite(pending))
        {
            Interlocked.Increment(ref _enqueued);
            return;
        }

        var dropped = Interlocked.Increment(ref _dropped);
        if (Due(ref _dropLoggedAt))
        {
            LogStoreDropped(_logger, dropped, _options.StoreQueueLength);
        }
    }

    public void Count(string workspaceId, string @namespace, CacheOutcome outcome)
    {
        ArgumentException.ThrowIfNullOrEmpty(workspaceId);
        ArgumentNullException.ThrowIfNull(@namespace);
        Start();
        while (true)
        {
            var tally = _tallies.GetOrAdd((workspaceId, @namespace), static _ => new OutcomeTally());
            lock (tally.Gate)
            {
                // A tally retired by the reporter after it went idle: the next GetOrAdd finds its successor.
                if (tally.Retired)
                {
                    continue;
                }

                tally.Add(outcome);
                return;
            }
        }
    }

    public async Task<IReadOnlyList<SemanticMatch>> FindSimilarAsync(
        string workspaceId, string partition, ReadOnlyMemory<float> vector, float threshold, int limit, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(workspaceId);
        ArgumentException.ThrowIfNullOrEmpty(partition);
        if (vector.IsEmpty || limit <= 0)
        {
            return [];
        }

        try
        {
            var index = _grains.GetGrain<ISemanticIndexGrain>(SemanticIndexKey.Of(workspaceId, partition));
            var found = await index.SearchAsync(vector.ToArray(), threshold, limit).WaitAsync(cancellationToken);
            return [.. found.Select(c => new SemanticMatch(c.Hash, c.Similarity))];
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            if (Due(ref _readFailureLoggedAt))
            {
                LogReadFailed(_logger, workspaceId, ex);
            }

            return [];
        }
    }

    public async Task<IReadOnlyList<CacheStatistics>> StatisticsAsync(string? workspaceId, CancellationToken cancellationToken)
    {
        var workspaces = await WorkspacesAsync(workspaceId, cancellationToken);
        var statistics = await Task.WhenAll(workspaces.Select(w => _grains.GetGrain<ICacheWorkspaceGrain>(w).StatisticsAsync())).WaitAsync(cancellationToken);
        return [.. statistics.SelectMany(s => s)];
    }

    public async Task<long> InvalidateAsync(CacheInvalidation what, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(what);
        Start();

        // This front door's queued stores land first, so the invalidation deletes them too.
        await WaitForStoresAsync(cancellationToken);
        _local.Drop(what);
        var workspaces = await WorkspacesAsync(what.WorkspaceId, cancellationToken);
        long[] deleted;
        try
        {
            deleted = await Task.WhenAll(workspaces.Select(w => _grains.GetGrain<ICacheWorkspaceGrain>(w).InvalidateAsync(what))).WaitAsync(cancellationToken);
        }
        catch
        {
            // Some workspaces may have deleted theirs: other front doors drop their copies of those all the same.
            await TryBroadcastAsync([what]);
            throw;
        }

        // A read that began before the grains deleted may have put a copy back here; the broadcast reaches this front door too.
        _local.Drop(what);
        await Directory.BroadcastAsync([what]).WaitAsync(cancellationToken);
        return deleted.Sum();
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _started) == 0)
        {
            return;
        }

        await WaitForStoresAsync(cancellationToken);
        await _tickGate.WaitAsync(cancellationToken);
        try
        {
            await SendCountsAsync();
        }
        finally
        {
            _tickGate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _timer?.Dispose();
        _queue.Writer.TryComplete();
        await _writer;
        _reference.Release();
    }

    private ICacheDirectoryGrain Directory => _grains.GetGrain<ICacheDirectoryGrain>(ICacheDirectoryGrain.Key);

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Starts the writer, the first watch and the timer on first use (not at construction, which may come before the cluster is up).</summary>
    private void Start()
    {
        if (Volatile.Read(ref _started) == 1 || Interlocked.Exchange(ref _started, 1) == 1)
        {
            return;
        }

        _nextRenewal = _time.GetUtcNow() + RenewEvery;
        _writer = Task.Run(WriteLoopAsync);
        _firstWatch = Task.Run(async () =>
        {
            await _tickGate.WaitAsync();
            try
            {
                await WatchAsync();
            }
            finally
            {
                _tickGate.Release();
            }
        });
        _timer = _time.CreateTimer(static self => ((ClusterResponseCache)self!).OnTick(), this, CountEvery, CountEvery);
    }

    private async Task<string[]> WorkspacesAsync(string? workspaceId, CancellationToken cancellationToken) =>
        workspaceId is not null ? [workspaceId] : await Directory.WorkspacesAsync().WaitAsync(cancellationToken);

    /// <summary>Waits until every store queued before the call has been written (or has failed).</summary>
    private async Task WaitForStoresAsync(CancellationToken cancellationToken)
    {
        var target = Interlocked.Read(ref _enqueued);
        while (true)
        {
            // The signal is read before the count, so a round finishing in between still wakes this wait.
            var progress = Volatile.Read(ref _progress).Task;
            if (Interlocked.Read(ref _written) >= target)
            {
                return;
            }

            await progress.WaitAsync(cancellationToken);
        }
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingStore>(BatchSize);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < BatchSize && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }

            try
            {
                await WriteAsync(batch);
            }
            catch (Exception ex)
            {
                if (Due(ref _writeFailureLoggedAt))
                {
                    LogWriteFailed(_logger, batch.Count, ex);
                }
            }
            finally
            {
                Interlocked.Add(ref _written, batch.Count);
                batch.Clear();
                Interlocked.Exchange(ref _progress, NewSignal()).TrySetResult();
            }
        }
    }

    /// <summary>
    /// Puts a round of stores into their entry grains (the last store of a key in the round wins), registers the stored
    /// ones with their workspaces, adds their vectors, and drops the other front doors' copies of refreshed keys.
    /// </summary>
    private async Task WriteAsync(List<PendingStore> batch)
    {
        var latest = new Dictionary<(string, string), PendingStore>(batch.Count);
        var refreshes = new List<CacheInvalidation>();
        foreach (var pending in batch)
        {
            var answer = pending.Answer;
            latest[(answer.WorkspaceId, answer.Hash)] = pending;
            if (pending.Refresh)
            {
                // Older copies only: the refreshed answer this front door keeps is not older than itself.
                refreshes.Add(new CacheInvalidation(answer.WorkspaceId, Hash: answer.Hash, CreatedBefore: answer.CreatedAt));
            }
        }

        var items = latest.Values.ToArray();
        var stored = await Task.WhenAll(items.Select(PutAsync));
        var registrations = items.Where((_, i) => stored[i]).GroupBy(p => p.Answer.WorkspaceId, StringComparer.Ordinal);
        await Task.WhenAll(registrations.Select(g => RegisterAsync(g.Key, [.. g.Select(p => CacheIndexEntry.Of(p.Answer))])));
        await Task.WhenAll(items.Where((p, i) => stored[i] && p.Vector is not null && p.Answer.SemanticPartition is not null).Select(AddVectorAsync));
        if (refreshes.Count > 0)
        {
            await TryBroadcastAsync([.. refreshes]);
        }
    }

    private async Task<bool> PutAsync(PendingStore pending)
    {
        var answer = pending.Answer;
        var stored = false;
        await SendAsync(async () => stored = await _grains.GetGrain<ICacheEntryGrain>(CacheEntryKey.Of(answer.WorkspaceId, answer.Hash)).PutAsync(answer), 1);
        return stored;
    }

    private Task RegisterAsync(string workspaceId, CacheIndexEntry[] entries) =>
        SendAsync(() => _grains.GetGrain<ICacheWorkspaceGrain>(workspaceId).RegisterAsync(entries), entries.Length);

    private Task AddVectorAsync(PendingStore pending)
    {
        var answer = pending.Answer;
        var vector = new SemanticVector(answer.Hash, pending.Vector!, answer.ExpiresAt);
        return SendAsync(() => _grains.GetGrain<ISemanticIndexGrain>(SemanticIndexKey.Of(answer.WorkspaceId, answer.SemanticPartition!)).AddAsync(vector), 1);
    }

    private Task TryBroadcastAsync(CacheInvalidation[] drops) => SendAsync(() => Directory.BroadcastAsync(drops), drops.Length);

    /// <summary>
    /// Makes one background call to the cluster; a failure is logged (at most once a minute) and what it carried is
    /// dropped, never sent again: a retry could count or apply it twice when only the reply was lost.
    /// </summary>
    private async Task SendAsync(Func<Task> call, int count)
    {
        try
        {
            await call();
        }
        catch (Exception ex)
        {
            if (Due(ref _writeFailureLoggedAt))
            {
                LogWriteFailed(_logger, count, ex);
            }
        }
    }

    private void OnTick()
    {
        if (Volatile.Read(ref _disposed) == 0)
        {
            _ = TickAsync();
        }
    }

    private async Task TickAsync()
    {
        // The previous tick is still waiting on the cluster: this one is skipped, its counts go with the next.
        if (!_tickGate.Wait(0))
        {
            return;
        }

        try
        {
            await SendCountsAsync();
            if (_time.GetUtcNow() >= _nextRenewal)
            {
                await WatchAsync();
            }
        }
        finally
        {
            _tickGate.Release();
        }
    }

    /// <summary>Renews the watch; clears the local copies when the directory says the watch was not live (drops may have been missed).</summary>
    private async Task WatchAsync()
    {
        try
        {
            var live = await Directory.WatchAsync(_holderId, Reference());
            if (!live)
            {
                _local.Clear();
            }

            _nextRenewal = _time.GetUtcNow() + RenewEvery;
        }
        catch (Exception ex)
        {
            // Tried again at the next tick.
            _nextRenewal = _time.GetUtcNow();
            if (Due(ref _watchFailureLoggedAt))
            {
                LogWatchFailed(_logger, ex);
            }
        }
    }

    /// <summary>Reports what was counted since the last report, one call per workspace; a tally idle for two reports is retired.</summary>
    private async Task SendCountsAsync()
    {
        Dictionary<string, List<CacheCounts>>? reports = null;
        foreach (var (key, tally) in _tallies)
        {
            CacheCounts? counts;
            lock (tally.Gate)
            {
                counts = tally.Take(key.Namespace);
                if (counts is null)
                {
                    if (++tally.IdleReports >= 2)
                    {
                        tally.Retired = true;
                        _tallies.TryRemove(new KeyValuePair<(string, string), OutcomeTally>(key, tally));
                    }

                    continue;
                }

                tally.IdleReports = 0;
            }

            reports ??= new Dictionary<string, List<CacheCounts>>(StringComparer.Ordinal);
            if (!reports.TryGetValue(key.WorkspaceId, out var list))
            {
                list = [];
                reports.Add(key.WorkspaceId, list);
            }

            list.Add(counts);
        }

        if (reports is not null)
        {
            await Task.WhenAll(reports.Select(r => ReportAsync(r.Key, [.. r.Value])));
        }
    }

    private Task ReportAsync(string workspaceId, CacheCounts[] counts) =>
        SendAsync(() => _grains.GetGrain<ICacheWorkspaceGrain>(workspaceId).CountAsync(counts), counts.Length);

    private ICacheWatcher Reference() => _reference.Get();

    /// <summary>True at most once per <see cref="LogEvery"/> for one kind of failure.</summary>
    private bool Due(ref long loggedAt)
    {
        var now = _time.GetTimestamp();
        var last = Interlocked.Read(ref loggedAt);
        if (last != 0 && _time.GetElapsedTime(last, now) < LogEvery)
        {
            return false;
        }

        return Interlocked.CompareExchange(ref loggedAt, now, last) == last;
    }

    private sealed record PendingStore(CachedAnswer Answer, bool Refresh, float[]? Vector);

    /// <summary>The lookups of one workspace and namespace since the last report; counted and taken under <see cref="Gate"/>.</summary>
    private sealed class OutcomeTally
    {
        private long _hits;
        private long _semanticHits;
        private long _misses;
        private long _semanticMisses;
        private long _refreshes;

        public Lock Gate { get; } = new();

        /// <summary>Removed from the dictionary: a count must go to its successor.</summary>
        public bool Retired { get; set; }

        public int IdleReports { get; set; }

        public void Add(CacheOutcome outcome)
        {
            switch (outcome)
            {
                case CacheOutcome.Hit:
                    _hits++;
                    break;
                case CacheOutcome.SemanticHit:
                    _semanticHits++;
                    break;
                case CacheOutcome.Miss:
                    _misses++;
                    break;
                case CacheOutcome.SemanticMiss:
                    _semanticMisses++;
                    break;
                case CacheOutcome.Refresh:
                    _refreshes++;
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "Not a cache outcome.");
            }
        }

        /// <summary>The counts since the last take, reset to zero; null when there were none.</summary>
        public CacheCounts? Take(string @namespace)
        {
            if ((_hits | _semanticHits | _misses | _semanticMisses | _refreshes) == 0)
            {
                return null;
            }

            var counts = new CacheCounts(@namespace, _hits, _semanticHits, _misses, _semanticMisses, _refreshes);
            _hits = _semanticHits = _misses = _semanticMisses = _refreshes = 0;
            return counts;
        }
    }

    /// <summary>The object the directory pushes to; Orleans holds it only weakly, so the owner keeps it.</summary>
    private sealed class DropReceiver(LocalAnswerCache local) : ICacheWatcher
    {
        public Task Dropped(CacheInvalidation[] drops)
        {
            foreach (var drop in drops)
            {
                local.Drop(drop);
            }

            return Task.CompletedTask;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Response cache: a lookup in workspace {WorkspaceId} could not reach the cluster and counts as a miss")]
    private static partial void LogReadFailed(ILogger logger, string workspaceId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Response cache: the store queue ({Length}) is full; answers are not cached ({Dropped} dropped so far)")]
    private static partial void LogStoreDropped(ILogger logger, long dropped, int length);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Response cache: {Count} stores, registrations, counts or drops could not reach the cluster and were dropped")]
    private static partial void LogWriteFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Response cache: could not watch the cache directory; tried again in a second")]
    private static partial void LogWatchFailed(ILogger logger, Exception exception);

}
