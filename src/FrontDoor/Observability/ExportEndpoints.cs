using System.Text.Json;
using Switchyard.FrontDoor.Admin;
using Switchyard.State;

namespace Switchyard.FrontDoor.Observability;

/// <summary>
/// Portkey's log exports: a draft names filters and fields; starting it pins the instant it covers up to and counts
/// its records in the background; a download is a signed link to <c>/v1/logs/exports/{id}/file</c>, which any front
/// door serves by streaming the records again (nothing is kept on disk).
/// </summary>
internal static class ExportEndpoints
{
    public static RouteGroupBuilder MapExportEndpoints(this RouteGroupBuilder admin)
    {
        admin.MapPost("/logs/exports", CreateAsync).RequireScope("logs.export");
        admin.MapGet("/logs/exports", ListAsync).RequireScope("logs.export");
        admin.MapGet("/logs/exports/{id}", GetAsync).RequireScope("logs.export");
        admin.MapPut("/logs/exports/{id}", UpdateAsync).RequireScope("logs.export");
        admin.MapPost("/logs/exports/{id}/start", StartAsync).RequireScope("logs.export");
        admin.MapPost("/logs/exports/{id}/cancel", CancelAsync).RequireScope("logs.export");
        admin.MapGet("/logs/exports/{id}/download", DownloadAsync).RequireScope("logs.export");
        return admin;
    }

    /// <summary>The file behind a signed link: no API key, the signature is the credential (checked before anything is read).</summary>
    public static IEndpointRouteBuilder MapExportFile(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/logs/exports/{id}/file", FileAsync);
        return app;
    }

    private static async Task<IResult> CreateAsync(
        HttpRequest request, IKeyStore keys, RequestLogAccess logs, TimeProvider time, CancellationToken cancellationToken)
    {
        var (body, bodyProblem) = await AdminBody.ReadAsync(request, cancellationToken);
        if (body is null)
        {
            return AdminResults.Invalid(bodyProblem!);
        }

        var (filters, fields, search) = Read(body, required: true);
        if (body.Errors.Count > 0)
        {
            return AdminResults.Invalid(body.Errors);
        }

        var (workspace, problem) = await LogScope.ForWriteAsync(keys, request, body, cancellationToken);
        if (workspace is null)
        {
            return problem!;
        }

        if (logs.Store is not { } store)
        {
            return RequestLogAccess.Missing();
        }

        var now = time.GetUtcNow();
        var export = new LogExport(
            "exp_" + Guid.CreateVersion7(now).ToString("N"), workspace.Id, filters!, fields!, LogExportStatus.Draft, body.String("description"),
            AdminCaller.Of(request.HttpContext).Actor, now, now, null, null);
        await store.AddExportAsync(export, cancellationToken);
        var total = await store.CountAsync(search! with { WorkspaceIds = [workspace.Id] }, cancellationToken);
        return AdminResults.Ok(new ExportCreated(export.Id, total, "export"), ObservabilityJsonContext.Default.ExportCreated);
    }

    private static async Task<IResult> ListAsync(HttpRequest request, IKeyStore keys, RequestLogAccess logs, CancellationToken cancellationToken)
    {
        var (read, problem) = await logs.ForReadAsync(keys, request, null, cancellationToken);
        if (read is null)
        {
            return problem!;
        }

        var (store, workspaces) = read;

        var exports = (await store.ListExportsAsync(workspaces, cancellationToken)).OrderByDescending(e => e.CreatedAt).ToArray();
        var page = WorkspaceScope.Page(request, exports).Select(View).ToArray();
        return AdminResults.List(page, exports.Length, ObservabilityJsonContext.Default.AdminListExportView);
    }

    private static async Task<IResult> GetAsync(string id, HttpRequest request, IKeyStore keys, RequestLogAccess logs, CancellationToken cancellationToken)
    {
        var (export, _, problem) = await FindAsync(id, request, keys, logs, cancellationToken);
        return problem ?? AdminResults.Ok(View(export!), ObservabilityJsonContext.Default.ExportView);
    }

