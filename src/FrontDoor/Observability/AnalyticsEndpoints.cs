using System.Text.Json.Nodes;
using Switchyard.FrontDoor.Admin;
using Switchyard.State;

namespace Switchyard.FrontDoor.Observability;

/// <summary>
/// Portkey's analytics: graphs (<c>{summary, data_points, object:"analytics-graph"}</c>, under both the slash names of
/// the Python SDK and the hyphen names of the Node SDK), groups and the cache summary. Cost is in cents, latency in
/// milliseconds, rates in percent.
/// </summary>
internal static class AnalyticsEndpoints
{
    /// <summary>Graph names, hyphenated, and their other spellings (Node's singular forms, the slash forms folded).</summary>
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["errors-stacks"] = "errors-stack",
        ["errors-status-codes"] = "errors-status-code",
        ["feedbacks-score"] = "feedbacks-scores",
    };

    public static readonly IReadOnlyList<string> Graphs =
    [
        "requests", "cost", "tokens", "latency", "users", "users-requests", "errors", "errors-rate", "errors-stack",
        "errors-status-code", "requests-rescued", "cache-hit-rate", "cache-latency", "feedbacks", "feedbacks-weighted",
        "feedbacks-ai-models", "feedbacks-scores",
    ];

    private static readonly Dictionary<string, RollupDimension?> GroupDimensions = new(StringComparer.Ordinal)
    {
        ["ai-models"] = RollupDimension.Model,
        ["ai_models"] = RollupDimension.Model,
        ["model"] = RollupDimension.Model,
        ["workspaces"] = RollupDimension.Workspace,
        ["workspace"] = RollupDimension.Workspace,
        ["ai_service"] = RollupDimension.Provider,
        ["provider"] = RollupDimension.Provider,
        ["status_code"] = RollupDimension.Status,
        ["api_key"] = RollupDimension.ApiKey,
        ["config"] = RollupDimension.Config,
        ["virtual_key"] = RollupDimension.VirtualKey,
        ["cache_status"] = RollupDimension.CacheStatus,
        ["prompt"] = null,
    };

    public static RouteGroupBuilder MapAnalyticsEndpoints(this RouteGroupBuilder admin)
    {
        admin.MapGet("/analytics/graphs/{graph}", (string graph, HttpRequest request, IKeyStore keys, RequestLogAccess logs, CancellationToken ct) =>
            GraphAsync(graph, request, keys, logs, ct)).RequireScope("analytics.view");
        admin.MapGet("/analytics/graphs/{graph}/{view}", (string graph, string view, HttpRequest request, IKeyStore keys, RequestLogAccess logs, CancellationToken ct) =>
            GraphAsync($"{graph}-{view}", request, keys, logs, ct)).RequireScope("analytics.view");
        admin.MapGet("/analytics/summary/cache", CacheSummaryAsync).RequireScope("analytics.view");
        admin.MapGet("/analytics/groups/metadata/{key}", MetadataGroupAsync).RequireScope("analytics.view");
        admin.MapGet("/analytics/groups/{groupBy}", GroupAsync).RequireScope("analytics.view");
        return admin;
    }

    private static async Task<IResult> GraphAsync(string name, HttpRequest request, IKeyStore keys, RequestLogAccess logs, CancellationToken cancellationToken)
    {
        var graph = Aliases.GetValueOrDefault(name, name);
        if (!Graphs.Contains(graph))
        {
            return AdminResults.NotFound($"Graph '{name.Replace('-', '/')}' (known: {string.Join(", ", Graphs)})");
        }

        var (question, problem) = await AnalyticsQuestion.ReadAsync(request, keys, logs, cancellationToken);
        if (question is null)
        {
            return problem!;
        }

        var (summary, points) = await AnalyticsGraphs.DrawAsync(graph, question, cancellationToken);
        return AdminResults.Ok(new GraphView(summary, points, "analytics-graph"), ObservabilityJsonContext.Default.GraphView);
    }

    /// <summary><c>{hits, avg_latency, total_requests, cache_speedup}</c>: speed-up is how much faster hits were than misses, in percent.</summary>
    private static async Task<IResult> CacheSummaryAsync(HttpRequest request, IKeyStore keys, RequestLogAccess logs, CancellationToken cancellationToken)
    {
        var (question, problem) = await AnalyticsQuestion.ReadAsync(request, keys, logs, cancellationToken);
        if (question is null)
        {
            return problem!;
        }

        var rows = await question.RowsAsync(false, [RollupDimension.CacheStatus], latency: false, cancellationToken);
        var hits = rows.Where(r => AnalyticsGraphs.IsHit(r.CacheStatus)).ToArray();
        var misses = rows.Where(r => r.CacheStatus is "MISS" or "SEMANTIC MISS" or "REFRESH").ToArray();
        var hitLatency = AnalyticsGraphs.Average(hits.Sum(r => r.LatencyMsSum), hits.Sum(r => r.Requests));
        var missLatency = AnalyticsGraphs.Average(misses.Sum(r => r.LatencyMsSum), misses.Sum(r => r.Requests));
        var speedup = missLatency > 0 && hits.Length > 0 ? AnalyticsGraphs.Round((missLatency - hitLatency) / missLatency * 100) : 0;
        var summary = new JsonObject
        {
            ["hits"] = hits.Sum(r => r.Requests),
            ["avg_latency"] = hitLatency,
            ["total_requests"] = rows.Sum(r => r.Requests),
            ["cache_speedup"] = speedup,
        };
        return AdminResults.Ok(new CacheSummaryView(summary, "analytics-summary"), ObservabilityJsonContext.Default.CacheSummaryView);
    }

    /// <summary><c>/analytics/groups/{users|ai-models|workspaces|…}</c>: one item per value, most requests first.</summary>
    private static async Task<IResult> GroupAsync(string groupBy, HttpRequest request, IKeyStore keys, RequestLogAccess logs, CancellationToken cancellationToken)
    {
        if (groupBy != "users" && !GroupDimensions.ContainsKey(groupBy))
        {
            return AdminResults.Invalid($"groupBy: '{groupBy}' is not one of users, {string.Join(", ", GroupDimensions.Keys)}");
        }

        var (question, problem) = await AnalyticsQuestion.ReadAsync(request, keys, logs, cancellationToken);
        if (question is null)
        {
            return problem!;
        }

        var items = new List<JsonObject>();
        if (groupBy == "users")
        {
            foreach (var user in (await question.RecordsAsync(cancellationToken)).Where(r => r.User is not null).GroupBy(r => r.User!, StringComparer.Ordinal))
            {
                items.Add(new JsonObject
                {
                    ["user"] = user.Key,
                    ["requests"] = (long)user.Count(),
                    ["cost"] = LogViews.Cents(user.Sum(r => r.CostMicros)),
                    ["object"] = "analytics-group",
                });
            }
        }
        else if (GroupDimensions[groupBy] is { } dimension)
        {
            var name = dimension switch
            {
                RollupDimension.Model => "ai_model",
                RollupDimension.Workspace => "workspace_id",
                RollupDimension.Provider => groupBy == "provider" ? "provider" : "ai_service",
                RollupDimension.Status => "status_code",
                RollupDimension.ApiKey => "api_key",
                RollupDimension.Config => "config",
                RollupDimension.VirtualKey => "virtual_key",
                _ => "cache_status",
            };
            foreach (var row in await question.RowsAsync(false, [dimension], latency: false, cancellationToken))
            {
                JsonNode? value = dimension switch
                {
                    RollupDimension.Model => row.Model,
                    RollupDimension.Workspace => row.WorkspaceId,
                    RollupDimension.Provider => row.Provider,
                    RollupDimension.Status => row.Status,
                    RollupDimension.ApiKey => row.ApiKeyId,
                    RollupDimension.Config => row.ConfigId,
                    RollupDimension.VirtualKey => row.VirtualKey,
                    _ => row.CacheStatus,
                };
                items.Add(new JsonObject
                {
                    [name] = value,
                    ["requests"] = row.Requests,
                    ["cost"] = LogViews.Cents(row.CostMicros),
                    ["tokens"] = row.InputTokens + row.OutputTokens,
                    ["errors"] = row.Errors,
                    ["avg_latency"] = AnalyticsGraphs.Average(row.LatencyMsSum, row.Requests),
                    ["object"] = "analytics-group",
                });
            }
        }

        return Listed(request, items);
    }

    /// <summary><c>/analytics/groups/metadata/{key}</c>: one item per value of that metadata key, read from records and feedback.</summary>
    private static async Task<IResult> MetadataGroupAsync(string key, HttpRequest request, IKeyStore keys, RequestLogAccess logs, CancellationToken cancellationToken)
    {
        var (question, problem) = await AnalyticsQuestion.ReadAsync(request, keys, logs, cancellationToken);
        if (question is null)
        {
            return problem!;
        }

        var weighted = AnalyticsQuestion.WeightedByTrace(await question.Store.ListFeedbackAsync(question.WorkspaceIds, null, null, null, cancellationToken));
        var items = new List<JsonObject>();
        foreach (var group in (await question.RecordsAsync(cancellationToken))
                     .Where(r => r.Metadata.ContainsKey(key))
                     .GroupBy(r => r.Metadata[key], StringComparer.Ordinal))
        {
            var scores = group.Select(r => r.TraceId).Distinct(StringComparer.Ordinal).Where(weighted.ContainsKey).Select(t => weighted[t]).ToArray();
            items.Add(new JsonObject
            {
                ["metadata_value"] = group.Key,
                ["requests"] = (long)group.Count(),
                ["cost"] = LogViews.Cents(group.Sum(r => r.CostMicros)),
                ["avg_tokens"] = AnalyticsGraphs.Round(group.Average(r => (double)(r.InputTokens + r.OutputTokens))),
                ["avg_weighted_feedback"] = scores.Length == 0 ? null : AnalyticsGraphs.Round(scores.Average()),
                ["requests_with_feedback"] = group.Count(r => weighted.ContainsKey(r.TraceId)),
                ["last_seen"] = group.Max(r => r.CreatedAt),
                ["object"] = "analytics-group",
            });
        }

        return Listed(request, items);
    }

    private static IResult Listed(HttpRequest request, List<JsonObject> items)
    {
        var ordered = items.OrderByDescending(i => i["requests"]!.GetValue<long>()).ToArray();
        var page = new JsonArray(WorkspaceScope.Page(request, ordered).Select(i => (JsonNode)i).ToArray());
        return AdminResults.Ok(new GroupList("list", ordered.Length, page), ObservabilityJsonContext.Default.GroupList);
    }
}
