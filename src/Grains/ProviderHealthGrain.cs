using Microsoft.Extensions.Logging;
using Switchyard.State;

namespace Switchyard.Grains;

/// <summary>
/// The one authority for one target's circuit (the grain's key is the target key): closed, open until a time, or
/// half-open with one probe owner until its claim expires. Front doors publish openings and probe outcomes, claim the
/// probe, report outcome counts in batches (summed here over the sampling window, per breaker policy) and watch the
/// circuit; every change is stored before it is answered, then pushed to every live watcher.
/// </summary>
/// <remarks>
/// Idle circuits are forgotten: a closed circuit that saw no change and no report for its sampling window clears its
/// stored state, and an activation nobody called for two minutes is collected (front doors that still use the target
/// renew their watch every 20 s, which keeps it active). <see cref="CircuitView.Version"/> is at least the clock's
/// ticks at the change, so a circuit whose state was cleared and which comes back in a new activation still answers
/// with versions above any its earlier activation gave out, and watchers never mistake its news for stale.
/// </remarks>
[CollectionAgeLimit(Minutes = 2)]
internal sealed partial class ProviderHealthGrain(
    [PersistentState("circuit", GrainStorage.Name)] IPersistentState<ProviderHealthState> circuit,
    TimeProvider time,
    ILogger<ProviderHealthGrain> logger) : Grain, IProviderHealthGrain
{
    /// <summary>How long a watch holds without renewal.</summary>
    public static readonly TimeSpan WatchLifetime = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The least time a closed circuit keeps its stored state after its last change or report (the gateway's default
    /// sampling window, see src/Gateway/Health/CircuitBreakerOptions.cs); longer when a policy samples longer.
    /// </summary>
    public static readonly TimeSpan QuietAfter = TimeSpan.FromSeconds(30);

    private readonly Dictionary<string, OutcomeWindow> _windows = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Watch> _watches = new(StringComparer.Ordinal);
    private TimeSpan _quietSpan = QuietAfter;
    private DateTimeOffset _quietAt;

    private string Key => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _quietAt = time.GetUtcNow() + _quietSpan;
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        await TidyAsync(time.GetUtcNow());

    public async Task<CircuitView> GetAsync()
    {
        await TidyAsync(time.GetUtcNow());
        return View();
    }

    public async Task<CircuitView> OpenAsync(DateTimeOffset openUntil)
    {
        var now = time.GetUtcNow();
        await TidyAsync(now);
        var current = circuit.State;
        if (current.State == CircuitState.Open && current.OpenUntil == openUntil)
        {
            return View();
        }

        LogOpened(logger, Key, openUntil);
        return await CommitAsync(new ProviderHealthState { State = CircuitState.Open, OpenUntil = openUntil }, now);
    }

    public async Task<CircuitView> CloseAsync()
    {
        var now = time.GetUtcNow();
        await TidyAsync(now);
        if (circuit.State.State == CircuitState.Closed)
        {
            return View();
        }

        LogClosed(logger, Key);
        return await CommitAsync(new ProviderHealthState { State = CircuitState.Closed }, now);
    }

    public async Task<ProbeClaim> ClaimProbeAsync(string holderId, DateTimeOffset probeExpiresAt)
    {
        ArgumentException.ThrowIfNullOrEmpty(holderId);
        var now = time.GetUtcNow();
        await TidyAsync(now);
        var current = circuit.State;
        var free = current.State switch
        {
            CircuitState.Open => current.OpenUntil is { } until && now >= until,
            CircuitState.HalfOpen => current.ProbeExpiresAt is { } expires && now >= expires,
            _ => false,
        };
        if (!free)
        {
            return new ProbeClaim(false, View());
        }

        LogProbeClaimed(logger, Key, holderId, probeExpiresAt);
        var view = await CommitAsync(
            new ProviderHealthState { State = CircuitState.HalfOpen, OpenUntil = current.OpenUntil, ProbeOwner = holderId, ProbeExpiresAt = probeExpiresAt },
            now);
        return new ProbeClaim(true, view);
    }

    public async Task<CircuitView> ReportAsync(OutcomeBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Successes < 0 || batch.Failures < 0 || batch.SamplingDuration <= TimeSpan.Zero || batch.BreakDuration <= TimeSpan.Zero
            || batch.MinimumThroughput < 1 || !(batch.FailureRatio is > 0 and <= 1))
        {
            throw new ArgumentException($"The outcome batch of policy '{batch.PolicySignature}' is not valid: {batch}.", nameof(batch));
        }

        var now = time.GetUtcNow();
        await TidyAsync(now);

        // An open or half-open circuit samples nothing (its calls are skipped or are the probe), as Polly's breaker.
        if (circuit.State.State != CircuitState.Closed || batch.Successes + batch.Failures == 0)
        {
            return View();
        }

        if (batch.SamplingDuration > _quietSpan)
        {
            _quietSpan = batch.SamplingDuration;
        }

        if (now + _quietSpan > _quietAt)
        {
            _quietAt = now + _quietSpan;
        }

        if (!_windows.TryGetValue(batch.PolicySignature, out var window))
        {
            window = new OutcomeWindow(batch.SamplingDuration);
            _windows.Add(batch.PolicySignature, window);
        }

        window.Add(now, batch.Successes, batch.Failures);
        var (total, failures) = window.Totals(now);
        if (total < batch.MinimumThroughput || (double)failures / total < batch.FailureRatio)
        {
            return View();
        }

        LogOpenedByReports(logger, Key, failures, total, batch.BreakDuration.TotalMilliseconds);
        return await CommitAsync(new ProviderHealthState { State = CircuitState.Open, OpenUntil = now + batch.BreakDuration }, now);
    }

    public async Task<CircuitView> WatchAsync(string holderId, ICircuitWatcher watcher)
    {
        ArgumentException.ThrowIfNullOrEmpty(holderId);
        ArgumentNullException.ThrowIfNull(watcher);
        var now = time.GetUtcNow();
        await TidyAsync(now);
        if (_watches.TryGetValue(holderId, out var watch))
        {
            watch.Observer = watcher;
            watch.Expires = now + WatchLifetime;
        }
        else
        {
            _watches.Add(holderId, new Watch(watcher, now + WatchLifetime));
        }

        return View();
    }

    private CircuitView View()
    {
        var current = circuit.State;
        return new CircuitView(Key, current.State, current.OpenUntil, current.ProbeOwner, current.ProbeExpiresAt, current.Version);
    }

    /// <summary>Stores <paramref name="next"/> as the new state (restoring the old one if the write fails), then pushes it.</summary>
    private async Task<CircuitView> CommitAsync(ProviderHealthState next, DateTimeOffset now)
    {
        var previous = circuit.State;
        next.Version = Math.Max(previous.Version + 1, now.UtcTicks);
        circuit.State = next;
        try
        {
            await circuit.WriteStateAsync();
        }
        catch (Exception ex)
        {
            // The stored etag is now unknown (or another activation wrote): a new activation reads the truth back.
            circuit.State = previous;
            LogStorageFailed(logger, Key, ex);
            DeactivateOnIdle();
            throw;
        }

        // Every transition starts a fresh sample, as Polly's breaker resets its counts when it opens or closes.
        _windows.Clear();
        _quietAt = now + _quietSpan;
        var view = View();
        Notify(view, now);
        return view;
    }

    /// <summary>Forgets lapsed watches and expired counts, and clears the stored state of a closed circuit that went quiet.</summary>
    private async Task TidyAsync(DateTimeOffset now)
    {
        foreach (var (holderId, watch) in _watches)
        {
            if (watch.Expires <= now)
            {
                _watches.Remove(holderId);
            }
        }

        foreach (var (signature, window) in _windows)
        {
            if (window.IsEmpty(now))
            {
                _windows.Remove(signature);
            }
        }

        if (circuit.State.State != CircuitState.Closed || !circuit.RecordExists || now < _quietAt)
        {
            return;
        }

        var version = circuit.State.Version;
        try
        {
            await circuit.ClearStateAsync();
            LogCleared(logger, Key);
        }
        catch (Exception ex)
        {
            // A closed circuit's leftover row is harmless; the next activation tries again.
            LogStorageFailed(logger, Key, ex);
            DeactivateOnIdle();
        }

        // The version lives on in memory, so this activation's next change still counts up from it.
        circuit.State = new ProviderHealthState { Version = version };
    }

    /// <summary>
    /// Pushes <paramref name="view"/> to every live watcher at once. The pushes are one-way, so a dead front door holds
    /// nothing up; they may arrive out of order, and each mirror keeps the newest version it has seen.
    /// </summary>
    private void Notify(CircuitView view, DateTimeOffset now)
    {
        foreach (var (holderId, watch) in _watches)
        {
            if (watch.Expires <= now)
            {
                _watches.Remove(holderId);
                continue;
            }

            _ = PushAsync(holderId, watch.Observer, view);
        }
    }

    private async Task PushAsync(string holderId, ICircuitWatcher observer, CircuitView view)
    {
        try
        {
            await observer.CircuitChanged(view);
        }
        catch (Exception ex)
        {
            LogPushFailed(logger, view.TargetKey, holderId, ex);
        }
    }

    private sealed class Watch(ICircuitWatcher observer, DateTimeOffset expires)
    {
        public ICircuitWatcher Observer { get; set; } = observer;

        public DateTimeOffset Expires { get; set; } = expires;

    }

    /// <summary>
    /// Outcome counts of one policy over its sampling window, in ten buckets (as Polly's breaker for long windows): a
    /// count is dropped up to a tenth of the window early, never kept past it.
    /// </summary>
    private sealed class OutcomeWindow(TimeSpan sampling)
    {
        private const int Buckets = 10;
        private readonly long _width = Math.Max(1, sampling.Ticks / Buckets);
        private readonly List<Bucket> _buckets = [];

        public void Add(DateTimeOffset now, int successes, int failures)
        {
            var index = now.UtcTicks / _width;
            Prune(index);
            if (_buckets.Count == 0 || _buckets[^1].Index != index)
            {
                _buckets.Add(new Bucket { Index = index });
            }

            _buckets[^1].Successes += successes;
            _buckets[^1].Failures += failures;
        }

        public (long Total, long Failures) Totals(DateTimeOffset now)
        {
            Prune(now.UtcTicks / _width);
            long successes = 0, failures = 0;
            foreach (var bucket in _buckets)
            {
                successes += bucket.Successes;
                failures += bucket.Failures;
            }

            return (successes + failures, failures);
        }

        public bool IsEmpty(DateTimeOffset now)
        {
            Prune(now.UtcTicks / _width);
            return _buckets.Count == 0;
        }

        private void Prune(long index) => _buckets.RemoveAll(b => b.Index <= index - Buckets);

        private sealed class Bucket
        {
            public long Index { get; init; }

            public long Successes { get; set; }

            public long Failures { get; set; }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Circuit of {TargetKey} opened until {OpenUntil}")]
    private static partial void LogOpened(ILogger logger, string targetKey, DateTimeOffset openUntil);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Circuit of {TargetKey} opened for {BreakMs} ms by the cluster's outcomes: {Failures} of {Total} calls failed in the sampling window")]
    private static partial void LogOpenedByReports(ILogger logger, string targetKey, long failures, long total, double breakMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Circuit of {TargetKey} closed")]
    private static partial void LogClosed(ILogger logger, string targetKey);

    [LoggerMessage(Level = LogLevel.Information, Message = "Circuit of {TargetKey}: {HolderId} probes it until {ExpiresAt}")]
    private static partial void LogProbeClaimed(ILogger logger, string targetKey, string holderId, DateTimeOffset expiresAt);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Circuit of {TargetKey}: closed and quiet, its stored state was cleared")]
    private static partial void LogCleared(ILogger logger, string targetKey);

    [LoggerMessage(Level = LogLevel.Error, Message = "Circuit of {TargetKey}: its state could not be stored; the activation is retired")]
    private static partial void LogStorageFailed(ILogger logger, string targetKey, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Circuit of {TargetKey}: a change could not be pushed to {HolderId}")]
    private static partial void LogPushFailed(ILogger logger, string targetKey, string holderId, Exception exception);

}
