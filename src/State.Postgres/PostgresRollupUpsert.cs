using System.Globalization;
using System.Text;
using Npgsql;
using NpgsqlTypes;

namespace Switchyard.State.Postgres;

/// <summary>
/// Adds a batch's rollup deltas (<see cref="LogRollups"/>) to <c>log_rollup_minute</c> or <c>log_rollup_hour</c>: one
/// statement per grain, the deltas passed as one array per column and unnested, each inserted or added to the row with
/// its key. Rows go in key order, so two writers adding to the same keys lock them in the same order and cannot deadlock.
/// </summary>
internal static class PostgresRollupUpsert
{
    public const string Dimensions = "bucket, workspace_id, provider, model, api_key_id, virtual_key, config_id, status, cache_status";

    public const string Measures =
        "requests, errors, cost_micros, input_tokens, output_tokens, latency_ms_sum, rescued_by_retry, rescued_by_fallback";

    public static readonly string Histogram = string.Join(", ", Enumerable.Range(0, LatencyHistogram.Buckets).Select(HistogramColumn));

    private static readonly string MinuteSql = Sql("log_rollup_minute");
    private static readonly string HourSql = Sql("log_rollup_hour");

    public static string Table(RollupGrain grain) => grain == RollupGrain.Minute ? "log_rollup_minute" : "log_rollup_hour";

    public static string HistogramColumn(int bucket) => "h" + bucket.ToString("00", CultureInfo.InvariantCulture);

    public static async Task AddAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, RollupGrain grain, IReadOnlyList<RollupDelta> deltas,
        CancellationToken cancellationToken)
    {
        if (deltas.Count == 0)
        {
            return;
        }

        var n = deltas.Count;
        await using var command = new NpgsqlCommand(grain == RollupGrain.Minute ? MinuteSql : HourSql, connection, transaction);
        var parameters = command.Parameters;
        parameters.Add(new NpgsqlParameter("bucket", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = Column(deltas, d => d.Key.Bucket.UtcDateTime) });
        parameters.Add(Text("workspace_id", Column(deltas, d => d.Key.WorkspaceId)));
        parameters.Add(Text("provider", Column(deltas, d => d.Key.Provider)));
        parameters.Add(Text("model", Column(deltas, d => d.Key.Model)));
        parameters.Add(Text("api_key_id", Column(deltas, d => d.Key.ApiKeyId)));
        parameters.Add(Text("virtual_key", Column(deltas, d => d.Key.VirtualKey)));
        parameters.Add(Text("config_id", Column(deltas, d => d.Key.ConfigId)));
        parameters.Add(new NpgsqlParameter("status", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = Column(deltas, d => d.Key.Status) });
        parameters.Add(Text("cache_status", Column(deltas, d => d.Key.CacheStatus)));
        parameters.Add(Long("requests", Column(deltas, d => d.Requests)));
        parameters.Add(Long("errors", Column(deltas, d => d.Errors)));
        parameters.Add(Long("cost_micros", Column(deltas, d => d.CostMicros)));
        parameters.Add(Long("input_tokens", Column(deltas, d => d.InputTokens)));
        parameters.Add(Long("output_tokens", Column(deltas, d => d.OutputTokens)));
        parameters.Add(new NpgsqlParameter("latency_ms_sum", NpgsqlDbType.Array | NpgsqlDbType.Double) { Value = Column(deltas, d => d.LatencyMsSum) });
        parameters.Add(Long("rescued_by_retry", Column(deltas, d => d.RescuedByRetry)));
        parameters.Add(Long("rescued_by_fallback", Column(deltas, d => d.RescuedByFallback)));
        for (var b = 0; b < LatencyHistogram.Buckets; b++)
        {
            var counts = new long[n];
            for (var i = 0; i < n; i++)
            {
                counts[i] = deltas[i].Latency[b];
            }

            parameters.Add(Long(HistogramColumn(b), counts));
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string Sql(string table)
    {
        var columns = $"{Dimensions}, {Measures}, {Histogram}";
        var names = columns.Split(", ");
        var sql = new StringBuilder();
        sql.Append($"INSERT INTO switchyard.{table} AS r ({columns})\n");
        sql.Append($"SELECT * FROM unnest({string.Join(", ", names.Select(c => "@" + c))}) AS d ({columns})\n");
        sql.Append($"ORDER BY {Dimensions}\n");
        sql.Append($"ON CONFLICT ({Dimensions}) DO UPDATE SET ");
        sql.Append(string.Join(", ", names.Skip(9).Select(c => $"{c} = r.{c} + excluded.{c}")));
        return sql.ToString();
    }

    private static T[] Column<T>(IReadOnlyList<RollupDelta> deltas, Func<RollupDelta, T> value)
    {
        var column = new T[deltas.Count];
        for (var i = 0; i < column.Length; i++)
        {
            column[i] = value(deltas[i]);
        }

        return column;
    }

    private static NpgsqlParameter Text(string name, string[] values) => new(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = values };

    private static NpgsqlParameter Long(string name, long[] values) => new(name, NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = values };
}
