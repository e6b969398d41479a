using System.Text;
using Npgsql;

namespace Switchyard.State.Postgres;

/// <summary>
/// A <see cref="RollupQuery"/> as SQL over the rollup tables: minute buckets from <c>log_rollup_minute</c>, hour and day
/// buckets from <c>log_rollup_hour</c> (a day is its 24 hours summed, by UTC day), grouped by the bucket (when asked) and
/// the dimensions asked for, summing every measure and (when asked) every histogram column.
/// </summary>
internal static class PostgresRollupQuery
{
    private const string Sums =
        "sum(requests)::bigint, sum(errors)::bigint, sum(cost_micros)::bigint, sum(input_tokens)::bigint, sum(output_tokens)::bigint, " +
        "sum(latency_ms_sum), sum(rescued_by_retry)::bigint, sum(rescued_by_fallback)::bigint";

    private static readonly string HistogramSums =
        string.Concat(Enumerable.Range(0, LatencyHistogram.Buckets).Select(b => $", sum({PostgresRollupUpsert.HistogramColumn(b)})::bigint"));

    public static (string Sql, PostgresLogFilter Filter) Sql(RollupQuery query)
    {
        // The range covers whole buckets: a bucket is in it when it starts in it.
        var from = LogRollups.BucketStart(query.From, query.Grain);
        var to = query.To;
        var filter = PostgresLogFilter.Of(query, from, to);
        var groups = new List<string>();
        if (query.ByBucket)
        {
            groups.Add(query.Grain == RollupGrain.Day ? "date_trunc('day', bucket, 'UTC')" : "bucket");
        }

        groups.AddRange(query.GroupBy.Distinct().Select(Column));
        var sql = new StringBuilder("SELECT ");
        foreach (var group in groups)
        {
            sql.Append(group).Append(", ");
        }

        sql.Append(Sums).Append(query.Latency ? HistogramSums : "").Append(" FROM switchyard.").Append(PostgresRollupUpsert.Table(query.Grain)).Append(filter.Where);
        if (groups.Count > 0)
        {
            var ordinals = string.Join(", ", Enumerable.Range(1, groups.Count));
            sql.Append(" GROUP BY ").Append(ordinals).Append(" ORDER BY ").Append(ordinals);
        }
        else
        {
            // One row over the whole range, none when nothing was logged in it.
            sql.Append(" HAVING count(*) > 0");
        }

        return (sql.ToString(), filter);
    }

    /// <summary>Reads a row of <see cref="Sql"/>'s result: the group columns in order, then the sums.</summary>
    public static RollupRow Read(RollupQuery query, NpgsqlDataReader reader)
    {
        var i = 0;
        var bucket = query.ByBucket ? reader.GetFieldValue<DateTimeOffset>(i++) : query.From;
        string? workspace = null, provider = null, model = null, apiKey = null, virtualKey = null, config = null, cacheStatus = null;
        int? status = null;
        foreach (var dimension in query.GroupBy.Distinct())
        {
            switch (dimension)
            {
                case RollupDimension.Workspace: workspace = reader.GetString(i++); break;
                case RollupDimension.Provider: provider = Dimension(reader.GetString(i++)); break;
                case RollupDimension.Model: model = Dimension(reader.GetString(i++)); break;
                case RollupDimension.ApiKey: apiKey = Dimension(reader.GetString(i++)); break;
                case RollupDimension.VirtualKey: virtualKey = Dimension(reader.GetString(i++)); break;
                case RollupDimension.Config: config = Dimension(reader.GetString(i++)); break;
                case RollupDimension.Status: status = reader.GetInt32(i++); break;
                case RollupDimension.CacheStatus: cacheStatus = Dimension(reader.GetString(i++)); break;
                default: throw new ArgumentOutOfRangeException(nameof(query), dimension, "Unknown rollup dimension.");
            }
        }

        var row = new RollupRow
        {
            Bucket = bucket,
            WorkspaceId = workspace,
            Provider = provider,
            Model = model,
            ApiKeyId = apiKey,
            VirtualKey = virtualKey,
            ConfigId = config,
            Status = status,
            CacheStatus = cacheStatus,
            Requests = reader.GetInt64(i),
            Errors = reader.GetInt64(i + 1),
            CostMicros = reader.GetInt64(i + 2),
            InputTokens = reader.GetInt64(i + 3),
            OutputTokens = reader.GetInt64(i + 4),
            LatencyMsSum = reader.GetDouble(i + 5),
            RescuedByRetry = reader.GetInt64(i + 6),
            RescuedByFallback = reader.GetInt64(i + 7),
            Latency = query.Latency ? new long[LatencyHistogram.Buckets] : [],
        };
        for (var b = 0; b < row.Latency.Length; b++)
        {
            row.Latency[b] = reader.GetInt64(i + 8 + b);
        }

        return row;
    }

    /// <summary>Rollups keep a missing dimension as <c>""</c> (so keys collide); read back it is missing again.</summary>
    private static string? Dimension(string value) => value.Length == 0 ? null : value;

    private static string Column(RollupDimension dimension) => dimension switch
    {
        RollupDimension.Workspace => "workspace_id",
        RollupDimension.Provider => "provider",
        RollupDimension.Model => "model",
        RollupDimension.ApiKey => "api_key_id",
        RollupDimension.VirtualKey => "virtual_key",
        RollupDimension.Config => "config_id",
        RollupDimension.Status => "status",
        RollupDimension.CacheStatus => "cache_status",
        _ => throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "Unknown rollup dimension."),
    };
}
