using Switchyard.State;

namespace Switchyard.FrontDoor.Admin;

/// <summary>
/// Portkey's <c>/v1/admin/workspaces</c>: the tenant boundary every other record belongs to. A workspace key with
/// admin scopes sees and changes only its own workspace.
/// </summary>
internal static class WorkspaceEndpoints
{
    public static RouteGroupBuilder MapWorkspaceEndpoints(this RouteGroupBuilder admin)
    {
        var group = admin.MapGroup("/admin/workspaces");
        group.MapPost("", CreateAsync).RequireScope("workspaces.create");
        group.MapGet("", ListAsync).RequireScope("workspaces.list");
        group.MapGet("/{id}", GetAsync).RequireScope("workspaces.read");
        group.MapPut("/{id}", UpdateAsync).RequireScope("workspaces.update");
        group.MapDelete("/{id}", ArchiveAsync).RequireScope("workspaces.delete");
        return admin;
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, IKeyStore keys, AdminAudit audit, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!AdminCaller.Of(request.HttpContext).IsOrganisationWide)
        {
            return AdminResults.Forbidden("A workspace API key cannot create workspaces; use an organisation key or the admin token.");
        }

        var (body, problem) = await AdminBody.ReadAsync(request, cancellationToken);
        if (body is null)
        {
            return AdminResults.Invalid(problem!);
        }

        var name = body.String("name", required: true);
        var description = body.String("description");
        var slug = body.String("slug");
        if (slug is not null && !AdminSlugs.IsValid(slug))
        {
            body.Errors.Add("slug: must be 1-64 of a-z, 0-9, '-' and '_'");
        }

        var metadata = body.StringMap(Defaults(body)?.Metadata, "defaults.metadata");
        var limits = LimitsJson.Read(body, Limits.None);
        var prices = LimitsJson.ReadPriceOverrides(body, Workspace.NoPriceOverrides);
        if (body.Errors.Count > 0)
        {
            return AdminResults.Invalid(body.Errors);
        }

        slug ??= AdminSlugs.New("ws", name!);
        if (await keys.GetWorkspaceAsync(slug, cancellationToken) is not null)
        {
            return AdminResults.Conflict($"A workspace with slug '{slug}' already exists.");
        }

