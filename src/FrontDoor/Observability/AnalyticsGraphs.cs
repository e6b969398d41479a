using System.Text.Json.Nodes;
using Switchyard.State;

namespace Switchyard.FrontDoor.Observability;

/// <summary>
/// Draws each analytics graph from totals: a summary over the range and one data point per time bucket (every bucket
/// of the range, empty ones as zeros), or per value for the graphs Portkey draws that way (status codes, scores,
/// models). docs/observability.md, "Analytics", lists every graph's fields.
/// </summary>
internal static class AnalyticsGraphs
{
    public static async Task<(JsonObject Summary, JsonArray Points)> DrawAsync(string graph, AnalyticsQuestion q, CancellationToken cancellationToken)
    {
        switch (graph)
        {
            case "requests":
            case "cost":
            case "tokens":
            case "latency":
            case "errors":
            case "errors-rate":
            case "requests-rescued":
                return Series(graph, q, await q.RowsAsync(true, [], latency: graph == "latency", cancellationToken));
            case "errors-stack":
                return ErrorStacks(q, await q.RowsAsync(true, [RollupDimension.Status], latency: false, cancellationToken));
            case "errors-status-code":
                return ErrorCodes(await q.RowsAsync(false, [RollupDimension.Status], latency: false, cancellationToken));
            case "cache-hit-rate":
            case "cache-latency":
                return Cache(graph, q, await q.RowsAsync(true, [RollupDimension.CacheStatus], latency: false, cancellationToken));
            case "users":
            case "users-requests":
                return Users(graph, q, await q.RecordsAsync(cancellationToken));
            case "feedbacks-ai-models":
                return await FeedbackModelsAsync(q, cancellationToken);
            default:
                return Feedback(graph, q, await q.FeedbackAsync(cancellationToken));
        }
    }

    public static bool IsHit(string? cacheStatus) => cacheStatus is "HIT" or "SEMANTIC HIT";

    public static double Round(double value) => Math.Round(value, 4);

    public static double Average(double sum, long count) => count == 0 ? 0 : Round(sum / count);

    private static (JsonObject, JsonArray) Series(string graph, AnalyticsQuestion q, IReadOnlyList<RollupRow> rows)
    {
        var byBucket = rows.GroupBy(r => r.Bucket).ToDictionary(g => g.Key, g => g.ToArray());
        var points = new JsonArray();
        foreach (var bucket in AnalyticsTotals.Buckets(q.From, q.To, q.Grain))
        {
            var point = Measure(graph, byBucket.GetValueOrDefault(bucket) ?? []);
            point.Insert(0, "timestamp", bucket);
            points.Add(point);
        }

        return (Measure(graph, rows), points);
    }

    /// <summary>One graph's fields over some rows: the summary over all of them, a point over one bucket's.</summary>
    private static JsonObject Measure(string graph, IReadOnlyCollection<RollupRow> rows)
    {
        var requests = rows.Sum(r => r.Requests);
        var errors = rows.Sum(r => r.Errors);
        switch (graph)
        {
            case "requests":
                return new JsonObject { ["total"] = requests };
            case "cost":
                var cost = LogViews.Cents(rows.Sum(r => r.CostMicros));
                return new JsonObject { ["total"] = cost, ["avg"] = Average(cost, requests) };
            case "tokens":
                var tokens = rows.Sum(r => r.InputTokens + r.OutputTokens);
                return new JsonObject { ["total"] = tokens, ["avg"] = Average(tokens, requests) };
            case "latency":
                var histogram = new long[LatencyHistogram.Buckets];
                foreach (var row in rows)
                {
                    for (var i = 0; i < histogram.Length && i < row.Latency.Length; i++)
                    {
                        histogram[i] += row.Latency[i];
                    }
                }

                return new JsonObject
                {
                    ["avg"] = Average(rows.Sum(r => r.LatencyMsSum), requests),
                    ["p50"] = Percentile(histogram, 0.5),
                    ["p90"] = Percentile(histogram, 0.9),
                    ["p99"] = Percentile(histogram, 0.99),
                };
            case "errors":
                return new JsonObject { ["total"] = errors };
            case "errors-rate":
                return new JsonObject { ["rate"] = requests == 0 ? 0 : Round(errors * 100.0 / requests) };
            default:
                return new JsonObject { ["retry"] = rows.Sum(r => r.RescuedByRetry), ["fallback"] = rows.Sum(r => r.RescuedByFallback) };
        }
    }

