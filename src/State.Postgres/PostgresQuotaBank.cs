using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace Switchyard.State.Postgres;

/// <summary>
/// The cluster quota bank: every quota is a row of <c>switchyard.quota_usage</c>, and a reservation is a conditional
/// upsert that adds to <c>reserved</c> only while <c>used + reserved + amount ≤ limit</c>, under the row lock, so the cap
/// holds across any number of replicas. A set of claims is one transaction with the claims taken in key order (so two
/// replicas locking the same rows cannot deadlock); if any claim does not fit, the transaction is rolled back.
/// </summary>
/// <remarks>
/// The <see cref="QuotaMeter.Concurrent"/> meter stays in this process (<see cref="InProcessConcurrency"/>): a replica that
/// crashed with requests in flight would otherwise leave their reservations in the table and block the key until someone
/// cleared them. Concurrency is therefore per replica for now; cluster-wide concurrency comes with the lease issue
/// (DESIGN.md §5a), whose leases expire. This bank is the per-request form of §5a (every reservation a round trip);
/// leases will put a local balance in front of it under the same contract.
/// </remarks>
internal sealed class PostgresQuotaBank(NpgsqlDataSource dataSource, TimeProvider time) : IQuotaBank
{
    private const string ReserveSql =
        """
        INSERT INTO switchyard.quota_usage AS q (entity_kind, entity_id, meter, window_start, window_end, used, reserved, updated_at)
        SELECT $1, $2, $3, $4, $5, 0, $6, now()
        WHERE $6 <= $7
        ON CONFLICT (entity_kind, entity_id, meter, window_start) DO UPDATE
        SET reserved = q.reserved + excluded.reserved, updated_at = excluded.updated_at
        WHERE q.used::numeric + q.reserved + excluded.reserved <= $7
        RETURNING q.used + q.reserved
        """;

    private const string SettleSql =
        """
        INSERT INTO switchyard.quota_usage AS q (entity_kind, entity_id, meter, window_start, window_end, used, reserved, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, 0, now())
        ON CONFLICT (entity_kind, entity_id, meter, window_start) DO UPDATE
        SET reserved = greatest(q.reserved - $7, 0), used = q.used + excluded.used, updated_at = excluded.updated_at
        RETURNING q.used - $6, q.used
        """;

    private readonly InProcessConcurrency concurrency = new(time);

    public async ValueTask<QuotaDecision> ReserveAsync(IReadOnlyList<QuotaClaim> claims, CancellationToken cancellationToken)
    {
        foreach (var claim in claims)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(claim.Amount, nameof(claims));
            ArgumentOutOfRangeException.ThrowIfNegative(claim.Limit, nameof(claims));
        }

        var taken = new long[claims.Count];
        var stored = Enumerable.Range(0, claims.Count).Where(i => claims[i].Window.Meter != QuotaMeter.Concurrent)
            .OrderBy(i => claims[i].Window, WindowOrder.Instance).ToList();
        if (stored.Count == 0)
        {
            var refused = concurrency.TryReserve(claims, taken);
            return new QuotaDecision(refused, taken);
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var storedRefused = int.MaxValue;
        var memoryRefused = -1;
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            await using var batch = new NpgsqlBatch(connection, transaction);
            foreach (var i in stored)
            {
                batch.BatchCommands.Add(Command(ReserveSql, claims[i].Window, claims[i].Amount, claims[i].Limit));
            }

            await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
            {
                foreach (var i in stored)
                {
                    if (await reader.ReadAsync(cancellationToken))
                    {
                        taken[i] = reader.GetInt64(0);
                    }
                    else
                    {
                        storedRefused = Math.Min(storedRefused, i);
                    }

                    await reader.NextResultAsync(cancellationToken);
                }
            }

            // The stored rows stay locked while the in-process claims are checked, so both halves stand or fall together.
            if (storedRefused == int.MaxValue)
            {
                memoryRefused = concurrency.TryReserve(claims, taken);
                if (memoryRefused < 0)
                {
                    try
                    {
                        await transaction.CommitAsync(cancellationToken);
                    }
                    catch
                    {
                        concurrency.Release(claims);
                        throw;
                    }

                    return new QuotaDecision(-1, taken);
                }
            }

            await transaction.RollbackAsync(cancellationToken);
        }

