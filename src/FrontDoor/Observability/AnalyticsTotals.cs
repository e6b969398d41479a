using Switchyard.State;

namespace Switchyard.FrontDoor.Observability;

/// <summary>
/// The time buckets and totals analytics answer from. Filters on rollup dimensions are answered by the store's rollups
/// (exact, kept in the same transaction as the records); any other filter (metadata, trace, users, token, cost and
/// latency ranges, body text, weighted feedback) is answered by reading the matching records and totalling them the
/// same way, into the same <see cref="RollupRow"/>s, so every graph reads one shape.
/// </summary>
internal static class AnalyticsTotals
{
    /// <summary>The grain a range is drawn in: minutes up to 6 hours, hours up to 14 days, days beyond.</summary>
    public static RollupGrain GrainFor(DateTimeOffset from, DateTimeOffset to) =>
        (to - from) <= TimeSpan.FromHours(6) ? RollupGrain.Minute
        : (to - from) <= TimeSpan.FromDays(14) ? RollupGrain.Hour
        : RollupGrain.Day;

    public static DateTimeOffset Floor(DateTimeOffset instant, RollupGrain grain)
    {
        var utc = instant.ToUniversalTime();
        return grain switch
        {
            RollupGrain.Minute => new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, utc.Minute, 0, TimeSpan.Zero),
            RollupGrain.Hour => new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero),
            _ => new DateTimeOffset(utc.Year, utc.Month, utc.Day, 0, 0, 0, TimeSpan.Zero),
        };
    }

    public static TimeSpan Step(RollupGrain grain) => grain switch
    {
        RollupGrain.Minute => TimeSpan.FromMinutes(1),
        RollupGrain.Hour => TimeSpan.FromHours(1),
        _ => TimeSpan.FromDays(1),
    };

    /// <summary>Whole buckets covering [from, to): the start floored, the end rounded up.</summary>
    public static (DateTimeOffset From, DateTimeOffset To) Align(DateTimeOffset from, DateTimeOffset to, RollupGrain grain)
    {
        var start = Floor(from, grain);
        var end = Floor(to, grain);
        return (start, end < to ? end + Step(grain) : end);
    }

    /// <summary>Every bucket start in an aligned range, oldest first.</summary>
    public static IEnumerable<DateTimeOffset> Buckets(DateTimeOffset from, DateTimeOffset to, RollupGrain grain)
    {
        for (var bucket = from; bucket < to; bucket += Step(grain))
        {
            yield return bucket;
        }
    }

    /// <summary>Records totalled like the store's rollups: by bucket (or over the whole range) and the dimensions asked for.</summary>
    public static IReadOnlyList<RollupRow> Aggregate(IEnumerable<RequestLogRecord> records, RollupQuery query)
    {
        var rows = new Dictionary<RowKey, Accumulator>();
        foreach (var r in records)
        {
            var key = new RowKey(
                query.ByBucket ? Floor(r.CreatedAt, query.Grain) : query.From,
                Has(query, RollupDimension.Workspace) ? r.WorkspaceId : null,
                Has(query, RollupDimension.Provider) ? r.Provider : null,
                Has(query, RollupDimension.Model) ? r.ModelUsed ?? r.ModelRequested : null,
                Has(query, RollupDimension.ApiKey) ? r.ApiKeyId : null,
                Has(query, RollupDimension.VirtualKey) ? r.VirtualKey : null,
                Has(query, RollupDimension.Config) ? r.ConfigId : null,
                Has(query, RollupDimension.Status) ? r.Status : null,
                Has(query, RollupDimension.CacheStatus) ? r.CacheStatus : null);
            if (!rows.TryGetValue(key, out var sum))
            {
                sum = new Accumulator();
                rows[key] = sum;
            }

            sum.Add(r);
        }

        return rows.OrderBy(p => p.Key.Bucket).Select(p => p.Value.Row(p.Key)).ToArray();
    }

    /// <summary>Calls answered after a retry of the target that answered.</summary>
    public static bool RescuedByRetry(RequestLogRecord r) => !r.IsError && r.RetryCount > 0;

    /// <summary>Calls answered by a fallback target after an earlier target failed.</summary>
    public static bool RescuedByFallback(RequestLogRecord r) =>
        !r.IsError && r.Attempts.Count > 1 && r.Attempts.Any(a => a.OptionPath != r.Attempts[^1].OptionPath);

    private static bool Has(RollupQuery query, RollupDimension dimension) => query.GroupBy.Contains(dimension);

    private sealed record RowKey(
        DateTimeOffset Bucket, string? WorkspaceId, string? Provider, string? Model, string? ApiKeyId, string? VirtualKey, string? ConfigId, int? Status, string? CacheStatus);

    private sealed class Accumulator
    {
        private readonly long[] _latency = new long[LatencyHistogram.Buckets];
        private long _requests;
        private long _errors;
        private long _cost;
        private long _input;
        private long _output;
        private double _latencySum;
        private long _retry;
        private long _fallback;

        public void Add(RequestLogRecord r)
        {
            _requests++;
            _errors += r.IsError ? 1 : 0;
            _cost += r.CostMicros;
            _input += r.InputTokens;
            _output += r.OutputTokens;
            _latencySum += r.TotalMs;
            _latency[LatencyHistogram.BucketOf(r.TotalMs)]++;
            _retry += RescuedByRetry(r) ? 1 : 0;
            _fallback += RescuedByFallback(r) ? 1 : 0;
        }

        public RollupRow Row(RowKey key) => new()
        {
            Bucket = key.Bucket,
            WorkspaceId = key.WorkspaceId,
            Provider = key.Provider,
            Model = key.Model,
            ApiKeyId = key.ApiKeyId,
            VirtualKey = key.VirtualKey,
            ConfigId = key.ConfigId,
            Status = key.Status,
            CacheStatus = key.CacheStatus,
            Requests = _requests,
            Errors = _errors,
            CostMicros = _cost,
            InputTokens = _input,
            OutputTokens = _output,
            LatencyMsSum = _latencySum,
            Latency = _latency,
            RescuedByRetry = _retry,
            RescuedByFallback = _fallback,
        };
    }
}
