using System.Data.Common;
using System.Net.Sockets;
using Dapper;
using Npgsql;

namespace Switchyard.State.Postgres;

/// <summary>
/// The cluster quota bank with leases (DESIGN.md §5a). Every quota is a row of <c>switchyard.quota_usage</c>; this replica
/// leases slices of it (<c>reserved += granted</c>, one atomic statement that never grants past the limit a claim
/// carries) and admits requests from its local balance in memory, all or nothing over a request's claims under one lock,
/// so the common case needs no round trip. Settled spend is checkpointed about once a second (budgets: at once, with
/// settlements that arrive together sharing one round trip, so each settlement learns its exact place in the bank's used
/// and alert thresholds are crossed exactly once cluster-wide). Unused balance goes back when a lease idles, its window
/// ends, on <see cref="LimitsChangedAsync"/>, <see cref="FlushAsync"/> and disposal.
/// </summary>
/// <remarks>
/// Claims without a hard cap (<see cref="long.MaxValue"/>) are never leased: they are counted locally and checkpointed,
/// so they keep being admitted while the database is unreachable. A hard claim beyond the local balance then fails closed
/// with <see cref="QuotaBankUnavailableException"/>. Concurrency is leased like the rest, but its slots are only used while
/// their lease is valid, and the janitor gives back the expired slots of dead replicas.
/// </remarks>
internal sealed class PostgresQuotaBank : IQuotaBank, IAsyncDisposable
{
    private static readonly TimeSpan StatementTimeout = TimeSpan.FromSeconds(5);

    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresReplica _replica;
    private readonly QuotaLeaseOptions _options;
    private readonly TimeProvider _time;
    private readonly bool _background;
    private readonly Lock _gate = new();
    private readonly Dictionary<(GovernedKind, string, QuotaMeter, DateTimeOffset), QuotaLease> _leases = [];
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;
    private DateTimeOffset _unavailableUntil = DateTimeOffset.MinValue;
    private DateTimeOffset _nextJanitor = DateTimeOffset.MinValue;
    private long _leaseRoundTrips;
    private long _syncRoundTrips;
    private int _disposed;
    private bool _joined;

    public PostgresQuotaBank(NpgsqlDataSource dataSource, PostgresReplica replica, QuotaLeaseOptions options, TimeProvider time, bool background = true)
    {
        _dataSource = dataSource;
        _replica = replica;
        _options = options.Validated();
        _time = time;
        _background = background;
    }

    /// <summary>Round trips that asked the bank for a lease (measurements, tests).</summary>
    public long LeaseRoundTrips => Interlocked.Read(ref _leaseRoundTrips);

    /// <summary>Round trips that checkpointed, renewed or returned leases (measurements, tests).</summary>
    public long SyncRoundTrips => Interlocked.Read(ref _syncRoundTrips);

    public async ValueTask<QuotaDecision> ReserveAsync(IReadOnlyList<QuotaClaim> claims, CancellationToken cancellationToken)
    {
        foreach (var claim in claims)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(claim.Amount, nameof(claims));
            ArgumentOutOfRangeException.ThrowIfNegative(claim.Limit, nameof(claims));
        }