        // Refused: report what the quotas hold now that this call's reservations are gone.
        await ReadTakenAsync(connection, claims, stored, taken, cancellationToken);
        concurrency.Peek(claims, taken);
        var refusedIndex = memoryRefused >= 0 ? Math.Min(memoryRefused, storedRefused) : storedRefused;
        return new QuotaDecision(refusedIndex, taken);
    }

    public async ValueTask<IReadOnlyList<QuotaChange>> SettleAsync(IReadOnlyList<QuotaSettlement> settlements, CancellationToken cancellationToken)
    {
        foreach (var settlement in settlements)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(settlement.Reserved, nameof(settlements));
            ArgumentOutOfRangeException.ThrowIfNegative(settlement.Actual, nameof(settlements));
        }

        var changes = new QuotaChange[settlements.Count];
        var stored = Enumerable.Range(0, settlements.Count).Where(i => settlements[i].Window.Meter != QuotaMeter.Concurrent)
            .OrderBy(i => settlements[i].Window, WindowOrder.Instance).ToList();
        if (stored.Count > 0)
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using var batch = new NpgsqlBatch(connection, transaction);
            foreach (var i in stored)
            {
                batch.BatchCommands.Add(Command(SettleSql, settlements[i].Window, settlements[i].Actual, settlements[i].Reserved));
            }

            await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
            {
                foreach (var i in stored)
                {
                    await reader.ReadAsync(cancellationToken);
                    changes[i] = new QuotaChange(settlements[i].Window, reader.GetInt64(0), reader.GetInt64(1));
                    await reader.NextResultAsync(cancellationToken);
                }
            }

            await transaction.CommitAsync(cancellationToken);
        }

        for (var i = 0; i < settlements.Count; i++)
        {
            if (settlements[i].Window.Meter == QuotaMeter.Concurrent)
            {
                changes[i] = concurrency.Settle(settlements[i]);
            }
        }

        return changes;
    }

    public async Task<IReadOnlyList<QuotaUsage>> UsageAsync(GovernedKind kind, string entityId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<QuotaUsageRow>(new CommandDefinition(
            $"""
            SELECT {QuotaUsageRow.Columns} FROM switchyard.quota_usage
            WHERE entity_kind = @Kind AND entity_id = @EntityId
            ORDER BY window_start DESC, meter
            """,
            new { Kind = QuotaText.Write(kind), EntityId = entityId }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToUsage()).Concat(concurrency.Usage(kind, entityId)).OrderByDescending(u => u.Window.Start)];
    }

    /// <summary>Every change is committed by the call that made it: nothing to flush.</summary>
    public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static async Task ReadTakenAsync(
        NpgsqlConnection connection, IReadOnlyList<QuotaClaim> claims, List<int> stored, long[] taken, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection);
        foreach (var i in stored)
        {
            var command = new NpgsqlBatchCommand(
                "SELECT used + reserved FROM switchyard.quota_usage WHERE entity_kind = $1 AND entity_id = $2 AND meter = $3 AND window_start = $4");
            AddKey(command, claims[i].Window);
            batch.BatchCommands.Add(command);
        }

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        foreach (var i in stored)
        {
            taken[i] = await reader.ReadAsync(cancellationToken) ? reader.GetInt64(0) : 0;
            await reader.NextResultAsync(cancellationToken);
        }
    }

    /// <summary>$1–$5 the window, $6 and $7 the two amounts.</summary>
    private static NpgsqlBatchCommand Command(string sql, QuotaWindow window, long first, long second)
    {
        var command = new NpgsqlBatchCommand(sql);
        AddKey(command, window);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset?> { NpgsqlDbType = NpgsqlDbType.TimestampTz, TypedValue = StateTime.Write(window.End) });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = first });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = second });
        return command;
    }

    private static void AddKey(NpgsqlBatchCommand command, QuotaWindow window)
    {
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = QuotaText.Write(window.Kind) });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = window.EntityId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = QuotaText.Write(window.Meter) });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = StateTime.Write(window.Start) });
    }

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

