namespace Switchyard.State;

/// <summary>
/// The dimensions one rollup row is kept by: its bucket's start (UTC) and the record's workspace, provider, model (the
/// one used, else the one requested), API key, virtual key, config, status and cache status. A dimension the record
/// lacks is <c>""</c>, not null, so the stores' unique keys (where NULLs never collide) find the row to add to.
/// </summary>
internal readonly record struct RollupKey(
    DateTimeOffset Bucket,
    string WorkspaceId,
    string Provider,
    string Model,
    string ApiKeyId,
    string VirtualKey,
    string ConfigId,
    int Status,
    string CacheStatus);

/// <summary>What a batch of records adds to one rollup row: both stores add these to the row with the same key (an upsert that sums).</summary>
internal sealed class RollupDelta(RollupKey key)
{
    public RollupKey Key { get; } = key;

    public long Requests { get; set; }

    public long Errors { get; set; }

    public long CostMicros { get; set; }

    public long InputTokens { get; set; }

    public long OutputTokens { get; set; }

    public double LatencyMsSum { get; set; }

    /// <summary>Requests per <see cref="LatencyHistogram"/> bucket.</summary>
    public long[] Latency { get; } = new long[LatencyHistogram.Buckets];

    public long RescuedByRetry { get; set; }

    public long RescuedByFallback { get; set; }
}

/// <summary>
/// Turns records into the per-minute and per-hour rollup deltas both stores keep in the transaction that writes the
/// records, so analytics are computed here once and equal the records exactly, whichever store holds them.
/// </summary>
internal static class LogRollups
{
    /// <summary>The deltas of <paramref name="records"/> at <paramref name="grain"/> (minute or hour), one per distinct key, in first-seen order.</summary>
    public static IReadOnlyList<RollupDelta> Of(IEnumerable<RequestLogRecord> records, RollupGrain grain)
    {
        var deltas = new Dictionary<RollupKey, RollupDelta>();
        var order = new List<RollupDelta>();
        foreach (var record in records)
        {
            var key = KeyOf(record, grain);
            if (!deltas.TryGetValue(key, out var delta))
            {
                delta = new RollupDelta(key);
                deltas.Add(key, delta);
                order.Add(delta);
            }

            Add(delta, record);
        }

        return order;
    }

    /// <summary>The start of the bucket of <paramref name="grain"/> that holds <paramref name="at"/>, at UTC.</summary>
    public static DateTimeOffset BucketStart(DateTimeOffset at, RollupGrain grain)
    {
        var ticks = at.UtcTicks;
        var size = grain switch
        {
            RollupGrain.Minute => TimeSpan.TicksPerMinute,
            RollupGrain.Hour => TimeSpan.TicksPerHour,
            RollupGrain.Day => TimeSpan.TicksPerDay,
            _ => throw new ArgumentOutOfRangeException(nameof(grain), grain, "Unknown rollup grain."),
        };
        return new DateTimeOffset(ticks - (ticks % size), TimeSpan.Zero);
    }

    /// <summary>The model a record is counted under: the one used, else (no target reached) the one requested; <c>""</c> when neither.</summary>
    public static string ModelOf(RequestLogRecord record) => record.ModelUsed ?? record.ModelRequested ?? "";

    /// <summary>A success that took a retry of the target that answered.</summary>
    public static bool RescuedByRetry(RequestLogRecord record) => !record.IsError && record.RetryCount > 0;

    /// <summary>A success whose attempts went to more than one target of the config (a fallback answered).</summary>
    public static bool RescuedByFallback(RequestLogRecord record)
    {
        if (record.IsError || record.Attempts.Count < 2)
        {
            return false;
        }

        var first = record.Attempts[0].OptionPath;
        for (var i = 1; i < record.Attempts.Count; i++)
        {
            if (!string.Equals(record.Attempts[i].OptionPath, first, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static RollupKey KeyOf(RequestLogRecord r, RollupGrain grain) => new(
        BucketStart(r.CreatedAt, grain),
        r.WorkspaceId,
        r.Provider ?? "",
        ModelOf(r),
        r.ApiKeyId ?? "",
        r.VirtualKey ?? "",
        r.ConfigId ?? "",
        r.Status,
        r.CacheStatus);

    private static void Add(RollupDelta delta, RequestLogRecord r)
    {
        delta.Requests++;
        delta.Errors += r.IsError ? 1 : 0;
        delta.CostMicros += r.CostMicros;
        delta.InputTokens += r.InputTokens;
        delta.OutputTokens += r.OutputTokens;
        delta.LatencyMsSum += r.TotalMs;
        delta.Latency[LatencyHistogram.BucketOf(r.TotalMs)]++;
        delta.RescuedByRetry += RescuedByRetry(r) ? 1 : 0;
        delta.RescuedByFallback += RescuedByFallback(r) ? 1 : 0;
    }
}
