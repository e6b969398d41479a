using Switchyard.FrontDoor.Admin;
using Switchyard.State;

namespace Switchyard.FrontDoor.Observability;

/// <summary>
/// The request log over HTTP: one record, a search, a trace, and Portkey's custom logs. Reads see the caller's
/// workspaces only (<see cref="LogScope"/>); a record of another workspace is 404, as if it did not exist.
/// </summary>
internal static class LogEndpoints
{
    public static RouteGroupBuilder MapLogEndpoints(this RouteGroupBuilder admin)
    {
        admin.MapGet("/logs", SearchAsync).RequireScope("logs.list");
        admin.MapPost("/logs", CreateAsync).RequireScope("logs.write");
        admin.MapGet("/logs/{id}", GetAsync).RequireScope("logs.view");
        admin.MapGet("/logs/traces/{traceId}", TraceAsync).RequireScope("logs.list");
        return admin;
    }

    /// <summary><c>GET /v1/logs?…</c>: newest first, <c>page_size</c> at a time, continued with <c>cursor</c>.</summary>
    private static async Task<IResult> SearchAsync(HttpRequest request, IKeyStore keys, RequestLogAccess logs, CancellationToken cancellationToken)
    {
        var filters = LogFilters.FromQuery(request.Query);
        var search = filters.ToSearch(paged: true);
        if (filters.Users is not null || filters.MinWeightedFeedback is not null || filters.MaxWeightedFeedback is not null)
        {
            filters.Errors.Add("users, weighted_feedback_min and weighted_feedback_max: filter analytics only, not log searches");
        }

        if (filters.Errors.Count > 0)
        {
            return AdminResults.Invalid(filters.Errors);
        }

        var (read, problem) = await logs.ForReadAsync(keys, request, null, cancellationToken);
        if (read is null)
        {
            return problem!;
        }

        var (store, workspaces) = read;

        search = search with { WorkspaceIds = workspaces };
        var page = await store.SearchAsync(search, cancellationToken);
        var total = await store.CountAsync(search, cancellationToken);
        return AdminResults.Ok(
            new LogList("list", total, page.Records.Select(LogViews.View).ToArray(), page.NextCursor),
            ObservabilityJsonContext.Default.LogList);
    }

    private static async Task<IResult> GetAsync(string id, HttpRequest request, IKeyStore keys, RequestLogAccess logs, CancellationToken cancellationToken)
    {
        var (read, problem) = await logs.ForReadAsync(keys, request, null, cancellationToken);
        if (read is null)
        {
            return problem!;
        }

        var (store, workspaces) = read;

        var record = await store.GetAsync(workspaces, id, cancellationToken);
        return record is null ? AdminResults.NotFound($"Log '{id}'") : AdminResults.Ok(LogViews.View(record), ObservabilityJsonContext.Default.LogView);
    }

    /// <summary><c>GET /v1/logs/traces/{trace_id}</c>: every record of the trace, oldest first, each with its attempts.</summary>
    private static async Task<IResult> TraceAsync(string traceId, HttpRequest request, IKeyStore keys, RequestLogAccess logs, CancellationToken cancellationToken)
    {
        var (read, problem) = await logs.ForReadAsync(keys, request, null, cancellationToken);
        if (read is null)
        {
            return problem!;
        }

        var (store, workspaces) = read;

        var records = await store.TraceAsync(workspaces, traceId, cancellationToken);
        return records.Count == 0
            ? AdminResults.NotFound($"Trace '{traceId}'")
            : AdminResults.Ok(new TraceView("trace", traceId, records.Count, records.Select(LogViews.View).ToArray()), ObservabilityJsonContext.Default.TraceView);
    }

    /// <summary>
    /// <c>POST /v1/logs</c>: one custom log or an array of them, written in one batch straight to the store (not
    /// through the background writer), so the answer means they are kept.
    /// </summary>
    private static async Task<IResult> CreateAsync(
        HttpRequest request, IKeyStore keys, RequestLogAccess logs, TimeProvider time, CancellationToken cancellationToken)
    {
        var (write, problem) = await ItemsBody.ReadForWriteAsync(request, keys, logs, cancellationToken);
        if (write is null)
        {
            return problem!;
        }

        var (items, workspace, store) = write;

        var caller = AdminCaller.Of(request.HttpContext);
        var now = time.GetUtcNow();
        var records = new List<RequestLogRecord>(items.Count);
        var errors = new List<string>();
        for (var i = 0; i < items.Count; i++)
        {
            if (CustomLogs.Read(items[i], i, workspace, caller.Key?.Id, now) is { } record)
            {
                records.Add(record);
            }

            errors.AddRange(items[i].Errors);
        }

        if (errors.Count > 0)
        {
            return AdminResults.Invalid(errors);
        }

        await store.AppendAsync(records, cancellationToken);
        return AdminResults.Ok(
            new LogsCreated("success", $"{records.Count} log{(records.Count == 1 ? "" : "s")} recorded", records.Select(r => r.Id).ToArray()),
            ObservabilityJsonContext.Default.LogsCreated);
    }
}