    private static double Percentile(long[] histogram, double quantile) => LatencyHistogram.Percentile(histogram, quantile) is { } ms ? Round(ms) : 0;

    private static (JsonObject, JsonArray) ErrorStacks(AnalyticsQuestion q, IReadOnlyList<RollupRow> rows)
    {
        var errorRows = rows.Where(r => r.Status >= 400).ToArray();
        var byBucket = errorRows.GroupBy(r => r.Bucket).ToDictionary(g => g.Key, g => g.ToArray());
        var points = new JsonArray();
        foreach (var bucket in AnalyticsTotals.Buckets(q.From, q.To, q.Grain))
        {
            var stats = new JsonArray();
            foreach (var status in (byBucket.GetValueOrDefault(bucket) ?? []).GroupBy(r => r.Status).OrderBy(g => g.Key))
            {
                stats.Add(new JsonObject { ["response_status_code"] = status.Key, ["count"] = status.Sum(r => r.Requests) });
            }

            points.Add(new JsonObject { ["timestamp"] = bucket, ["stats"] = stats });
        }

        return (new JsonObject { ["total"] = errorRows.Sum(r => r.Requests) }, points);
    }

    private static (JsonObject, JsonArray) ErrorCodes(IReadOnlyList<RollupRow> rows)
    {
        var codes = rows.Where(r => r.Status >= 400).GroupBy(r => r.Status!.Value).OrderBy(g => g.Key).ToArray();
        var points = new JsonArray(codes.Select(g => (JsonNode)new JsonObject { ["status_code"] = g.Key, ["count"] = g.Sum(r => r.Requests) }).ToArray());
        return (new JsonObject { ["total_errors"] = codes.Sum(g => g.Sum(r => r.Requests)), ["unique_error_codes"] = codes.Length }, points);
    }

    private static (JsonObject, JsonArray) Cache(string graph, AnalyticsQuestion q, IReadOnlyList<RollupRow> rows)
    {
        var byBucket = rows.GroupBy(r => r.Bucket).ToDictionary(g => g.Key, g => g.ToArray());
        var points = new JsonArray();
        foreach (var bucket in AnalyticsTotals.Buckets(q.From, q.To, q.Grain))
        {
            var point = CacheMeasure(graph, byBucket.GetValueOrDefault(bucket) ?? []);
            point.Insert(0, "timestamp", bucket);
            points.Add(point);
        }

        return (CacheMeasure(graph, rows), points);
    }

    private static JsonObject CacheMeasure(string graph, IReadOnlyCollection<RollupRow> rows)
    {
        var simple = rows.Where(r => r.CacheStatus == "HIT").Sum(r => r.Requests);
        var semantic = rows.Where(r => r.CacheStatus == "SEMANTIC HIT").Sum(r => r.Requests);
        if (graph == "cache-latency")
        {
            var hits = rows.Where(r => IsHit(r.CacheStatus)).ToArray();
            return new JsonObject { ["avg"] = Average(hits.Sum(r => r.LatencyMsSum), hits.Sum(r => r.Requests)) };
        }

        // The rate is over lookups (calls the cache was consulted for), not calls with the cache disabled.
        var lookups = rows.Where(r => r.CacheStatus is not ("DISABLED" or null)).Sum(r => r.Requests);
        return new JsonObject
        {
            ["simple_hits"] = simple,
            ["semantic_hits"] = semantic,
            ["total"] = lookups,
            ["rate"] = lookups == 0 ? 0 : Round((simple + semantic) * 100.0 / lookups),
        };
    }

