using Npgsql;
using NpgsqlTypes;

namespace Switchyard.State.Postgres;

/// <summary>
/// The statements of quota leasing (DESIGN.md §5a). Each takes the quota's key as $1–$4 (entity kind, entity id, meter,
/// window start) and the caller's clock as <c>now</c>, so every instant in <c>replicas</c> and <c>quota_leases</c> is on the
/// replicas' clocks (kept within <see cref="QuotaLeaseOptions.ClockSkewAllowance"/> of each other).
/// </summary>
internal static class QuotaLeaseSql
{
    /// <summary>
    /// Creates the bank row if missing and locks it, so the grant that follows in the same implicit transaction (one
    /// batch, one round trip) sees the row as it stands. $5 window end, $6 now, $7 need, $8 limit: a need past the limit
    /// creates nothing.
    /// </summary>
    public const string Lock =
        """
        INSERT INTO switchyard.quota_usage AS q (entity_kind, entity_id, meter, window_start, window_end, used, reserved, updated_at)
        SELECT $1, $2, $3, $4, $5, 0, 0, $6 WHERE $7 <= $8
        ON CONFLICT (entity_kind, entity_id, meter, window_start) DO UPDATE SET updated_at = q.updated_at
        """;

    /// <summary>
    /// The lease: <c>reserved += granted</c>, where granted is 0 unless what remains (limit − used − reserved) covers the
    /// need, and then the need plus the prefetch, but no more than <c>SliceFraction</c> of what remains over the live
    /// replicas (never less than the need: near the limit a lease is exactly the claim), and never more than remains.
    /// The lease row takes the grant and a new expiry. For the concurrency meter the lease row is the authority (the
    /// janitor may have reclaimed it), so an existing one is renewed even without a grant and its granted is returned.
    /// $5 unused, $6 now, $7 need, $8 limit, $9 prefetch, $10 fraction, $11 lifetime, $12 lease id, $13 replica id,
    /// $14 granted before (this replica's view), $15 expires at, $16 concurrency?
    /// Returns granted, used and reserved after, and the lease row's granted (null when not written).
    /// </summary>
    public const string Grant =
        """
        WITH live AS (
            SELECT greatest(count(*), 1)::numeric AS n FROM switchyard.replicas WHERE heartbeat_at > $6::timestamptz - $11::interval
        ), cur AS (
            SELECT q.used, q.reserved, $8::numeric - q.used - q.reserved AS free
            FROM switchyard.quota_usage q
            WHERE q.entity_kind = $1 AND q.entity_id = $2 AND q.meter = $3 AND q.window_start = $4
        ), g AS (
            SELECT cur.used, cur.reserved,
                CASE WHEN $7 > 0 AND cur.free >= $7
                    THEN least(cur.free, greatest($7::numeric, least($7::numeric + $9, floor(cur.free * $10::numeric / live.n))))::bigint
                    ELSE 0 END AS granted
            FROM cur, live
        ), bank AS (
            UPDATE switchyard.quota_usage q SET reserved = q.reserved + g.granted, updated_at = $6
            FROM g
            WHERE g.granted > 0 AND q.entity_kind = $1 AND q.entity_id = $2 AND q.meter = $3 AND q.window_start = $4
        ), lease AS (
            INSERT INTO switchyard.quota_leases AS l
                (lease_id, replica_id, entity_kind, entity_id, meter, window_start, granted, expires_at, created_at, updated_at)
            SELECT $12, $13, $1, $2, $3, $4, CASE WHEN $16 THEN g.granted ELSE $14 + g.granted END, $15, $6, $6
            FROM g WHERE g.granted > 0 OR ($16 AND EXISTS (SELECT 1 FROM switchyard.quota_leases WHERE lease_id = $12))
            ON CONFLICT (lease_id) DO UPDATE
            SET granted = CASE WHEN $16 THEN l.granted + excluded.granted ELSE excluded.granted END,
                expires_at = excluded.expires_at, updated_at = excluded.updated_at
            RETURNING l.granted
        )
        SELECT g.granted, g.used, g.reserved + g.granted, (SELECT granted FROM lease) FROM g
        """;