        var now = time.GetUtcNow();
        var workspace = await keys.AddWorkspaceAsync(
            new Workspace(Guid.NewGuid().ToString(), slug, name!, description, metadata ?? new Dictionary<string, string>(), limits, false, now, now)
            {
                PriceOverrides = prices,
            },
            cancellationToken);
        await audit.RecordAsync(request.HttpContext, "workspaces.create", AuditNames.Workspace, workspace.Id, workspace.Id, null, AuditJson(workspace));
        return AdminResults.Ok(View(workspace, null), AdminJsonContext.Default.WorkspaceView);
    }

    private static async Task<IResult> ListAsync(HttpRequest request, IKeyStore keys, AdminUsage usage, CancellationToken cancellationToken)
    {
        var caller = AdminCaller.Of(request.HttpContext);
        var statuses = request.Query["status"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var name = request.Query["name"].ToString();
        var exact = request.Query["exact_name"].ToString();
        var matching = (await keys.ListWorkspacesAsync(cancellationToken))
            .Where(w => caller.Sees(w.Id))
            .Where(w => statuses.Length == 0 ? !w.Archived : statuses.Contains(w.Archived ? "archived" : "active"))
            .Where(w => name.Length == 0 || w.Name.Contains(name, StringComparison.OrdinalIgnoreCase))
            .Where(w => exact.Length == 0 || w.Name == exact)
            .ToList();
        var page = new List<WorkspaceView>();
        foreach (var workspace in WorkspaceScope.Page(request, matching))
        {
            page.Add(View(workspace, await usage.ForAsync(GovernedKind.Workspace, workspace.Id, workspace.Limits, cancellationToken)));
        }

        return AdminResults.List(page, matching.Count, AdminJsonContext.Default.AdminListWorkspaceView);
    }

    private static async Task<IResult> GetAsync(string id, HttpRequest request, IKeyStore keys, AdminUsage usage, CancellationToken cancellationToken)
    {
        var (workspace, problem) = await FindAsync(id, request, keys, cancellationToken);
        return workspace is null
            ? problem!
            : AdminResults.Ok(
                View(workspace, await usage.ForAsync(GovernedKind.Workspace, workspace.Id, workspace.Limits, cancellationToken)),
                AdminJsonContext.Default.WorkspaceView);
    }

    private static async Task<IResult> UpdateAsync(
        string id, HttpRequest request, IKeyStore keys, AdminLimits pushLimits, AdminAudit audit, TimeProvider time, CancellationToken cancellationToken)
    {
        var (body, bodyProblem) = await AdminBody.ReadAsync(request, cancellationToken);
        if (body is null)
        {
            return AdminResults.Invalid(bodyProblem!);
        }

        var (workspace, problem) = await FindAsync(id, request, keys, cancellationToken);
        if (workspace is null)
        {
            return problem!;
        }

        var name = body.Has("name") ? body.String("name", required: true) : workspace.Name;
        var description = body.Has("description") ? body.String("description") : workspace.Description;
        var metadata = Defaults(body) is { } defaults && defaults.Has("metadata") ? body.StringMap(defaults.Metadata, "defaults.metadata") : workspace.DefaultMetadata;
        var limits = LimitsJson.Read(body, workspace.Limits);
        var prices = LimitsJson.ReadPriceOverrides(body, workspace.PriceOverrides);
        if (body.Errors.Count > 0)
        {
            return AdminResults.Invalid(body.Errors);
        }

        var updated = workspace with
        {
            Name = name!,
            Description = description,
            DefaultMetadata = metadata ?? new Dictionary<string, string>(),
            Limits = limits,
            PriceOverrides = prices,
            UpdatedAt = time.GetUtcNow(),
        };
        await keys.UpdateWorkspaceAsync(updated, cancellationToken);
        await audit.RecordAsync(request.HttpContext, "workspaces.update", AuditNames.Workspace, workspace.Id, workspace.Id, AuditJson(workspace), AuditJson(updated));
        await pushLimits.ChangedAsync(GovernedKind.Workspace, workspace.Id, cancellationToken);
        return AdminResults.Done();
    }

    private static async Task<IResult> ArchiveAsync(
        string id, HttpRequest request, IKeyStore keys, AdminAudit audit, TimeProvider time, CancellationToken cancellationToken)
    {
        var (workspace, problem) = await FindAsync(id, request, keys, cancellationToken);
        if (workspace is null)
        {
            return problem!;
        }

        var archived = workspace with { Archived = true, UpdatedAt = time.GetUtcNow() };
        await keys.UpdateWorkspaceAsync(archived, cancellationToken);
        await audit.RecordAsync(request.HttpContext, "workspaces.delete", AuditNames.Workspace, workspace.Id, workspace.Id, AuditJson(workspace), AuditJson(archived));
        return AdminResults.Done();
    }

    private static async Task<(Workspace? Workspace, IResult? Problem)> FindAsync(
        string id, HttpRequest request, IKeyStore keys, CancellationToken cancellationToken)
    {
        if (await keys.GetWorkspaceAsync(id, cancellationToken) is not { } workspace)
        {
            return (null, AdminResults.NotFound($"Workspace '{id}'"));
        }

        return AdminCaller.Of(request.HttpContext).Sees(workspace.Id)
            ? (workspace, null)
            : (null, AdminResults.Forbidden("This API key may only manage its own workspace."));
    }

    private static DefaultsField? Defaults(AdminBody body) =>
        body.Field("defaults") is { ValueKind: System.Text.Json.JsonValueKind.Object } defaults ? new DefaultsField(defaults) : null;

    internal static string AuditJson(Workspace workspace) => AdminAudit.Json(View(workspace, null), AdminJsonContext.Default.WorkspaceView);

    internal static WorkspaceView View(Workspace workspace, UsageView? usage) => new(
        workspace.Id,
        workspace.Slug,
        workspace.Name,
        workspace.Description,
        workspace.Archived ? "archived" : usage?.Status ?? "active",
        workspace.CreatedAt,
        workspace.UpdatedAt,
        new WorkspaceDefaults(workspace.DefaultMetadata, 0),
        LimitsJson.UsageView(workspace.Limits) is { } limit ? [limit] : [],
        LimitsJson.RateViews(workspace.Limits),
        [],
        workspace.Limits.MaxConcurrentRequests,
        LimitsJson.PriceOverrideViews(workspace.PriceOverrides),
        usage,
        "workspace");

    private sealed class DefaultsField(System.Text.Json.JsonElement defaults)
    {
        public System.Text.Json.JsonElement? Metadata => defaults.TryGetProperty("metadata", out var m) ? m : null;

        public bool Has(string name) => defaults.TryGetProperty(name, out _);
    }
}
