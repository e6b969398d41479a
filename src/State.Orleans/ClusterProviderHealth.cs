using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Switchyard.Grains;

namespace Switchyard.State.Orleans;

/// <summary>
/// A front door's side of the cluster's circuits (<see cref="IProviderHealthGrain"/>), co-hosted in a silo or as a plain
/// Orleans client: a mirror in memory that <see cref="Get"/> answers from. The first use of a target key watches its
/// grain (one <see cref="ICircuitWatcher"/> per front door), and the grain pushes every change; the watch is renewed
/// every <see cref="RenewEvery"/> for keys used since, and a key unused for <see cref="ForgetAfter"/> is forgotten.
/// Openings, closings and probe claims are calls to the grain whose answers update the mirror; sampled outcomes are
/// counted here and reported every <see cref="ReportEvery"/>. The mirror keeps the newest version it has seen of each
/// circuit, so a late push or answer never puts an older state back.
/// </summary>
/// <remarks>
/// When the grain cannot be reached, calls to it throw and the mirror keeps what it knew; the caller's own breaker
/// decides meanwhile (see src/Gateway/Health/CircuitBreakers.cs). Outcome counts that could not be reported are dropped:
/// resending them could count them twice, and the window they belong to passes soon anyway. A grain that lost its
/// watchers (its silo died, it moved) pushes to this front door again from the next renewal, whose answer also brings
/// the mirror up to date.
/// </remarks>
internal sealed partial class ClusterProviderHealth : IProviderHealth, IDisposable
{
    /// <summary>How often counted outcomes are reported.</summary>
    public static readonly TimeSpan ReportEvery = TimeSpan.FromMilliseconds(250);

    /// <summary>How often watches are renewed (well within the minute a watch holds at the grain, src/Grains/ProviderHealthGrain.cs).</summary>
    public static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(20);

    /// <summary>How long a key may go unused before this front door stops watching it and forgets it.</summary>
    public static readonly TimeSpan ForgetAfter = TimeSpan.FromMinutes(3);

    private readonly IGrainFactory _grains;
    private readonly string _holderId;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Mirror> _mirrors = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<Tally> _dirty = new();
    private readonly PushReceiver _watcher;
    private readonly SemaphoreSlim _tickGate = new(1, 1);
    private readonly ITimer _timer;
    private readonly ObserverReference<ICircuitWatcher> _reference;
    private DateTimeOffset _nextRenewal;
    private int _disposed;

    public ClusterProviderHealth(IGrainFactory grains, string holderId, TimeProvider time, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(holderId);
        _grains = grains;
        _holderId = holderId;
        _time = time;
        _logger = logger;

        // The grain holds the watcher object only through a weak reference: this field keeps it alive.
        _watcher = new PushReceiver(this);
        _reference = new ObserverReference<ICircuitWatcher>(grains, _watcher, logger);
        _nextRenewal = time.GetUtcNow() + RenewEvery;
        _timer = time.CreateTimer(static self => ((ClusterProviderHealth)self!).OnTick(), this, ReportEvery, ReportEvery);
    }

    public event Action<CircuitStatus>? Changed;

    /// <summary>This front door's name as a probe owner and watcher.</summary>
    public string HolderId => _holderId;

    /// <summary>The object the grains push to (for tests: a push delivered by hand).</summary>
    internal ICircuitWatcher Watcher => _watcher;

    public CircuitStatus Get(string targetKey) => Use(targetKey).Status;

    /// <summary>How long a first use waits for the grain's answer before going by what the mirror knows (closed).</summary>
    public static readonly TimeSpan FirstWatchWait = TimeSpan.FromSeconds(1);

    public async ValueTask<CircuitStatus> CurrentAsync(string targetKey, CancellationToken cancellationToken)
    {
        var mirror = Use(targetKey);
        if (!mirror.FirstWatch.Task.IsCompleted)
        {
            try
            {
                await mirror.FirstWatch.Task.WaitAsync(FirstWatchWait, _time, cancellationToken);
            }
            catch (TimeoutException)
            {
                // The grain is slow or away: this front door's own breaker decides meanwhile.
            }
        }

        return mirror.Status;
    }

    public IReadOnlyList<CircuitStatus> NotClosed() =>
        _mirrors.Values.Select(m => m.Status).Where(s => s.State != CircuitState.Closed).ToArray();

    public async Task PublishOpenAsync(string targetKey, DateTimeOffset openUntil, CancellationToken cancellationToken)
    {
        var mirror = Use(targetKey);
        Apply(mirror, await mirror.Grain.OpenAsync(openUntil).WaitAsync(cancellationToken));
    }

