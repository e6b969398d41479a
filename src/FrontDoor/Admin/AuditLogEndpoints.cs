using System.Globalization;
using System.Text.Json;
using Switchyard.State;

namespace Switchyard.FrontDoor.Admin;

/// <summary>
/// Portkey's <c>GET /v1/audit-logs</c>: <c>{records, total, object:"analytics-graph"}</c>, newest first. Portkey's
/// <c>start_time</c>/<c>end_time</c> are optional here; a workspace key sees only its own workspace's records.
/// </summary>
internal static class AuditLogEndpoints
{
    private const int DefaultPageSize = 50;
    private const int MaxPageSize = 500;

    public static RouteGroupBuilder MapAuditLogEndpoints(this RouteGroupBuilder admin)
    {
        admin.MapGet("/audit-logs", ListAsync).RequireScope("audit_logs.list");
        return admin;
    }

    private static async Task<IResult> ListAsync(HttpRequest request, IKeyStore keys, AdminAudit audit, CancellationToken cancellationToken)
    {
        var query = request.Query;
        var errors = new List<string>();
        var from = Time("start_time");
        var to = Time("end_time");
        var size = Number("page_size") ?? Number("pageSize") ?? DefaultPageSize;
        var page = Number("current_page") ?? Number("currentPage") ?? 0;
        if (size is < 1 or > MaxPageSize)
        {
            errors.Add($"page_size: must be between 1 and {MaxPageSize}");
        }

        if (errors.Count > 0)
        {
            return AdminResults.Invalid(errors);
        }

        var caller = AdminCaller.Of(request.HttpContext);
        var workspaceId = caller.WorkspaceId;
        if (Text("workspace_id") is { } requested)
        {
            var workspace = await keys.GetWorkspaceAsync(requested, cancellationToken);
            if (workspace is null)
            {
                return AdminResults.WorkspaceNotFound(requested);
            }

            if (!caller.Sees(workspace.Id))
            {
                return AdminResults.Forbidden("This API key may only read its own workspace's audit log.");
            }

            workspaceId = workspace.Id;
        }

        if (audit.Log is not { } log)
        {
            return AdminResults.Failure("No audit log is configured on this gateway.");
        }

        var filter = new AuditQuery(
            workspaceId, from, to, Text("action"), Text("resource_type"), Text("resource_id"), page * size, size);
        var records = await log.QueryAsync(filter, cancellationToken);
        var total = await log.CountAsync(filter, cancellationToken);
        return AdminResults.Ok(
            new AuditLogList(records.Select(View).ToArray(), total, "analytics-graph"),
            AdminJsonContext.Default.AuditLogList);

        string? Text(string name) => query[name].ToString() is { Length: > 0 } value ? value : null;

        int? Number(string name)
        {
            if (Text(name) is not { } value)
            {
                return null;
            }

            if (int.TryParse(value, CultureInfo.InvariantCulture, out var n) && n >= 0)
            {
                return n;
            }

            errors.Add($"{name}: must be a whole number of at least 0");
            return null;
        }

        DateTimeOffset? Time(string name)
        {
            if (Text(name) is not { } value)
            {
                return null;
            }

            if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
            {
                return instant;
            }

            errors.Add($"{name}: must be an ISO 8601 date-time");
            return null;
        }
    }

    private static AuditLogView View(AuditRecord record) => new(
        record.Id,
        record.At,
        record.RequestId,
        record.Actor,
        record.Actor.StartsWith("api-key:", StringComparison.Ordinal) ? "api-key" : record.Actor,
        record.Actor,
        record.WorkspaceId,
        record.TargetKind,
        record.TargetId,
        record.Action,
        Parse(record.Before),
        Parse(record.After),
        "audit-log");

    private static JsonElement? Parse(string? json)
    {
        if (json is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