    /// <summary>A draft's filters, fields and description may change; a started export is fixed.</summary>
    private static async Task<IResult> UpdateAsync(
        string id, HttpRequest request, IKeyStore keys, RequestLogAccess logs, TimeProvider time, CancellationToken cancellationToken)
    {
        var (body, bodyProblem) = await AdminBody.ReadAsync(request, cancellationToken);
        if (body is null)
        {
            return AdminResults.Invalid(bodyProblem!);
        }

        var (filters, fields, _) = Read(body, required: false);
        if (body.Errors.Count > 0)
        {
            return AdminResults.Invalid(body.Errors);
        }

        var (export, store, problem) = await FindAsync(id, request, keys, logs, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (export!.Status != LogExportStatus.Draft)
        {
            return AdminResults.Conflict($"Export '{id}' is {export.Status}; only a draft can be changed.");
        }

        var updated = export with
        {
            FiltersJson = filters ?? export.FiltersJson,
            RequestedData = fields ?? export.RequestedData,
            Description = body.Has("description") ? body.String("description") : export.Description,
            UpdatedAt = time.GetUtcNow(),
        };
        await store!.UpdateExportAsync(updated, cancellationToken);
        var total = await store.CountAsync(LogExportRunner.SearchOf(updated), cancellationToken);
        return AdminResults.Ok(new ExportCreated(updated.Id, total, "export"), ObservabilityJsonContext.Default.ExportCreated);
    }

    private static async Task<IResult> StartAsync(
        string id, HttpRequest request, IKeyStore keys, RequestLogAccess logs, LogExportRunner runner, TimeProvider time, CancellationToken cancellationToken)
    {
        var (export, store, problem) = await FindAsync(id, request, keys, logs, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (export!.Status is LogExportStatus.InProgress or LogExportStatus.Success)
        {
            return AdminResults.Conflict($"Export '{id}' is already {export.Status}.");
        }

        var now = time.GetUtcNow();
        var started = export with { Status = LogExportStatus.InProgress, PinnedAt = now, Total = null, UpdatedAt = now };
        await store!.UpdateExportAsync(started, cancellationToken);

        // Read back what the store kept: it may hold instants at a coarser precision, and the runner compares the pin.
        runner.Start(store, await store.GetExportAsync([export.WorkspaceId], id, cancellationToken) ?? started);
        return AdminResults.Ok(new ExportMessage("Export started", "export"), ObservabilityJsonContext.Default.ExportMessage);
    }

    private static async Task<IResult> CancelAsync(
        string id, HttpRequest request, IKeyStore keys, RequestLogAccess logs, TimeProvider time, CancellationToken cancellationToken)
    {
        var (export, store, problem) = await FindAsync(id, request, keys, logs, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (export!.Status is LogExportStatus.Success or LogExportStatus.Failed)
        {
            return AdminResults.Conflict($"Export '{id}' is {export.Status}; only a draft or a running export can be cancelled.");
        }

        await store!.UpdateExportAsync(export with { Status = LogExportStatus.Stopped, UpdatedAt = time.GetUtcNow() }, cancellationToken);
        return AdminResults.Ok(new ExportMessage("Export cancelled", "export"), ObservabilityJsonContext.Default.ExportMessage);
    }

    private static async Task<IResult> DownloadAsync(
        string id, HttpRequest request, IKeyStore keys, RequestLogAccess logs, ExportLinks links, CancellationToken cancellationToken)
    {
        var (export, _, problem) = await FindAsync(id, request, keys, logs, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (export!.Status != LogExportStatus.Success)
        {
            return AdminResults.Conflict($"Export '{id}' is {export.Status}; start it and wait for success before downloading.");
        }

        var url = $"{request.Scheme}://{request.Host}{request.PathBase}{links.PathFor(export.Id)}";
        return AdminResults.Ok(new ExportDownload(url), ObservabilityJsonContext.Default.ExportDownload);
    }

    private static async Task<IResult> FileAsync(
        string id, HttpContext http, RequestLogAccess logs, ExportLinks links, CancellationToken cancellationToken)
    {
        http.Response.Headers[AdminAuthenticationFilter.RequestIdHeader] = Guid.NewGuid().ToString();
        if (!links.Verify(id, http.Request.Query["expires"].ToString(), http.Request.Query["signature"].ToString()))
        {
            return AdminResults.Forbidden("This download link is invalid or has expired; ask GET /v1/logs/exports/{id}/download for a new one.");
        }

        if (logs.Store is not { } store)
        {
            return RequestLogAccess.Missing();
        }

        var export = await store.GetExportAsync(null, id, cancellationToken);
        if (export is not { Status: LogExportStatus.Success })
        {
            return AdminResults.NotFound($"Export '{id}'");
        }

        var search = LogExportRunner.SearchOf(export);
        return Results.Stream(
            output => ExportFile.WriteAsync(output, store.ReadAllAsync(search, cancellationToken), export.RequestedData, cancellationToken),
            "application/x-ndjson",
            $"{export.Id}.jsonl");
    }

    private static async Task<(LogExport? Export, IRequestLogStore? Store, IResult? Problem)> FindAsync(
        string id, HttpRequest request, IKeyStore keys, RequestLogAccess logs, CancellationToken cancellationToken)
    {
        var (read, problem) = await logs.ForReadAsync(keys, request, null, cancellationToken);
        if (read is null)
        {
            return (null, null, problem!);
        }

        var (store, workspaces) = read;

        var export = await store.GetExportAsync(workspaces, id, cancellationToken);
        return export is null ? (null, null, AdminResults.NotFound($"Export '{id}'")) : (export, store, null);
    }

    /// <summary><c>filters</c> (an object, checked by reading it as a search) and <c>requested_data</c> (known field names).</summary>
    private static (string? FiltersJson, IReadOnlyList<string>? Fields, LogSearch? Search) Read(AdminBody body, bool required)
    {
        string? filtersJson = null;
        LogSearch? search = null;
        switch (body.Field("filters"))
        {
            case { ValueKind: JsonValueKind.Object } filters:
                var reader = LogFilters.FromJson(filters);
                search = reader.ToSearch(paged: false);
                body.Errors.AddRange(reader.Errors.Select(e => "filters." + e));
                filtersJson = filters.GetRawText();
                break;
            case null or { ValueKind: JsonValueKind.Null } when !required:
                break;
            case null or { ValueKind: JsonValueKind.Null }:
                body.Errors.Add("filters: is required (an object; {} exports everything)");
                break;
            default:
                body.Errors.Add("filters: must be an object");
                break;
        }

        var fields = body.StringList("requested_data", required);
        if (fields is { Count: 0 })
        {
            body.Errors.Add("requested_data: must name at least one field");
        }

        foreach (var unknown in fields?.Where(f => !ExportFile.Fields.Contains(f)) ?? [])
        {
            body.Errors.Add($"requested_data: unknown field '{unknown}' (known: {string.Join(", ", ExportFile.Fields)})");
        }

        return (filtersJson, fields?.Distinct(StringComparer.Ordinal).ToArray(), search);
    }

    private static ExportView View(LogExport e)
    {
        using var filters = JsonDocument.Parse(e.FiltersJson);
        return new ExportView(
            e.Id, filters.RootElement.Clone(), e.RequestedData, e.Status, e.Description, e.WorkspaceId, e.CreatedBy, e.CreatedAt, e.UpdatedAt,
            e.PinnedAt, e.Total, "export");
    }
}
