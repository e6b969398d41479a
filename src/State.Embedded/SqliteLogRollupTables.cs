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

    /// <summary>The UPSERT for one grain's table, with its parameters made once; <see cref="Bind"/> sets them per delta.</summary>
    public static SqliteCommand PrepareUpsert(SqliteConnection connection, RollupGrain grain)
    {
        string[] columns = [.. Dimensions, .. Measures, .. Histogram];
        var command = connection.CreateCommand();
        command.CommandText =
            $"INSERT INTO {Table(grain)} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select((_, i) => $"@r{i}"))}) " +
            $"ON CONFLICT (workspace_id, bucket, provider, model, api_key_id, virtual_key, config_id, status, cache_status) DO UPDATE SET " +
            string.Join(", ", columns.Skip(Dimensions.Length).Select(c => $"{c} = {c} + excluded.{c}"));
        for (var i = 0; i < columns.Length; i++)
        {
            command.Parameters.Add(new SqliteParameter($"@r{i}", null));
        }

        return command;
    }

    public static void Bind(SqliteCommand upsert, RollupDelta d)
    {
        var p = upsert.Parameters;
        var i = 0;
        void Set(object value) => p[i++].Value = value;

        Set(LogTime.Write(d.Key.Bucket));
        Set(d.Key.WorkspaceId);
        Set(d.Key.Provider);
        Set(d.Key.Model);
        Set(d.Key.ApiKeyId);
        Set(d.Key.VirtualKey);
        Set(d.Key.ConfigId);
        Set(d.Key.Status);
        Set(d.Key.CacheStatus);
        Set(d.Requests);
        Set(d.Errors);
        Set(d.CostMicros);
        Set(d.InputTokens);
        Set(d.OutputTokens);
        Set(d.LatencyMsSum);
        Set(d.RescuedByRetry);
        Set(d.RescuedByFallback);
        foreach (var count in d.Latency)
        {
            Set(count);
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
        }.Concat(Measures.Concat(Histogram).Select(c => $"SUM({c})")));

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
            var latency = new long[LatencyHistogram.Buckets];
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
        command.CommandText = $"DELETE FROM {table} WHERE rowid IN (SELECT rowid FROM {table} WHERE bucket < @Before LIMIT @Limit)";
        command.Parameters.AddWithValue("@Before", LogTime.Write(before));
        command.Parameters.AddWithValue("@Limit", limit);
        return command.ExecuteNonQuery();
    }

    // A dimension the records lacked is stored as '' (so the unique key works) and read back as "none".
    private static string? Blank(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) || reader.GetString(ordinal) is not { Length: > 0 } value ? null : value;

    private static long FloorTo(long micros, long size) => micros - (((micros % size) + size) % size);
}
