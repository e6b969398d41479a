using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Switchyard.State.Embedded;

/// <summary>
/// The <c>log_rollup_minute</c> and <c>log_rollup_hour</c> tables: adding <see cref="LogRollups"/> deltas (an UPSERT
/// that sums into the row with the same dimensions) and reading totals back (Day: hour rows summed by UTC day).
/// </summary>
internal static class SqliteLogRollupTables
{
    private static readonly string[] Dimensions =
        ["bucket", "workspace_id", "provider", "model", "api_key_id", "virtual_key", "config_id", "status", "cache_status"];

    private static readonly string[] Measures =
        ["requests", "errors", "cost_micros", "input_tokens", "output_tokens", "latency_ms_sum", "rescued_by_retry", "rescued_by_fallback"];

    private static readonly string[] Histogram =
        [.. Enumerable.Range(0, LatencyHistogram.Buckets).Select(i => string.Create(CultureInfo.InvariantCulture, $"h{i:00}"))];

    public static string Table(RollupGrain grain) => grain == RollupGrain.Minute ? "log_rollup_minute" : "log_rollup_hour";

    /// <summary>
    /// The UPSERT for one grain's table, with its parameters made once; <see cref="Bind"/> sets them per delta. With
    /// <paramref name="histogramBucket"/> it names only that latency column (the others keep their value, or their
    /// default 0 in a new row): most deltas, a single call's, fill one, and binding 47 zeros per row was half an append's time.
    /// </summary>
    public static PreparedStatement PrepareUpsert(SqliteConnection connection, RollupGrain grain, int? histogramBucket = null)
    {
        string[] columns = [.. Dimensions, .. Measures, .. histogramBucket is { } only ? [Histogram[only]] : Histogram];
        return new PreparedStatement(
            connection,
            $"INSERT INTO {Table(grain)} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select(_ => "?"))}) " +
            $"ON CONFLICT (workspace_id, bucket, provider, model, api_key_id, virtual_key, config_id, status, cache_status) DO UPDATE SET " +
            string.Join(", ", columns.Skip(Dimensions.Length).Select(c => $"{c} = {c} + excluded.{c}")));
    }

    /// <summary>The one latency bucket a delta has counts in, or null when it has several.</summary>
    public static int? SingleHistogramBucket(RollupDelta delta)
    {
        int? single = null;
        for (var h = 0; h < delta.Latency.Length; h++)
        {
            if (delta.Latency[h] != 0)
            {
                if (single is not null)
                {
                    return null;
                }

                single = h;
            }
        }

        return single;
    }

    /// <summary>Sets a statement's parameters from a delta: every latency column, or (a single-bucket statement) the one it names.</summary>
    public static void Bind(PreparedStatement upsert, RollupDelta d, bool singleHistogramBucket)
    {
        var i = 0;
        upsert.Bind(i++, LogTime.Write(d.Key.Bucket));
        upsert.Bind(i++, d.Key.WorkspaceId);
        upsert.Bind(i++, d.Key.Provider);
        upsert.Bind(i++, d.Key.Model);
        upsert.Bind(i++, d.Key.ApiKeyId);
        upsert.Bind(i++, d.Key.VirtualKey);
        upsert.Bind(i++, d.Key.ConfigId);
        upsert.Bind(i++, d.Key.Status);
        upsert.Bind(i++, d.Key.CacheStatus);
        upsert.Bind(i++, d.Requests);
        upsert.Bind(i++, d.Errors);
        upsert.Bind(i++, d.CostMicros);
        upsert.Bind(i++, d.InputTokens);
        upsert.Bind(i++, d.OutputTokens);
        upsert.Bind(i++, d.LatencyMsSum);
        upsert.Bind(i++, d.RescuedByRetry);
        upsert.Bind(i++, d.RescuedByFallback);
        if (singleHistogramBucket)
        {
            // Every request of the delta is in its one bucket.
            upsert.Bind(i, d.Requests);
            return;
        }

        foreach (var count in d.Latency)
        {
            upsert.Bind(i++, count);
        }
    }