    private static (JsonObject, JsonArray) Users(string graph, AnalyticsQuestion q, IReadOnlyList<RequestLogRecord> records)
    {
        var withUser = records.Where(r => r.User is not null).ToArray();
        var byBucket = withUser.GroupBy(r => AnalyticsTotals.Floor(r.CreatedAt, q.Grain)).ToDictionary(g => g.Key, g => g.ToArray());
        var points = new JsonArray();
        foreach (var bucket in AnalyticsTotals.Buckets(q.From, q.To, q.Grain))
        {
            var point = UserMeasure(graph, byBucket.GetValueOrDefault(bucket) ?? []);
            point.Insert(0, "timestamp", bucket);
            points.Add(point);
        }

        return (UserMeasure(graph, withUser), points);
    }

    private static JsonObject UserMeasure(string graph, IReadOnlyCollection<RequestLogRecord> records)
    {
        var unique = records.Select(r => r.User).Distinct(StringComparer.Ordinal).Count();
        return graph == "users"
            ? new JsonObject { ["total"] = unique }
            : new JsonObject { ["total"] = records.Count, ["unique"] = unique, ["avg"] = Average(records.Count, unique) };
    }

    private static (JsonObject, JsonArray) Feedback(string graph, AnalyticsQuestion q, IReadOnlyList<LogFeedback> feedback)
    {
        if (graph == "feedbacks-scores")
        {
            var scores = new JsonArray(feedback.GroupBy(f => f.Value).OrderBy(g => g.Key)
                .Select(g => (JsonNode)new JsonObject { ["score"] = g.Key, ["total"] = g.Count() }).ToArray());
            return (new JsonObject { ["total"] = feedback.Count }, scores);
        }

        var byBucket = feedback.GroupBy(f => AnalyticsTotals.Floor(f.CreatedAt, q.Grain)).ToDictionary(g => g.Key, g => g.ToArray());
        var points = new JsonArray();
        foreach (var bucket in AnalyticsTotals.Buckets(q.From, q.To, q.Grain))
        {
            var point = FeedbackMeasure(graph, byBucket.GetValueOrDefault(bucket) ?? []);
            point.Insert(0, "timestamp", bucket);
            points.Add(point);
        }

        return (FeedbackMeasure(graph, feedback), points);
    }

    /// <summary><c>feedbacks</c> counts; <c>feedbacks/weighted</c> averages value × weight.</summary>
    private static JsonObject FeedbackMeasure(string graph, IReadOnlyCollection<LogFeedback> feedback) =>
        graph == "feedbacks"
            ? new JsonObject { ["total"] = feedback.Count }
            : new JsonObject { ["avg"] = feedback.Count == 0 ? 0 : Round(feedback.Average(f => f.Value * f.Weight)) };

    /// <summary>Feedback per model: each trace's feedback counted for the models its records used.</summary>
    private static async Task<(JsonObject, JsonArray)> FeedbackModelsAsync(AnalyticsQuestion q, CancellationToken cancellationToken)
    {
        var feedback = await q.FeedbackAsync(cancellationToken);
        var models = (await q.RecordsAsync(cancellationToken))
            .Where(r => (r.ModelUsed ?? r.ModelRequested) is not null)
            .GroupBy(r => r.TraceId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(r => (r.ModelUsed ?? r.ModelRequested)!).Distinct(StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);
        var rows = feedback
            .SelectMany(f => (models.GetValueOrDefault(f.TraceId) ?? []).Select(model => (Model: model, Feedback: f)))
            .GroupBy(x => x.Model, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (JsonNode)new JsonObject
            {
                ["ai_model"] = g.Key,
                ["total"] = g.Count(),
                ["avg_weighted_feedback"] = Round(g.Average(x => x.Feedback.Value * x.Feedback.Weight)),
            })
            .ToArray();
        return (new JsonObject { ["total"] = feedback.Count }, new JsonArray(rows));
    }
}