    public async Task PublishClosedAsync(string targetKey, CancellationToken cancellationToken)
    {
        var mirror = Use(targetKey);
        Apply(mirror, await mirror.Grain.CloseAsync().WaitAsync(cancellationToken));
    }

    /// <remarks>The grain judges by its own clock whether the break is over; <paramref name="now"/> is not sent.</remarks>
    public async Task<bool> TryClaimProbeAsync(string targetKey, DateTimeOffset now, DateTimeOffset probeExpiresAt, CancellationToken cancellationToken)
    {
        var mirror = Use(targetKey);
        var claim = await mirror.Grain.ClaimProbeAsync(_holderId, probeExpiresAt).WaitAsync(cancellationToken);
        Apply(mirror, claim.View);
        return claim.Won;
    }

    public void Record(string targetKey, CircuitThresholds thresholds, bool failure)
    {
        var mirror = Use(targetKey);
        if (!mirror.Tallies.TryGetValue(thresholds.Signature, out var tally))
        {
            tally = mirror.Tallies.GetOrAdd(thresholds.Signature, static (_, state) => new Tally(state.Mirror, state.Thresholds), (Mirror: mirror, Thresholds: thresholds));
        }

        if (failure)
        {
            Interlocked.Increment(ref tally.Failures);
        }
        else
        {
            Interlocked.Increment(ref tally.Successes);
        }

        if (Interlocked.Exchange(ref tally.Dirty, 1) == 0)
        {
            _dirty.Enqueue(tally);
        }
    }

    /// <summary>Completes when the first watch of <paramref name="targetKey"/> has been answered (or failed); for tests.</summary>
    internal Task WhenWatching(string targetKey) =>
        _mirrors.TryGetValue(targetKey, out var mirror) ? mirror.FirstWatch.Task : Task.CompletedTask;