        Start();
        var taken = new long[claims.Count];
        var refusedByBank = new HashSet<QuotaLease>();
        while (true)
        {
            List<Shortfall> shortfalls;
            lock (_gate)
            {
                var now = _time.GetUtcNow();
                shortfalls = Shortfalls(claims, now);
                if (shortfalls.Count == 0)
                {
                    Admit(claims, taken, now);
                    return new QuotaDecision(-1, taken);
                }

                var refused = shortfalls.Where(s => refusedByBank.Contains(s.Lease)).Select(s => s.FirstClaim).DefaultIfEmpty(-1).Min();
                if (refused >= 0)
                {
                    Peek(claims, taken);
                    return new QuotaDecision(refused, taken);
                }
            }

            await LeaseAsync(shortfalls, refusedByBank, cancellationToken);
        }
    }

    public async ValueTask<IReadOnlyList<QuotaChange>> SettleAsync(IReadOnlyList<QuotaSettlement> settlements, CancellationToken cancellationToken)
    {
        foreach (var settlement in settlements)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(settlement.Reserved, nameof(settlements));
            ArgumentOutOfRangeException.ThrowIfNegative(settlement.Actual, nameof(settlements));
        }

        Start();
        var changes = new QuotaChange[settlements.Count];
        List<(int Index, SettleWaiter Waiter, QuotaLease Lease)>? exact = null;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            for (var i = 0; i < settlements.Count; i++)
            {
                var (window, reserved, actual) = settlements[i];
                var lease = GetOrAdd(window, now);
                lease.InFlight = Math.Max(0, lease.InFlight - reserved);
                lease.UpdatedAt = now;
                if (lease.IsConcurrency)
                {
                    // Concurrency is not spend: a finished request gives its slot back to the local balance.
                    changes[i] = new QuotaChange(window, 0, 0);
                    continue;
                }

                var offset = lease.Settled;
                var before = lease.UsedView;
                lease.Settled = QuotaLease.Saturate((Int128)lease.Settled + actual);
                changes[i] = new QuotaChange(window, before, lease.UsedView);
                if (actual > 0 && window.Meter is QuotaMeter.CostMicros or QuotaMeter.BudgetTokens)
                {
                    var waiter = new SettleWaiter(offset, actual, changes[i]);
                    lease.Waiters.Add(waiter);
                    (exact ??= []).Add((i, waiter, lease));
                }
            }
        }

        if (exact is not null && _time.GetUtcNow() < _unavailableUntil)
        {
            // The database just failed: report this replica's view now rather than wait on it again (the spend is kept
            // for the next checkpoint).
            lock (_gate)
            {
                foreach (var (index, waiter, lease) in exact)
                {
                    lease.Waiters.Remove(waiter);
                    changes[index] = waiter.Fallback;
                }
            }

            exact = null;
        }

        if (exact is not null)
        {
            // Budget alerts need each settlement's exact place in the bank's used: checkpoint these quotas now. Settlements
            // arriving meanwhile queue on the quota's I/O and ride the next round trip together.
            try
            {
                await SyncAsync([.. exact.Select(e => e.Lease).Distinct()], SyncMode.Checkpoint, heartbeat: false, CancellationToken.None);
            }
            catch (Exception)
            {
                // Settling never fails (the spend happened). Nothing is lost: it stays settled here and the next checkpoint
                // retries; the waiters fell back to this replica's view.
            }

            foreach (var (index, waiter, _) in exact)
            {
                changes[index] = await waiter.Result.Task;
            }
        }

        return changes;
    }

    public async Task<IReadOnlyList<QuotaUsage>> UsageAsync(GovernedKind kind, string entityId, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            // Hold the I/O of the entity's leases (in key order, as every round trip takes them) while its rows are read:
            // a checkpoint half done (in the database, not yet subtracted here) would count its spend twice. Seen as
            // $2.20 for a $1.10 call when a loaded machine kept a checkpoint in flight past the retries below.
            var held = new List<QuotaLease>();
            try
            {
                foreach (var lease in EntityLeases(kind, entityId))
                {
                    await lease.Io.WaitAsync(cancellationToken);
                    held.Add(lease);
                }

                var epochs = EntityEpochs(kind, entityId);
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
                var rows = (await connection.QueryAsync<QuotaUsageRow>(new CommandDefinition(
                    $"""
                    SELECT {QuotaUsageRow.Columns} FROM switchyard.quota_usage
                    WHERE entity_kind = @Kind AND entity_id = @EntityId
                    ORDER BY window_start DESC, meter
                    """,
                    new { Kind = QuotaText.Write(kind), EntityId = entityId }, cancellationToken: cancellationToken))).Select(r => r.ToUsage()).ToList();

                lock (_gate)
                {
                    // A lease that appeared, or had a round trip, between the snapshot and now (one not held above) would make
                    // the row and the local share disagree: read again (bounded; the last answer is close either way).
                    if (attempt < 5 && (epochs.Any(e => e % 2 != 0) || !epochs.SequenceEqual(EntityEpochs(kind, entityId))))
                    {
                        continue;
                    }

                    return Adjust(kind, entityId, rows);
                }
            }
            finally
            {
                foreach (var lease in held)
                {
                    lease.Io.Release();
                }
            }
        }
    }

    /// <summary>Returns every lease's unused balance and checkpoints all settled spend; requests in flight keep what they hold.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await SyncAsync(Snapshot(_ => true), SyncMode.ReturnUnused, heartbeat: false, cancellationToken);
    }

    /// <summary>
    /// Gives one entity's unused local balances back to the bank at once (an admin lowered or removed its limits; the
    /// change listener calls this on NOTIFY). Its next requests lease again, against the new caps.
    /// </summary>
    public Task LimitsChangedAsync(GovernedKind kind, string entityId, CancellationToken cancellationToken) =>
        SyncAsync(Snapshot(l => l.Window.Kind == kind && l.Window.EntityId == entityId), SyncMode.ReturnUnused, heartbeat: false, cancellationToken);

    /// <summary>One background pass: heartbeat, checkpoint and renew what is held, return idle leases, and now and then the janitor.</summary>
    public async Task TickAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            foreach (var lease in _leases.Values)
            {
                var seconds = (now - lease.RateSince).TotalSeconds;
                if (seconds > 0)
                {
                    lease.Rate = lease.Rate / 2 + lease.UnitsSinceTick / seconds / 2;
                    lease.UnitsSinceTick = 0;
                    lease.RateSince = now;
                }
            }
        }

        await SyncAsync(Snapshot(_ => true), SyncMode.Tick, heartbeat: true, cancellationToken);
        if (now >= _nextJanitor)
        {
            _nextJanitor = now + _options.LeaseLifetime;
            await RunJanitorAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Deletes the expired leases of dead replicas, giving their concurrency slots back (one janitor at a time across the
    /// cluster, by advisory lock). Returns the slots given back, or -1 when another replica's janitor was running.
    /// </summary>
    public async Task<long> RunJanitorAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT pg_try_advisory_xact_lock(@Key)", new { Key = QuotaLeaseSql.JanitorLock }, transaction, cancellationToken: cancellationToken)))
        {
            return -1;
        }

        await using var command = new NpgsqlCommand(QuotaLeaseSql.Janitor, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = StateTime.Write(_time.GetUtcNow()) });
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = _options.LeaseLifetime });
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = _options.ClockSkewAllowance });
        long slots;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            slots = reader.GetInt64(1);
        }

        await transaction.CommitAsync(cancellationToken);
        return slots;
    }

    /// <summary>Stops the background work and returns everything (best effort: a database that is gone leaves the leases to expire).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await StopLoopAsync();
        using var timeout = new CancellationTokenSource(StatementTimeout);
        try
        {
            await FlushAsync(timeout.Token);
            if (!_joined)
            {
                return;
            }

            await using var connection = await _dataSource.OpenConnectionAsync(timeout.Token);
            await using var command = new NpgsqlCommand(QuotaLeaseSql.Leave, connection);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _replica.Id });
            await command.ExecuteNonQueryAsync(timeout.Token);
        }
        catch (Exception ex) when (IsUnavailable(ex) || ex is OperationCanceledException)
        {
            // Whatever was not returned stays counted until its window ends (concurrency: until the janitor reclaims it).
        }
    }

    /// <summary>What a crash does: stops heartbeats and checkpoints and returns nothing (tests).</summary>
    public async ValueTask AbandonAsync()
    {
        Interlocked.Exchange(ref _disposed, 1);
        await StopLoopAsync();
    }

    /// <summary>Starts the background loop (heartbeat, checkpoints, janitor) once; the first reservation or settlement calls it.</summary>
    public void Start()
    {
        if (_loop is not null || !_background || Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        lock (_gate)
        {
            _loop ??= Task.Run(() => RunAsync(_stopping.Token));
        }
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await TickAsync(stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception)
            {
                // Unreachable (or a failed statement): settled spend stays here and the next tick retries.
            }

            try
            {
                await Task.Delay(_options.CheckpointInterval, _time, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task StopLoopAsync()
    {
        await _stopping.CancelAsync();
        Task? loop;
        lock (_gate)
        {
            loop = _loop;
        }

        if (loop is not null)
        {
            await loop;
        }
    }

    private List<Shortfall> Shortfalls(IReadOnlyList<QuotaClaim> claims, DateTimeOffset now)
    {
        var needs = new Dictionary<QuotaLease, Shortfall>();
        for (var i = 0; i < claims.Count; i++)
        {
            var claim = claims[i];
            if (claim.Limit == long.MaxValue)
            {
                continue;
            }

            var lease = GetOrAdd(claim.Window, now);
            needs[lease] = needs.TryGetValue(lease, out var known)
                ? known with { Amount = known.Amount + claim.Amount, Limit = Math.Min(known.Limit, claim.Limit) }
                : new Shortfall(lease, i, claim.Amount, claim.Limit);
        }

        return [.. needs.Values.Where(s => s.Lease.Usable(now) < s.Amount || (s.Lease.IsConcurrency && s.Amount > 0 && now >= s.Lease.ValidUntil))];
    }

    private void Admit(IReadOnlyList<QuotaClaim> claims, long[] taken, DateTimeOffset now)
    {
        var leases = new QuotaLease[claims.Count];
        for (var i = 0; i < claims.Count; i++)
        {
            var lease = leases[i] = GetOrAdd(claims[i].Window, now);
            lease.InFlight = QuotaLease.Saturate((Int128)lease.InFlight + claims[i].Amount);
            lease.UnitsSinceTick += claims[i].Amount;
            lease.LastReservedAt = now;
            lease.UpdatedAt = now;
        }

        for (var i = 0; i < claims.Count; i++)
        {
            taken[i] = leases[i].Taken;
        }
    }

    private void Peek(IReadOnlyList<QuotaClaim> claims, long[] taken)
    {
        var now = _time.GetUtcNow();
        for (var i = 0; i < claims.Count; i++)
        {
            taken[i] = GetOrAdd(claims[i].Window, now).Taken;
        }
    }

    /// <summary>Asks the bank for what the shortfalls need, in one round trip, quotas in key order (as every statement locks them).</summary>
    private async Task LeaseAsync(List<Shortfall> shortfalls, HashSet<QuotaLease> refusedByBank, CancellationToken cancellationToken)
    {
        shortfalls.Sort((a, b) => WindowOrder.Instance.Compare(a.Lease.Window, b.Lease.Window));
        var held = new List<QuotaLease>(shortfalls.Count);
        try
        {
            foreach (var shortfall in shortfalls)
            {
                await shortfall.Lease.Io.WaitAsync(cancellationToken);
                held.Add(shortfall.Lease);
            }

            var asks = new List<(Shortfall Shortfall, long Need, long Prefetch, long GrantedBefore)>();
            DateTimeOffset now;
            lock (_gate)
            {
                now = _time.GetUtcNow();
                if (held.Any(l => l.Removed))
                {
                    return;
                }

                foreach (var shortfall in shortfalls)
                {
                    var lease = shortfall.Lease;
                    var need = shortfall.Amount - lease.Usable(now);
                    if (need <= 0 && !(lease.IsConcurrency && now >= lease.ValidUntil))
                    {
                        continue;
                    }

                    // About a lease lifetime of this replica's own traffic: its measured rate, or, until that is known, twice
                    // the last slice if that went within a lifetime. The bank caps it by what remains over the live replicas.
                    var ahead = Math.Max(
                        lease.Rate * _options.LeaseLifetime.TotalSeconds,
                        now - lease.LastGrantAt < _options.LeaseLifetime ? 2.0 * lease.LastGrant : 0);
                    var prefetch = lease.IsConcurrency ? 0 : (long)Math.Min(long.MaxValue / 4, ahead);
                    asks.Add((shortfall, Math.Max(0, need), prefetch, lease.Granted));
                    lease.Epoch++;
                }

                if (asks.Count == 0)
                {
                    return;
                }

                if (now < _unavailableUntil)
                {
                    foreach (var ask in asks)
                    {
                        ask.Shortfall.Lease.Epoch++;
                    }

                    throw Unavailable(null);
                }
            }

            var results = new (long Granted, long Used, long Reserved, long? LeaseGranted)[asks.Count];
            try
            {
                // Not cancelled with the request: a grant committed but never read would be held by the bank and unknown here.
                var uncancelled = CancellationToken.None;
                await using var connection = await OpenAsync(uncancelled);
                for (var attempt = 0; ; attempt++)
                {
                    await using var batch = new NpgsqlBatch(connection) { Timeout = (int)StatementTimeout.TotalSeconds };
                    foreach (var (shortfall, need, prefetch, grantedBefore) in asks)
                    {
                        var window = shortfall.Lease.Window;
                        var lockRow = QuotaLeaseSql.Command(QuotaLeaseSql.Lock, window, now);
                        QuotaLeaseSql.Add(lockRow, need);
                        QuotaLeaseSql.Add(lockRow, shortfall.Limit);
                        batch.BatchCommands.Add(lockRow);

                        var grant = QuotaLeaseSql.Command(QuotaLeaseSql.Grant, window, now);
                        QuotaLeaseSql.Add(grant, need);
                        QuotaLeaseSql.Add(grant, shortfall.Limit);
                        QuotaLeaseSql.Add(grant, prefetch);
                        QuotaLeaseSql.Add(grant, (decimal)_options.SliceFraction);
                        QuotaLeaseSql.Add(grant, _options.LeaseLifetime);
                        QuotaLeaseSql.Add(grant, shortfall.Lease.LeaseId);
                        QuotaLeaseSql.Add(grant, _replica.Id);
                        QuotaLeaseSql.Add(grant, grantedBefore);
                        QuotaLeaseSql.Add(grant, StateTime.Write(now + _options.LeaseLifetime));
                        QuotaLeaseSql.Add(grant, shortfall.Lease.IsConcurrency);
                        batch.BatchCommands.Add(grant);
                    }

                    Interlocked.Increment(ref _leaseRoundTrips);
                    try
                    {
                        await using var reader = await batch.ExecuteReaderAsync(uncancelled);
                        var i = 0;
                        do
                        {
                            // Only the grants return rows; the locks before them do not.
                            if (reader.FieldCount == 0)
                            {
                                continue;
                            }

                            results[i++] = await reader.ReadAsync(uncancelled)
                                ? (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetInt64(3))
                                : (0, 0, 0, null);
                        }
                        while (await reader.NextResultAsync(uncancelled));

                        break;
                    }
                    catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DeadlockDetected && attempt == 0)
                    {
                        // Only the janitor locks quota rows outside key order; once more is enough.
                    }
                }
            }
            catch (Exception ex)
            {
                lock (_gate)
                {
                    foreach (var ask in asks)
                    {
                        ask.Shortfall.Lease.Epoch++;
                    }

                    if (IsUnavailable(ex))
                    {
                        _unavailableUntil = _time.GetUtcNow() + _options.RetryAfterFailure;
                    }
                }

                if (IsUnavailable(ex))
                {
                    throw Unavailable(ex);
                }

                throw;
            }

            lock (_gate)
            {
                _unavailableUntil = DateTimeOffset.MinValue;
                for (var i = 0; i < asks.Count; i++)
                {
                    var (shortfall, need, _, grantedBefore) = asks[i];
                    var lease = shortfall.Lease;
                    var (granted, used, reserved, leaseGranted) = results[i];
                    lease.Granted = lease.IsConcurrency && leaseGranted is { } authoritative ? authoritative : grantedBefore + granted;
                    lease.BankUsed = used;
                    lease.BankReserved = reserved;
                    if (granted > 0)
                    {
                        lease.LastGrant = granted;
                        lease.LastGrantAt = now;
                    }

                    if (granted > 0 || leaseGranted is not null)
                    {
                        lease.ValidUntil = now + _options.LeaseLifetime;
                    }

                    lease.Epoch++;
                    if (need > 0 && granted == 0)
                    {
                        refusedByBank.Add(lease);
                    }
                }
            }
        }
        finally
        {
            foreach (var lease in held)
            {
                lease.Io.Release();
            }
        }
    }

    /// <summary>
    /// Checkpoints settled spend of <paramref name="leases"/> (one statement each, one round trip, key order), renews the
    /// leases still held and, by <paramref name="mode"/>, returns unused balances and forgets what is no longer held.
    /// </summary>
    private async Task SyncAsync(List<QuotaLease> leases, SyncMode mode, bool heartbeat, CancellationToken cancellationToken)
    {
        leases.Sort((a, b) => WindowOrder.Instance.Compare(a.Window, b.Window));
        var held = new List<QuotaLease>(leases.Count);
        var steps = new List<SyncStep>();
        try
        {
            foreach (var lease in leases)
            {
                await lease.Io.WaitAsync(cancellationToken);
                held.Add(lease);
            }

            DateTimeOffset now;
            lock (_gate)
            {
                now = _time.GetUtcNow();
                foreach (var lease in held)
                {
                    if (lease.Removed)
                    {
                        continue;
                    }

                    if (mode != SyncMode.Checkpoint && lease.Granted == 0 && lease.Settled == 0 && lease.InFlight == 0 && lease.Waiters.Count == 0)
                    {
                        // Nothing held and nothing to write (a quota that was only refused, or fully returned): forget it here.
                        lease.Removed = true;
                        _leases.Remove(Key(lease.Window));
                        continue;
                    }

                    var idle = lease.InFlight == 0 && (now - lease.LastReservedAt >= _options.LeaseLifetime || lease.Window.End <= now);
                    var returning = mode == SyncMode.ReturnUnused || (mode == SyncMode.Tick && idle);
                    var unused = returning ? Math.Max(0, lease.Balance) : 0;
                    var settled = lease.Settled;
                    if (settled == 0 && unused == 0 && (mode == SyncMode.Checkpoint || (lease.Granted == 0 && !returning)))
                    {
                        continue;
                    }

                    var released = Math.Min(settled, lease.Granted) + unused;
                    lease.Returning += unused;
                    lease.Epoch++;
                    var waiters = lease.Waiters.Where(w => w.Offset < settled).ToList();
                    steps.Add(new SyncStep(lease, settled, released, unused, lease.Granted - released, waiters, returning));
                }

                if (steps.Count == 0 && !heartbeat)
                {
                    return;
                }
            }

            var results = new (long Used, long Reserved, bool Held)[steps.Count];
            try
            {
                await using var connection = await OpenAsync(cancellationToken);
                await using var batch = new NpgsqlBatch(connection) { Timeout = (int)StatementTimeout.TotalSeconds };
                if (heartbeat)
                {
                    var beat = new NpgsqlBatchCommand(QuotaLeaseSql.Heartbeat);
                    QuotaLeaseSql.Add(beat, _replica.Id);
                    QuotaLeaseSql.Add(beat, _replica.Host);
                    QuotaLeaseSql.Add(beat, StateTime.Write(_replica.StartedAt));
                    QuotaLeaseSql.Add(beat, StateTime.Write(now));
                    batch.BatchCommands.Add(beat);
                }

                foreach (var step in steps)
                {
                    var command = QuotaLeaseSql.Command(QuotaLeaseSql.Sync, step.Lease.Window, now);
                    QuotaLeaseSql.Add(command, step.Settled);
                    QuotaLeaseSql.Add(command, step.Released);
                    QuotaLeaseSql.Add(command, step.Lease.LeaseId);
                    QuotaLeaseSql.Add(command, step.StillHeld);
                    QuotaLeaseSql.Add(command, StateTime.Write(now + _options.LeaseLifetime));
                    QuotaLeaseSql.Add(command, step.Lease.IsConcurrency);
                    batch.BatchCommands.Add(command);
                }

                Interlocked.Increment(ref _syncRoundTrips);
                await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
                _joined |= heartbeat;
                var i = 0;
                do
                {
                    // The heartbeat returns no rows; each quota's statement returns one.
                    if (reader.FieldCount == 0)
                    {
                        continue;
                    }

                    await reader.ReadAsync(cancellationToken);
                    results[i++] = (reader.GetInt64(0), reader.GetInt64(1), reader.GetBoolean(2));
                }
                while (await reader.NextResultAsync(cancellationToken));
            }
            catch (Exception ex)
            {
                lock (_gate)
                {
                    if (IsUnavailable(ex))
                    {
                        _unavailableUntil = _time.GetUtcNow() + _options.RetryAfterFailure;
                    }

                    foreach (var step in steps)
                    {
                        step.Lease.Returning -= step.Unused;
                        step.Lease.Epoch++;
                        foreach (var waiter in step.Waiters)
                        {
                            step.Lease.Waiters.Remove(waiter);
                            waiter.Result.TrySetResult(waiter.Fallback);
                        }
                    }
                }

                throw;
            }

            lock (_gate)
            {
                _unavailableUntil = DateTimeOffset.MinValue;
                for (var i = 0; i < steps.Count; i++)
                {
                    var step = steps[i];
                    var lease = step.Lease;
                    var (used, reserved, wasHeld) = results[i];
                    lease.Settled -= step.Settled;
                    lease.Returning -= step.Unused;
                    // A concurrency lease the janitor took (this replica looked dead) gave its slots back already.
                    lease.Granted = lease.IsConcurrency && !wasHeld && lease.Granted > 0 ? 0 : lease.Granted - step.Released;
                    lease.BankUsed = used;
                    lease.BankReserved = reserved;
                    lease.ValidUntil = now + _options.LeaseLifetime;
                    lease.Epoch++;

                    // The bank added the settled spend in one step from used − settled: each waiter's share sits at its offset.
                    var before = used - step.Settled;
                    foreach (var waiter in step.Waiters)
                    {
                        lease.Waiters.Remove(waiter);
                        waiter.Result.TrySetResult(new QuotaChange(lease.Window, before + waiter.Offset, before + waiter.Offset + waiter.Amount));
                    }

                    foreach (var waiter in lease.Waiters)
                    {
                        waiter.Offset -= step.Settled;
                    }

                    if (step.Returning && lease.Granted == 0 && lease.InFlight == 0 && lease.Settled == 0 && lease.Waiters.Count == 0)
                    {
                        lease.Removed = true;
                        _leases.Remove(Key(lease.Window));
                    }
                }
            }
        }
        finally
        {
            foreach (var lease in held)
            {
                lease.Io.Release();
            }
        }
    }

    /// <summary>A connection within <see cref="StatementTimeout"/>: an unreachable server must not hold a request for the pool's connect timeout.</summary>
    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StatementTimeout);
        try
        {
            return await _dataSource.OpenConnectionAsync(timeout.Token);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException("The quota bank's database did not accept a connection in time.", ex);
        }
    }

    private List<QuotaLease> Snapshot(Func<QuotaLease, bool> which)
    {
        lock (_gate)
        {
            return [.. _leases.Values.Where(which)];
        }
    }

    private List<QuotaLease> EntityLeases(GovernedKind kind, string entityId)
    {
        lock (_gate)
        {
            return [.. _leases.Values.Where(l => l.Window.Kind == kind && l.Window.EntityId == entityId).OrderBy(l => l.Window, WindowOrder.Instance)];
        }
    }

    private List<long> EntityEpochs(GovernedKind kind, string entityId)
    {
        lock (_gate)
        {
            return [.. _leases.Values.Where(l => l.Window.Kind == kind && l.Window.EntityId == entityId).OrderBy(l => l.Window, WindowOrder.Instance).Select(l => l.Epoch)];
        }
    }

    /// <summary>The bank rows as this replica sees them: its own share replaced by what it really holds (in flight, settled).</summary>
    private List<QuotaUsage> Adjust(GovernedKind kind, string entityId, List<QuotaUsage> rows)
    {
        var result = new List<QuotaUsage>(rows.Count);
        var seen = new HashSet<QuotaLease>();
        foreach (var row in rows)
        {
            if (_leases.TryGetValue(Key(row.Window), out var lease))
            {
                seen.Add(lease);
                result.Add(row with
                {
                    Used = QuotaLease.Saturate((Int128)row.Used + lease.Settled),
                    Reserved = QuotaLease.Saturate((Int128)row.Reserved - lease.Granted + lease.InFlight),
                    UpdatedAt = lease.UpdatedAt > row.UpdatedAt ? lease.UpdatedAt : row.UpdatedAt,
                });
            }
            else
            {
                result.Add(row);
            }
        }

        foreach (var lease in _leases.Values)
        {
            if (lease.Window.Kind == kind && lease.Window.EntityId == entityId && !seen.Contains(lease) && (lease.InFlight > 0 || lease.Settled > 0))
            {
                result.Add(new QuotaUsage(lease.Window, lease.Settled, lease.InFlight, lease.UpdatedAt));
            }
        }

        return [.. result.OrderByDescending(u => u.Window.Start).ThenBy(u => QuotaText.Write(u.Window.Meter), StringComparer.Ordinal)];
    }

    private QuotaLease GetOrAdd(QuotaWindow window, DateTimeOffset now)
    {
        if (!_leases.TryGetValue(Key(window), out var lease))
        {
            lease = new QuotaLease(window, now);
            _leases.Add(Key(window), lease);
        }

        return lease;
    }

    private static (GovernedKind, string, QuotaMeter, DateTimeOffset) Key(QuotaWindow window) =>
        (window.Kind, window.EntityId, window.Meter, window.Start.ToUniversalTime());

    private static bool IsUnavailable(Exception ex) =>
        ex is DbException or SocketException or TimeoutException or IOException or InvalidOperationException { InnerException: NpgsqlException };

    private static QuotaBankUnavailableException Unavailable(Exception? inner) => new(
        "The quota bank (PostgreSQL) is unreachable and this replica's local balance does not cover the request's hard limits, so it is refused.",
        inner);

    private enum SyncMode
    {
        /// <summary>Settled spend only (budget settlements waiting for their exact place).</summary>
        Checkpoint,

        /// <summary>The periodic pass: checkpoint, renew what is held, return idle or ended leases.</summary>
        Tick,

        /// <summary>Return every unused balance (flush, drop, shutdown).</summary>
        ReturnUnused,
    }

    private readonly record struct Shortfall(QuotaLease Lease, int FirstClaim, long Amount, long Limit);

    private sealed record SyncStep(
        QuotaLease Lease, long Settled, long Released, long Unused, long StillHeld, List<SettleWaiter> Waiters, bool Returning);

    /// <summary>The order every transaction locks quota rows in: the primary key's.</summary>
    private sealed class WindowOrder : IComparer<QuotaWindow>
    {
        public static readonly WindowOrder Instance = new();

        public int Compare(QuotaWindow? x, QuotaWindow? y)
        {
            var order = string.CompareOrdinal(QuotaText.Write(x!.Kind), QuotaText.Write(y!.Kind));
            order = order != 0 ? order : string.CompareOrdinal(x.EntityId, y.EntityId);
            order = order != 0 ? order : string.CompareOrdinal(QuotaText.Write(x.Meter), QuotaText.Write(y.Meter));
            return order != 0 ? order : x.Start.UtcTicks.CompareTo(y.Start.UtcTicks);
        }
    }
}

internal sealed class QuotaUsageRow
{
    public const string Columns =
        "entity_kind AS Kind, entity_id AS EntityId, meter AS Meter, window_start AS Start, window_end AS \"End\", used AS Used, " +
        "reserved AS Reserved, updated_at AS UpdatedAt";

    public required string Kind { get; init; }
    public required string EntityId { get; init; }
    public required string Meter { get; init; }
    public DateTime Start { get; init; }
    public DateTime? End { get; init; }
    public long Used { get; init; }
    public long Reserved { get; init; }
    public DateTime UpdatedAt { get; init; }

    public QuotaUsage ToUsage() => new(
        new QuotaWindow(QuotaText.ReadKind(Kind), EntityId, QuotaText.ReadMeter(Meter), StateTime.Read(Start), StateTime.Read(End)),
        Used, Reserved, StateTime.Read(UpdatedAt));
}
