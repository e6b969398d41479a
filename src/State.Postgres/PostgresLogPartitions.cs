using System.Collections.Concurrent;
using System.Globalization;
using Npgsql;

namespace Switchyard.State.Postgres;

/// <summary>
/// The day partitions of <c>switchyard.request_logs</c>: one per UTC day of expiry, named <c>request_logs_yyyyMMdd</c> and
/// holding the records whose <c>expires_at</c> falls in that day. The writer makes the ones a batch needs before writing
/// it (remembering those it knows exist); retention drops the ones whose day has ended. Both take one advisory lock, so
/// front doors racing to create a day, and retention passes racing to drop one, wait for each other instead of failing.
/// </summary>
internal sealed class PostgresLogPartitions(NpgsqlDataSource dataSource)
{
    /// <summary>Advisory locks are per database; this key is the log partitions' alone ("swlogprt" in ASCII).</summary>
    internal const long LockKey = 0x73776c6f67707274;

    private const string Prefix = "request_logs_";

    /// <summary>How long a drop waits for the parent table before the pass leaves the rest for the next one.</summary>
    private const int DropLockTimeoutMs = 2000;

    private readonly ConcurrentDictionary<DateOnly, bool> _known = new();

    /// <summary>The UTC day of expiry whose partition holds a record expiring at <paramref name="expiresAt"/>.</summary>
    public static DateOnly DayOf(DateTimeOffset expiresAt) => DateOnly.FromDateTime(expiresAt.UtcDateTime);

    public static string NameOf(DateOnly day) => Prefix + day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    /// <summary>Makes the partitions of <paramref name="days"/> that this process has not yet seen exist.</summary>
    public async Task EnsureAsync(IEnumerable<DateOnly> days, CancellationToken cancellationToken)
    {
        var missing = days.Where(d => !_known.ContainsKey(d)).Distinct().Order().ToList();
        if (missing.Count == 0)
        {
            return;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({LockKey})", cancellationToken);
        var existing = await ListAsync(connection, transaction, cancellationToken);
        foreach (var day in missing.Where(d => !existing.Contains(d)))
        {
            // Made apart and then attached: ATTACH PARTITION takes a lock on the parent that lets reads and writes go on
            // (CREATE TABLE … PARTITION OF would take an exclusive one, queueing every write behind a long export). The
            // table is empty, so attaching it validates nothing and builds its indexes at once.
            await ExecuteAsync(
                connection, transaction,
                $"""
                CREATE TABLE IF NOT EXISTS switchyard.{NameOf(day)} (LIKE switchyard.request_logs INCLUDING DEFAULTS);
                ALTER TABLE switchyard.request_logs ATTACH PARTITION switchyard.{NameOf(day)}
                    FOR VALUES FROM ('{Bound(day)}') TO ('{Bound(day.AddDays(1))}')
                """,
                cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        foreach (var day in missing)
        {
            _known[day] = true;
        }
    }

    /// <summary>Forgets what this process knew, after a write found a partition gone (another process's retention dropped it).</summary>
    public void Forget() => _known.Clear();

    /// <summary>The partitions that exist now, by day, oldest first.</summary>
    public static async Task<IReadOnlyList<DateOnly>> ListAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        // pg_inherits read with this statement's snapshot: a partition another pass just dropped is not listed.
        await using var command = new NpgsqlCommand(
            """
            SELECT c.relname FROM pg_catalog.pg_inherits i
            JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'switchyard.request_logs'::regclass
            """,
            connection, transaction);
        var days = new List<DateOnly>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var name = reader.GetString(0);
                if (name.StartsWith(Prefix, StringComparison.Ordinal)
                    && DateOnly.TryParseExact(name[Prefix.Length..], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
                {
                    days.Add(day);
                }
            }
        }

        days.Sort();
        return days;
    }

    /// <summary>
    /// Drops every partition whose day of expiry ended at or before <paramref name="now"/>, oldest first, one transaction
    /// each (a drop locks the parent table, so writers wait only for one). Returns the partitions and records dropped by
    /// this pass; a partition another pass dropped first is not counted. A pass that cannot get the parent's lock within
    /// two seconds stops, and the next pass goes on.
    /// </summary>
    public async Task<(int Partitions, long Records)> DropExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var today = DayOf(now);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var partitions = 0;
        long records = 0;
        foreach (var day in await ListAsync(connection, null, cancellationToken))
        {
            // A day's records all expire by its end: the partition of day d is done once now >= d + 1 day.
            if (day >= today)
            {
                break;
            }

            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({LockKey})", cancellationToken);
            if (!(await ListAsync(connection, transaction, cancellationToken)).Contains(day))
            {
                await transaction.CommitAsync(cancellationToken);
                continue;
            }

            long count;
            await using (var counting = new NpgsqlCommand($"SELECT count(*) FROM switchyard.{NameOf(day)}", connection, transaction))
            {
                count = (long)(await counting.ExecuteScalarAsync(cancellationToken))!;
            }

            // Dropping a partition locks the parent exclusively, and every read and write queues behind a waiting lock:
            // when a long read (an export) holds the table, give up for this pass instead of stalling the log.
            try
            {
                await ExecuteAsync(
                    connection, transaction,
                    $"SET LOCAL lock_timeout = '{DropLockTimeoutMs}ms'; DROP TABLE IF EXISTS switchyard.{NameOf(day)}",
                    cancellationToken);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
            {
                await transaction.RollbackAsync(cancellationToken);
                break;
            }

            await transaction.CommitAsync(cancellationToken);
            _known.TryRemove(day, out _);
            records += count;
            partitions++;
        }

        return (partitions, records);
    }

    private static string Bound(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + " 00:00:00+00";

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