    /// <summary>
    /// Checkpoint and return, one quota: <c>used += settled</c>, <c>reserved −= released</c>, and the lease row keeps
    /// what is still held with a new expiry (or is deleted when nothing is). For concurrency the lease row is the
    /// authority: it is decremented rather than overwritten, a final return gives back what the row holds, and a lease
    /// the janitor reclaimed (its row gone: this replica looked dead) releases nothing, its slots having been given back
    /// already. A quota only ever counted (never leased) gets its row here. $5 window end, $6 now, $7 settled,
    /// $8 released, $9 lease id, $10 still held, $11 expires at, $12 concurrency?. Returns used and reserved after,
    /// and whether the lease row was there.
    /// </summary>
    public const string Sync =
        """
        WITH kept AS (
            UPDATE switchyard.quota_leases
            SET granted = CASE WHEN $12 THEN greatest(granted - $8, 0) ELSE $10 END, expires_at = $11, updated_at = $6
            WHERE lease_id = $9 AND $10 > 0
            RETURNING 1
        ), gone AS (
            DELETE FROM switchyard.quota_leases WHERE lease_id = $9 AND $10 = 0
            RETURNING granted
        ), held AS (
            SELECT EXISTS (SELECT 1 FROM kept) OR EXISTS (SELECT 1 FROM gone) AS held, (SELECT granted FROM gone) AS returned
        )
        INSERT INTO switchyard.quota_usage AS q (entity_kind, entity_id, meter, window_start, window_end, used, reserved, updated_at)
        VALUES ($1, $2, $3, $4, $5, $7, 0, $6)
        ON CONFLICT (entity_kind, entity_id, meter, window_start) DO UPDATE
        SET used = q.used + excluded.used,
            reserved = greatest(q.reserved - CASE
                WHEN NOT $12 THEN $8
                WHEN NOT (SELECT held FROM held) THEN 0
                ELSE coalesce((SELECT returned FROM held), $8) END, 0),
            updated_at = excluded.updated_at
        RETURNING q.used, q.reserved, (SELECT held FROM held)
        """;

    /// <summary>$1 replica id, $2 host, $3 started at, $4 now.</summary>
    public const string Heartbeat =
        """
        INSERT INTO switchyard.replicas (replica_id, host, started_at, heartbeat_at) VALUES ($1, $2, $3, $4)
        ON CONFLICT (replica_id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at
        """;

    /// <summary>A replica that stops cleanly leaves at once: whatever lease rows remain (requests cut short) are the janitor's.</summary>
    public const string Leave = "DELETE FROM switchyard.replicas WHERE replica_id = $1";

    /// <summary>Any key will do as long as every replica uses the same one: only one janitor runs at a time.</summary>
    public const long JanitorLock = 8320239136064823669;

    /// <summary>
    /// The janitor: deletes the expired leases of dead replicas (no heartbeat for a lease lifetime), giving back the
    /// concurrency slots they held (their requests died with them) and nothing else: a dead replica's unused budget and
    /// rate quota stays counted until its window ends, so a crash can only under-admit. Quota rows are updated in key order,
    /// as every other statement locks them. Replicas dead for ten lifetimes and holding nothing are forgotten.
    /// $1 now, $2 lifetime, $3 clock skew allowance. Returns leases deleted and slots given back.
    /// </summary>
    public const string Janitor =
        """
        WITH dead AS (
            DELETE FROM switchyard.quota_leases l
            WHERE l.expires_at < $1::timestamptz - $3::interval
              AND NOT EXISTS (SELECT 1 FROM switchyard.replicas r WHERE r.replica_id = l.replica_id AND r.heartbeat_at > $1::timestamptz - $2::interval)
            RETURNING l.entity_kind, l.entity_id, l.meter, l.window_start, l.granted
        ), slots AS (
            SELECT entity_kind, entity_id, meter, window_start, sum(granted)::bigint AS granted
            FROM dead WHERE meter = 'concurrent' GROUP BY 1, 2, 3, 4
        ), locked AS (
            SELECT q.entity_kind, q.entity_id, q.meter, q.window_start FROM switchyard.quota_usage q
            JOIN slots s USING (entity_kind, entity_id, meter, window_start)
            ORDER BY 1, 2, 3, 4 FOR UPDATE OF q
        ), back AS (
            UPDATE switchyard.quota_usage q SET reserved = greatest(q.reserved - s.granted, 0), updated_at = $1
            FROM slots s JOIN locked k USING (entity_kind, entity_id, meter, window_start)
            WHERE q.entity_kind = s.entity_kind AND q.entity_id = s.entity_id AND q.meter = s.meter AND q.window_start = s.window_start
            RETURNING 1
        ), forgotten AS (
            DELETE FROM switchyard.replicas r
            WHERE r.heartbeat_at < $1::timestamptz - 10 * $2::interval
              AND NOT EXISTS (SELECT 1 FROM switchyard.quota_leases l WHERE l.replica_id = r.replica_id)
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM dead), (SELECT coalesce(sum(granted), 0)::bigint FROM slots), (SELECT count(*) FROM back), (SELECT count(*) FROM forgotten)
        """;

    public static NpgsqlBatchCommand Command(string sql, QuotaWindow window, DateTimeOffset now)
    {
        var command = new NpgsqlBatchCommand(sql);
        Add(command, QuotaText.Write(window.Kind));
        Add(command, window.EntityId);
        Add(command, QuotaText.Write(window.Meter));
        Add(command, StateTime.Write(window.Start));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset?> { NpgsqlDbType = NpgsqlDbType.TimestampTz, TypedValue = StateTime.Write(window.End) });
        Add(command, StateTime.Write(now));
        return command;
    }

    public static void Add<T>(NpgsqlBatchCommand command, T value) => command.Parameters.Add(new NpgsqlParameter<T> { TypedValue = value });
}
