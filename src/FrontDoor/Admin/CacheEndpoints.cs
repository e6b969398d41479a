using System.Globalization;
using Switchyard.State;

namespace Switchyard.FrontDoor.Admin;

/// <summary>
/// The response cache's statistics and invalidation (Switchyard additions: Portkey has no cache admin API). Both are
/// scoped like every admin read: the admin token sees every workspace, a workspace API key its own.
/// </summary>
internal static class CacheEndpoints
{
    public static RouteGroupBuilder MapCacheEndpoints(this RouteGroupBuilder admin)
    {
        admin.MapGet("/cache/stats", StatisticsAsync).RequireScope("cache.read");
        admin.MapPost("/cache/invalidate", InvalidateAsync).RequireScope("cache.delete");
        return admin;
    }

    /// <summary><c>GET /v1/cache/stats?workspace_id=&amp;namespace=</c>: one row per workspace and namespace, and their sum.</summary>
    private static async Task<IResult> StatisticsAsync(HttpRequest request, IKeyStore keys, IResponseCache cache, CancellationToken cancellationToken)
    {
        var (workspaces, problem) = await WorkspaceScope.ForLookupAsync(keys, request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        // The admin token without workspace_id reads every workspace; otherwise the one asked for, or the key's own.
        var everyWorkspace = WorkspaceScope.Requested(request, null) is null && AdminCaller.Of(request.HttpContext).WorkspaceId is null;
        var rows = everyWorkspace ? await cache.StatisticsAsync(null, cancellationToken)
            : workspaces.Count == 1 ? await cache.StatisticsAsync(workspaces[0].Id, cancellationToken) : [];
        var onlyNamespace = request.Query.ContainsKey("namespace") ? request.Query["namespace"].ToString() : null;
        var data = rows
            .Where(r => onlyNamespace is null || r.Namespace == onlyNamespace)
            .OrderBy(r => r.WorkspaceId, StringComparer.Ordinal).ThenBy(r => r.Namespace, StringComparer.Ordinal)
            .Select(View)
            .ToArray();
        var sum = new CacheStatistics(
            "", "", data.Sum(r => r.Entries), data.Sum(r => r.Bytes), data.Sum(r => r.Hits), data.Sum(r => r.SemanticHits),
            data.Sum(r => r.Misses), data.Sum(r => r.SemanticMisses), data.Sum(r => r.Refreshes));
        var total = View(sum) with { WorkspaceId = null, Namespace = null };
        return AdminResults.Ok(new CacheStatisticsList("list", data, total), AdminJsonContext.Default.CacheStatisticsList);
    }

    /// <summary>
    /// <c>POST /v1/cache/invalidate</c> with any of <c>workspace_id</c>, <c>namespace</c>, <c>model</c>,
    /// <c>created_before</c> (ISO 8601), <c>older_than_seconds</c> and <c>cache_key</c> (the <c>x-switchyard-cache-key</c>
    /// of an answer): deletes every matching entry, front doors' local copies included.
    /// </summary>
    private static async Task<IResult> InvalidateAsync(
        HttpRequest request, IKeyStore keys, IResponseCache cache, AdminAudit audit, TimeProvider time, CancellationToken cancellationToken)
    {
        var (body, bodyProblem) = await AdminBody.ReadAsync(request, cancellationToken);
        if (body is null)
        {
            return AdminResults.Invalid(bodyProblem!);
        }

        var caller = AdminCaller.Of(request.HttpContext);
        var workspaceId = caller.WorkspaceId;
        if (WorkspaceScope.Requested(request, body) is { } requested)
        {
            var workspace = await keys.GetWorkspaceAsync(requested, cancellationToken);
            if (workspace is null)
            {
                return AdminResults.WorkspaceNotFound(requested);
            }

            if (!caller.Sees(workspace.Id))
            {
                return AdminResults.Forbidden("This API key may only invalidate its own workspace's cache.");
            }

            workspaceId = workspace.Id;
        }

        var @namespace = body.String("namespace");
        var model = body.String("model");
        var createdBefore = body.Instant("created_before", out _);
        var key = body.String("cache_key");
        if (body.Field("older_than_seconds") is { } olderThan)
        {
            if (olderThan.ValueKind == System.Text.Json.JsonValueKind.Number && olderThan.TryGetInt64(out var seconds) && seconds >= 0)
            {
                var cutoff = time.GetUtcNow() - TimeSpan.FromSeconds(seconds);
                createdBefore = createdBefore is { } given && given < cutoff ? given : cutoff;
            }
            else
            {
                body.Errors.Add("older_than_seconds: must be a whole number of seconds, 0 or more");
            }
        }

        if (key is not null && (key.Length != 64 || !key.All(char.IsAsciiHexDigitLower)))
        {
            body.Errors.Add("cache_key: must be the 64 lower-case hex digits of x-switchyard-cache-key");
        }

        if (body.Errors.Count > 0)
        {
            return AdminResults.Invalid(body.Errors);
        }

        var what = new CacheInvalidation(workspaceId, @namespace, model, createdBefore, key);
        var deleted = await cache.InvalidateAsync(what, cancellationToken);
        var view = new CacheInvalidated("cache.invalidation", deleted, workspaceId, @namespace, model, createdBefore?.ToString("O", CultureInfo.InvariantCulture), key);
        await audit.RecordAsync(
            request.HttpContext, "cache.delete", AuditNames.Cache, key ?? "*", workspaceId, null, AdminAudit.Json(view, AdminJsonContext.Default.CacheInvalidated));
        return AdminResults.Ok(view, AdminJsonContext.Default.CacheInvalidated);
    }

    private static CacheStatisticsView View(CacheStatistics s)
    {
        var lookups = s.Hits + s.SemanticHits + s.Misses + s.SemanticMisses;
        return new CacheStatisticsView(
            s.WorkspaceId, s.Namespace, s.Entries, s.Bytes, s.Hits, s.SemanticHits, s.Misses, s.SemanticMisses, s.Refreshes,
            lookups == 0 ? 0 : Math.Round((double)(s.Hits + s.SemanticHits) / lookups, 4));
    }
}

/// <summary>One workspace and namespace of the cache; <c>workspace_id</c> and <c>namespace</c> are null on the total.</summary>
internal sealed record CacheStatisticsView(
    string? WorkspaceId, string? Namespace, long Entries, long Bytes, long Hits, long SemanticHits, long Misses, long SemanticMisses, long Refreshes, double HitRate);

internal sealed record CacheStatisticsList(string Object, IReadOnlyList<CacheStatisticsView> Data, CacheStatisticsView Total);

internal sealed record CacheInvalidated(
    string Object, long Deleted, string? WorkspaceId, string? Namespace, string? Model, string? CreatedBefore, string? CacheKey);
