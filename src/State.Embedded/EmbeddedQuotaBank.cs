using Dapper;

namespace Switchyard.State.Embedded;

/// <summary>
/// The embedded quota bank (DESIGN.md §5a, last paragraph): every quota's used and reserved live in process memory
/// behind one lock, so admission is exact within the one process that owns the SQLite file. Settled use of every meter
/// but <see cref="QuotaMeter.Concurrent"/> is written to <c>quota_usage</c> by a background flush at most about
/// <see cref="FlushDelay"/> behind, and read back the first time a quota is touched after a start, so spend survives
/// restarts. What is reserved is never written: a restart releases reservations in flight.
/// </summary>
/// <remarks>
/// The lock guards only dictionary lookups and arithmetic; every read and write of the file happens outside it.
/// Ended windows are dropped from memory once settled, written and idle for <see cref="EvictAfter"/>; a late settlement
/// reads them back like any first touch.
/// </remarks>
internal sealed class EmbeddedQuotaBank : IQuotaBank, IAsyncDisposable
{
    internal static readonly TimeSpan FlushDelay = TimeSpan.FromMilliseconds(100);
    internal static readonly TimeSpan EvictAfter = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private const int BatchSize = 500;

    private readonly SqliteDatabase database;
    private readonly TimeProvider time;
    private readonly Lock gate = new();
    private readonly Dictionary<QuotaKey, QuotaRow> rows = [];
    private readonly SemaphoreSlim flushing = new(1, 1);
    private readonly SemaphoreSlim dirty = new(0, 1);
    private readonly CancellationTokenSource stopping = new();
    private readonly Task flushLoop;
    private int signalled;

    // Bumped (under the lock) whenever rows are evicted, so a load that raced with an eviction is read again instead
    // of putting back a value older than what the eviction had just written.
    private long evictions;
    private int disposed;

    public EmbeddedQuotaBank(SqliteDatabase database, TimeProvider time)
    {
        this.database = database;
        this.time = time;
        flushLoop = StartFlushThread();
    }

    public async ValueTask<QuotaDecision> ReserveAsync(IReadOnlyList<QuotaClaim> claims, CancellationToken cancellationToken)
    {
        foreach (var claim in claims)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(claim.Amount, nameof(claims));
            ArgumentOutOfRangeException.ThrowIfNegative(claim.Limit, nameof(claims));
        }