    /// <summary>Reports the outcomes counted so far, after any report already under way; for tests and shutdown.</summary>
    internal async Task FlushAsync()
    {
        await _tickGate.WaitAsync();
        try
        {
            var work = new List<Task>();
            SendReports(work);
            await Task.WhenAll(work);
        }
        finally
        {
            _tickGate.Release();
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _timer.Dispose();
        _reference.Release();
    }

    private Mirror Use(string targetKey)
    {
        if (!_mirrors.TryGetValue(targetKey, out var mirror))
        {
            var fresh = new Mirror(targetKey, _grains.GetGrain<IProviderHealthGrain>(targetKey), _time.GetUtcNow());
            mirror = _mirrors.GetOrAdd(targetKey, fresh);
            if (ReferenceEquals(mirror, fresh))
            {
                _ = WatchAsync(fresh);
            }
        }

        mirror.Touch();
        return mirror;
    }

    /// <summary>Takes <paramref name="view"/> when it is newer than what the mirror holds; raises <see cref="Changed"/> when the state differs.</summary>
    private void Apply(Mirror mirror, CircuitView view)
    {
        lock (mirror.Gate)
        {
            if (view.Version <= mirror.Version)
            {
                return;
            }

            mirror.Version = view.Version;
            var status = new CircuitStatus(mirror.Key, view.State, view.OpenUntil, view.ProbeOwner, view.ProbeExpiresAt);
            if (status == mirror.Status)
            {
                return;
            }

            mirror.Status = status;

            // Raised under the mirror's lock, so handlers see one key's changes in version order.
            try
            {
                Changed?.Invoke(status);
            }
            catch (Exception ex)
            {
                LogHandlerFailed(_logger, mirror.Key, ex);
            }
        }
    }

    private void OnPushed(CircuitView view)
    {
        // A push for a key this front door forgot: its watch lapses at the grain within a minute.
        if (_mirrors.TryGetValue(view.TargetKey, out var mirror))
        {
            Apply(mirror, view);
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
            var work = new List<Task>();
            SendReports(work);
            var now = _time.GetUtcNow();
            if (now >= _nextRenewal)
            {
                _nextRenewal = now + RenewEvery;
                Renew(now, work);
            }

            await Task.WhenAll(work);
        }
        finally
        {
            _tickGate.Release();
        }
    }

    private void SendReports(List<Task> work)
    {
        // Only the tallies dirty when the flush began: one counted meanwhile queues itself again for the next flush.
        for (var left = _dirty.Count; left > 0 && _dirty.TryDequeue(out var tally); left--)
        {
            Volatile.Write(ref tally.Dirty, 0);
            var successes = Interlocked.Exchange(ref tally.Successes, 0);
            var failures = Interlocked.Exchange(ref tally.Failures, 0);
            if (successes + failures == 0)
            {
                continue;
            }

            var t = tally.Thresholds;
            work.Add(ReportAsync(tally.Mirror, new OutcomeBatch(t.Signature, successes, failures, t.FailureRatio, t.MinimumThroughput, t.SamplingDuration, t.BreakDuration)));
        }
    }

    private void Renew(DateTimeOffset now, List<Task> work)
    {
        foreach (var mirror in _mirrors.Values)
        {
            if (mirror.TakeUsed())
            {
                mirror.LastUsed = now;
            }
            else if (now - mirror.LastUsed >= ForgetAfter)
            {
                _mirrors.TryRemove(new KeyValuePair<string, Mirror>(mirror.Key, mirror));
                LogForgotten(_logger, mirror.Key);
                continue;
            }

            work.Add(WatchAsync(mirror));
        }
    }

    private async Task ReportAsync(Mirror mirror, OutcomeBatch batch)
    {
        try
        {
            Apply(mirror, await mirror.Grain.ReportAsync(batch));
        }
        catch (Exception ex)
        {
            LogReportFailed(_logger, mirror.Key, batch.Successes, batch.Failures, ex);
        }
    }

    private async Task WatchAsync(Mirror mirror)
    {
        try
        {
            Apply(mirror, await mirror.Grain.WatchAsync(_holderId, Reference()));
        }
        catch (Exception ex)
        {
            // Tried again at the next renewal; meanwhile the mirror keeps what it knew.
            LogWatchFailed(_logger, mirror.Key, ex);
        }
        finally
        {
            mirror.FirstWatch.TrySetResult();
        }
    }

    private ICircuitWatcher Reference() => _reference.Get();

    /// <summary>What this front door knows of one circuit, and the outcomes it counted for it.</summary>
    private sealed class Mirror(string key, IProviderHealthGrain grain, DateTimeOffset now)
    {
        private volatile CircuitStatus _status = CircuitStatus.ClosedFor(key);
        private int _used;

        public string Key { get; } = key;

        public IProviderHealthGrain Grain { get; } = grain;

        public Lock Gate { get; } = new();

        /// <summary>Written under <see cref="Gate"/>, read without it.</summary>
        public CircuitStatus Status
        {
            get => _status;
            set => _status = value;
        }

        /// <summary>The newest version seen; under <see cref="Gate"/>. Below any the grain gives out until the first answer.</summary>
        public long Version { get; set; } = -1;

        /// <summary>When the key was last seen used by a renewal; read and written by the tick only.</summary>
        public DateTimeOffset LastUsed { get; set; } = now;

        public ConcurrentDictionary<string, Tally> Tallies { get; } = new(StringComparer.Ordinal);

        public TaskCompletionSource FirstWatch { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        // The hot path only reads the flag once set, so busy keys do not bounce a cache line between cores.
        public void Touch()
        {
            if (Volatile.Read(ref _used) == 0)
            {
                Volatile.Write(ref _used, 1);
            }
        }

        public bool TakeUsed() => Interlocked.Exchange(ref _used, 0) == 1;
    }

    /// <summary>Outcomes of one key and policy not yet reported; in the dirty queue while <see cref="Dirty"/> is 1.</summary>
    private sealed class Tally(Mirror mirror, CircuitThresholds thresholds)
    {
        public int Successes;
        public int Failures;
        public int Dirty;

        public Mirror Mirror { get; } = mirror;

        public CircuitThresholds Thresholds { get; } = thresholds;
    }

    /// <summary>The object the grains push to; Orleans holds it only weakly, so the owner keeps it.</summary>
    private sealed class PushReceiver(ClusterProviderHealth owner) : ICircuitWatcher
    {
        public Task CircuitChanged(CircuitView view)
        {
            owner.OnPushed(view);
            return Task.CompletedTask;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Circuit of {TargetKey}: could not watch the cluster's circuit; this front door's own breaker decides until the next renewal")]
    private static partial void LogWatchFailed(ILogger logger, string targetKey, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Circuit of {TargetKey}: could not report {Successes} successes and {Failures} failures to the cluster; they are dropped")]
    private static partial void LogReportFailed(ILogger logger, string targetKey, int successes, int failures, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Circuit of {TargetKey}: unused for a while, no longer watched")]
    private static partial void LogForgotten(ILogger logger, string targetKey);

    [LoggerMessage(Level = LogLevel.Error, Message = "Circuit of {TargetKey}: a Changed handler threw")]
    private static partial void LogHandlerFailed(ILogger logger, string targetKey, Exception exception);

}