/// <summary>
/// Requests in flight per entity, for this replica only (see <see cref="PostgresQuotaBank"/> for why). One lock, no I/O
/// inside; an entry disappears when nothing is in flight, so idle keys cost nothing.
/// </summary>
internal sealed class InProcessConcurrency(TimeProvider time)
{
    private readonly Lock gate = new();
    private readonly Dictionary<(GovernedKind Kind, string EntityId), Entry> entries = [];

    /// <summary>All or nothing over the concurrency claims in <paramref name="claims"/>; fills their <paramref name="taken"/>. -1 or the first refused index.</summary>
    public int TryReserve(IReadOnlyList<QuotaClaim> claims, long[] taken)
    {
        lock (gate)
        {
            for (var i = 0; i < claims.Count; i++)
            {
                if (claims[i].Window.Meter != QuotaMeter.Concurrent)
                {
                    continue;
                }

                var entry = GetOrAdd(claims[i].Window);
                if ((Int128)entry.Reserved + claims[i].Amount > claims[i].Limit)
                {
                    Undo(claims, i);
                    Peek(claims, taken);
                    return i;
                }

                entry.Reserved += claims[i].Amount;
                entry.UpdatedAt = time.GetUtcNow();
            }

            Peek(claims, taken);
            return -1;
        }
    }

    public void Release(IReadOnlyList<QuotaClaim> claims)
    {
        lock (gate)
        {
            Undo(claims, claims.Count);
        }
    }

    /// <summary>Fills <paramref name="taken"/> for the concurrency claims with what is in flight now.</summary>
    public void Peek(IReadOnlyList<QuotaClaim> claims, long[] taken)
    {
        lock (gate)
        {
            for (var i = 0; i < claims.Count; i++)
            {
                if (claims[i].Window.Meter == QuotaMeter.Concurrent)
                {
                    taken[i] = entries.TryGetValue(Key(claims[i].Window), out var entry) ? entry.Reserved : 0;
                }
            }
        }
    }

    /// <summary>Ends requests in flight; concurrency has no settled use, so before and after are both 0.</summary>
    public QuotaChange Settle(QuotaSettlement settlement)
    {
        lock (gate)
        {
            if (entries.TryGetValue(Key(settlement.Window), out var entry))
            {
                entry.Reserved = Math.Max(0, entry.Reserved - settlement.Reserved);
                entry.UpdatedAt = time.GetUtcNow();
                Forget(settlement.Window, entry);
            }
        }

        return new QuotaChange(settlement.Window, 0, 0);
    }

    public IEnumerable<QuotaUsage> Usage(GovernedKind kind, string entityId)
    {
        lock (gate)
        {
            return entries.TryGetValue((kind, entityId), out var entry) ? [new QuotaUsage(entry.Window, 0, entry.Reserved, entry.UpdatedAt)] : [];
        }
    }

    private void Undo(IReadOnlyList<QuotaClaim> claims, int count)
    {
        for (var j = 0; j < count; j++)
        {
            if (claims[j].Window.Meter == QuotaMeter.Concurrent && entries.TryGetValue(Key(claims[j].Window), out var entry))
            {
                entry.Reserved -= claims[j].Amount;
                Forget(claims[j].Window, entry);
            }
        }
    }

    private Entry GetOrAdd(QuotaWindow window)
    {
        if (!entries.TryGetValue(Key(window), out var entry))
        {
            entry = new Entry(window, time.GetUtcNow());
            entries.Add(Key(window), entry);
        }

        return entry;
    }

    private void Forget(QuotaWindow window, Entry entry)
    {
        if (entry.Reserved <= 0)
        {
            entries.Remove(Key(window));
        }
    }

    // Concurrency is not windowed (its window always starts at the epoch), so the entity names the quota.
    private static (GovernedKind, string) Key(QuotaWindow window) => (window.Kind, window.EntityId);

    private sealed class Entry(QuotaWindow window, DateTimeOffset updatedAt)
    {
        public QuotaWindow Window { get; } = window;
        public long Reserved { get; set; }
        public DateTimeOffset UpdatedAt { get; set; } = updatedAt;
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