    /// <summary>
    /// Totals for <paramref name="query"/>: buckets from the one holding <see cref="RollupQuery.From"/> up to those
    /// starting before <see cref="RollupQuery.To"/>, grouped by bucket (unless not asked) and the asked dimensions.
    /// </summary>
    public static IReadOnlyList<RollupRow> Read(SqliteConnection connection, RollupQuery query)
    {
        var size = query.Grain switch
        {
            RollupGrain.Minute => 60_000_000L,
            RollupGrain.Hour => 3_600_000_000L,
            RollupGrain.Day => LogTime.MicrosPerDay,
            _ => throw new ArgumentOutOfRangeException(nameof(query), query.Grain, "Unknown rollup grain."),
        };
        var from = FloorTo(LogTime.Write(query.From), size);

        // A bucket starts before To exactly when it starts before To rounded up to a whole bucket; hour rows of a day
        // all start before the next day. So both bounds are plain ranges on the bucket column.
        var to = FloorTo(LogTime.Write(query.To) + size - 1, size);
        var bucket = query.Grain == RollupGrain.Day ? $"(bucket - bucket % {LogTime.MicrosPerDay})" : "bucket";

        var filter = SqliteLogFilter.Of(query).Compare("bucket", ">=", from).Compare("bucket", "<", to);
        var groups = new List<string>();
        if (query.ByBucket)
        {
            groups.Add(bucket);
        }

        string Group(RollupDimension dimension, string column)
        {
            if (!query.GroupBy.Contains(dimension))
            {
                return "NULL";
            }

            groups.Add(column);
            return column;
        }

        var select = string.Join(", ", new[]
        {
            query.ByBucket ? bucket : "NULL",
            Group(RollupDimension.Workspace, "workspace_id"),
            Group(RollupDimension.Provider, "provider"),
            Group(RollupDimension.Model, "model"),
            Group(RollupDimension.ApiKey, "api_key_id"),
            Group(RollupDimension.VirtualKey, "virtual_key"),
            Group(RollupDimension.Config, "config_id"),
            Group(RollupDimension.Status, "status"),
            Group(RollupDimension.CacheStatus, "cache_status"),
        }.Concat((query.Latency ? Measures.Concat(Histogram) : Measures).Select(c => $"SUM({c})")));

        using var command = connection.CreateCommand();
        command.CommandText =
            $"SELECT {select} FROM {Table(query.Grain)}{filter.Where}" +
            (groups.Count > 0 ? $" GROUP BY {string.Join(", ", groups)} ORDER BY {string.Join(", ", groups)}" : "") +
            (groups.Count == 0 ? " HAVING COUNT(*) > 0" : "");
        filter.BindTo(command);

        var rows = new List<RollupRow>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var latency = query.Latency ? new long[LatencyHistogram.Buckets] : [];
            for (var h = 0; h < latency.Length; h++)
            {
                latency[h] = reader.GetInt64(17 + h);
            }

            rows.Add(new RollupRow
            {
                Bucket = query.ByBucket ? LogTime.Read(reader.GetInt64(0)) : query.From.ToUniversalTime(),
                WorkspaceId = reader.IsDBNull(1) ? null : reader.GetString(1),
                Provider = Blank(reader, 2),
                Model = Blank(reader, 3),
                ApiKeyId = Blank(reader, 4),
                VirtualKey = Blank(reader, 5),
                ConfigId = Blank(reader, 6),
                Status = reader.IsDBNull(7) ? null : checked((int)reader.GetInt64(7)),
                CacheStatus = reader.IsDBNull(8) ? null : reader.GetString(8),
                Requests = reader.GetInt64(9),
                Errors = reader.GetInt64(10),
                CostMicros = reader.GetInt64(11),
                InputTokens = reader.GetInt64(12),
                OutputTokens = reader.GetInt64(13),
                LatencyMsSum = reader.GetDouble(14),
                RescuedByRetry = reader.GetInt64(15),
                RescuedByFallback = reader.GetInt64(16),
                Latency = latency,
            });
        }

        return rows;
    }

    /// <summary>Deletes up to <paramref name="limit"/> rows of buckets before <paramref name="before"/>; returns how many.</summary>
    public static int DeleteBefore(SqliteConnection connection, SqliteTransaction? transaction, RollupGrain grain, DateTimeOffset before, int limit)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        var table = Table(grain);
        const string Key = "workspace_id, bucket, provider, model, api_key_id, virtual_key, config_id, status, cache_status";
        command.CommandText = $"DELETE FROM {table} WHERE ({Key}) IN (SELECT {Key} FROM {table} WHERE bucket < @Before LIMIT @Limit)";
        command.Parameters.AddWithValue("@Before", LogTime.Write(before));
        command.Parameters.AddWithValue("@Limit", limit);
        return command.ExecuteNonQuery();
    }

    // A dimension the records lacked is stored as '' (so the unique key works) and read back as "none".
    private static string? Blank(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) || reader.GetString(ordinal) is not { Length: > 0 } value ? null : value;

    private static long FloorTo(long micros, long size) => micros - (((micros % size) + size) % size);
}