        while (true)
        {
            long epoch;
            lock (gate)
            {
                if (Find(claims.Select(c => c.Window)) is { } found)
                {
                    return Reserve(claims, found);
                }

                epoch = evictions;
            }

            await LoadAsync(claims.Select(c => c.Window), epoch, cancellationToken);
        }
    }

    public async ValueTask<IReadOnlyList<QuotaChange>> SettleAsync(IReadOnlyList<QuotaSettlement> settlements, CancellationToken cancellationToken)
    {
        foreach (var settlement in settlements)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(settlement.Reserved, nameof(settlements));
            ArgumentOutOfRangeException.ThrowIfNegative(settlement.Actual, nameof(settlements));
        }

        while (true)
        {
            long epoch;
            lock (gate)
            {
                if (Find(settlements.Select(s => s.Window)) is { } found)
                {
                    var changes = Settle(settlements, found);
                    SignalDirty();
                    return changes;
                }

                epoch = evictions;
            }

            await LoadAsync(settlements.Select(s => s.Window), epoch, cancellationToken);
        }
    }

    public async Task<IReadOnlyList<QuotaUsage>> UsageAsync(GovernedKind kind, string entityId, CancellationToken cancellationToken)
    {
        var stored = await database.QueryAsync<QuotaUsageRow>(
            $"SELECT {QuotaUsageRow.Columns} FROM quota_usage WHERE entity_kind = @Kind AND entity_id = @EntityId",
            new { Kind = QuotaText.Write(kind), EntityId = entityId }, cancellationToken);
        var usage = stored.Select(r => r.ToUsage()).ToDictionary(u => QuotaKey.Of(u.Window));

        // Memory is never behind the file, so it wins.
        lock (gate)
        {
            foreach (var (key, row) in rows)
            {
                if (key.Kind == kind && key.EntityId == entityId)
                {
                    usage[key] = new QuotaUsage(row.Window, row.Used, row.Reserved, row.UpdatedAt);
                }
            }
        }

        return [.. usage.Values.OrderByDescending(u => u.Window.Start).ThenBy(u => u.Window.Meter)];
    }

    /// <summary>Nothing to give back: every claim is checked against the bank itself, with the cap it carries.</summary>
    public Task LimitsChangedAsync(GovernedKind kind, string entityId, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await flushing.WaitAsync(cancellationToken);
        try
        {
            List<QuotaUsageRow> batch;
            lock (gate)
            {
                batch = [.. rows.Values.Where(r => r.Dirty).Select(r => QuotaUsageRow.From(r.Window, r.Used, r.UpdatedAt))];
                foreach (var row in rows.Values)
                {
                    row.Dirty = false;
                }
            }

            try
            {
                foreach (var chunk in batch.Chunk(BatchSize))
                {
                    await WriteAsync(chunk, cancellationToken);
                }
            }
            catch
            {
                // Written values are absolute, so marking a row dirty again can only repeat a write, never double it.
                lock (gate)
                {
                    foreach (var written in batch)
                    {
                        if (rows.TryGetValue(written.Key, out var row))
                        {
                            row.Dirty = true;
                        }
                    }
                }

                throw;
            }

            Evict();
        }
        finally
        {
            flushing.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        await stopping.CancelAsync();
        await flushLoop;
        await FlushAsync(CancellationToken.None);
        stopping.Dispose();
    }

    /// <summary>The rows of these windows, creating concurrency rows (never stored) on the way; null if one must be loaded first.</summary>
    private QuotaRow[]? Find(IEnumerable<QuotaWindow> windows)
    {
        var found = new List<QuotaRow>();
        foreach (var window in windows)
        {
            var key = QuotaKey.Of(window);
            if (!rows.TryGetValue(key, out var row))
            {
                if (window.Meter != QuotaMeter.Concurrent)
                {
                    return null;
                }

                row = new QuotaRow(window, 0, time.GetUtcNow());
                rows.Add(key, row);
            }

            found.Add(row);
        }

        return [.. found];
    }

    private QuotaDecision Reserve(IReadOnlyList<QuotaClaim> claims, QuotaRow[] found)
    {
        for (var i = 0; i < claims.Count; i++)
        {
            // Int128: a claim without a cap (long.MaxValue) must not overflow into a refusal.
            if ((Int128)found[i].Used + found[i].Reserved + claims[i].Amount > claims[i].Limit)
            {
                for (var j = 0; j < i; j++)
                {
                    found[j].Reserved -= claims[j].Amount;
                }

                return new QuotaDecision(i, [.. found.Select(r => r.Used + r.Reserved)]);
            }

            found[i].Reserved += claims[i].Amount;
        }

        var now = time.GetUtcNow();
        foreach (var row in found)
        {
            row.UpdatedAt = now;
        }

        return new QuotaDecision(-1, [.. found.Select(r => r.Used + r.Reserved)]);
    }

    private QuotaChange[] Settle(IReadOnlyList<QuotaSettlement> settlements, QuotaRow[] found)
    {
        var now = time.GetUtcNow();
        var changes = new QuotaChange[settlements.Count];
        for (var i = 0; i < settlements.Count; i++)
        {
            var (settlement, row) = (settlements[i], found[i]);
            var before = row.Used;

            // A reservation made before a restart is gone already; never let reserved go below zero because of it.
            row.Reserved = Math.Max(0, row.Reserved - settlement.Reserved);
            if (settlement.Window.Meter != QuotaMeter.Concurrent && settlement.Actual > 0)
            {
                row.Used += settlement.Actual;
                row.Dirty = true;
            }

            row.UpdatedAt = now;
            changes[i] = new QuotaChange(settlement.Window, before, row.Used);
        }

        return changes;
    }

    /// <summary>Reads the stored use of windows not in memory and adds them, unless an eviction happened meanwhile (then the caller retries).</summary>
    private async Task LoadAsync(IEnumerable<QuotaWindow> windows, long epoch, CancellationToken cancellationToken)
    {
        List<QuotaWindow> missing;
        lock (gate)
        {
            missing = [.. windows.Where(w => w.Meter != QuotaMeter.Concurrent && !rows.ContainsKey(QuotaKey.Of(w))).DistinctBy(QuotaKey.Of)];
        }

        var loaded = new List<(QuotaWindow Window, long Used, DateTimeOffset? UpdatedAt)>();
        foreach (var window in missing)
        {
            var stored = (await database.QueryAsync<QuotaUsageRow>(
                $"""
                SELECT {QuotaUsageRow.Columns} FROM quota_usage
                WHERE entity_kind = @Kind AND entity_id = @EntityId AND meter = @Meter AND window_start = @Start
                """,
                QuotaUsageRow.From(window), cancellationToken)).SingleOrDefault();
            loaded.Add((window, stored?.Used ?? 0, stored is null ? null : StoredTime.Read(stored.UpdatedAt)));
        }

        lock (gate)
        {
            if (evictions != epoch)
            {
                return;
            }

            foreach (var (window, used, updatedAt) in loaded)
            {
                rows.TryAdd(QuotaKey.Of(window), new QuotaRow(window, used, updatedAt ?? time.GetUtcNow()));
            }
        }
    }

    private async Task WriteAsync(QuotaUsageRow[] batch, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: false);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO quota_usage (entity_kind, entity_id, meter, window_start, window_end, used, updated_at)
            VALUES (@Kind, @EntityId, @Meter, @Start, @End, @Used, @UpdatedAt)
            ON CONFLICT (entity_kind, entity_id, meter, window_start)
            DO UPDATE SET window_end = excluded.window_end, used = excluded.used, updated_at = excluded.updated_at
            """,
            batch, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }

    private void Evict()
    {
        var cutoff = time.GetUtcNow() - EvictAfter;
        lock (gate)
        {
            var idle = rows.Where(p => p.Value is { Dirty: false, Reserved: 0 } && p.Value.Window.End is { } end && end <= cutoff).Select(p => p.Key).ToList();
            if (idle.Count == 0)
            {
                return;
            }

            foreach (var key in idle)
            {
                rows.Remove(key);
            }

            evictions++;
        }
    }

    private void SignalDirty()
    {
        if (Interlocked.Exchange(ref signalled, 1) == 0)
        {
            dirty.Release();
        }
    }

    /// <summary>
    /// The flush loop runs on a thread of its own, not the thread pool's: Microsoft.Data.Sqlite does its I/O
    /// synchronously (its async methods too), and every commit waits for an fsync (0.5–10 ms here). On pool threads
    /// that blocking made the pool add workers under load (15 against 3 without budgets), and their spinning cost the
    /// request path CPU and context switches.
    /// </summary>
    private Task StartFlushThread()
    {
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            RunFlushLoop();
            ended.SetResult();
        })
        {
            IsBackground = true,
            Name = "Quota flush",
        };
        thread.Start();
        return ended.Task;
    }

    private void RunFlushLoop()
    {
        var token = stopping.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                dirty.Wait(token);
                Volatile.Write(ref signalled, 0);
                Task.Delay(FlushDelay, time, token).GetAwaiter().GetResult();
                FlushAsync(token).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception)
            {
                // The rows are dirty again; try later. A failure that persists surfaces from the flush at disposal.
                try
                {
                    Task.Delay(RetryDelay, time, token).GetAwaiter().GetResult();
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                SignalDirty();
            }
        }
    }

    private sealed class QuotaRow(QuotaWindow window, long used, DateTimeOffset updatedAt)
    {
        public QuotaWindow Window { get; } = window;
        public long Used { get; set; } = used;
        public long Reserved { get; set; }
        public DateTimeOffset UpdatedAt { get; set; } = updatedAt;

        /// <summary>Used changed since the last write to the file.</summary>
        public bool Dirty { get; set; }
    }
}

/// <summary>A quota's identity: the <c>quota_usage</c> primary key. Start is cut to microseconds, the precision the file keeps.</summary>
internal readonly record struct QuotaKey(GovernedKind Kind, string EntityId, QuotaMeter Meter, DateTimeOffset Start)
{
    public static QuotaKey Of(QuotaWindow window)
    {
        var ticks = window.Start.UtcTicks;
        return new(window.Kind, window.EntityId, window.Meter, new DateTimeOffset(ticks - (ticks % 10), TimeSpan.Zero));
    }
}

internal sealed class QuotaUsageRow
{
    public const string Columns =
        "entity_kind AS Kind, entity_id AS EntityId, meter AS Meter, window_start AS Start, window_end AS \"End\", used AS Used, updated_at AS UpdatedAt";

    public string Kind { get; set; } = "";
    public string EntityId { get; set; } = "";
    public string Meter { get; set; } = "";
    public string Start { get; set; } = "";
    public string? End { get; set; }
    public long Used { get; set; }
    public string UpdatedAt { get; set; } = "";

    public QuotaKey Key => QuotaKey.Of(ToWindow());

    public static QuotaUsageRow From(QuotaWindow window, long used = 0, DateTimeOffset updatedAt = default) => new()
    {
        Kind = QuotaText.Write(window.Kind),
        EntityId = window.EntityId,
        Meter = QuotaText.Write(window.Meter),
        Start = StoredTime.Write(window.Start),
        End = StoredTime.Write(window.End),
        Used = used,
        UpdatedAt = StoredTime.Write(updatedAt),
    };

    public QuotaWindow ToWindow() => new(QuotaText.ReadKind(Kind), EntityId, QuotaText.ReadMeter(Meter), StoredTime.Read(Start), StoredTime.ReadOptional(End));

    public QuotaUsage ToUsage() => new(ToWindow(), Used, 0, StoredTime.Read(UpdatedAt));
}
