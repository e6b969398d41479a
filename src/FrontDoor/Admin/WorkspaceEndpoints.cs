using Switchyard.State;

namespace Switchyard.FrontDoor.Admin;

/// <summary>Portkey's <c>/v1/admin/workspaces</c>: the tenant boundary every other record belongs to.</summary>
internal static class WorkspaceEndpoints
{
    public static RouteGroupBuilder MapWorkspaceEndpoints(this RouteGroupBuilder admin)
    {
        var group = admin.MapGroup("/admin/workspaces");
        group.MapPost("", CreateAsync);
        group.MapGet("", ListAsync);
        group.MapGet("/{id}", GetAsync);
        group.MapPut("/{id}", UpdateAsync);
        group.MapDelete("/{id}", ArchiveAsync);
        return admin;
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, IKeyStore keys, TimeProvider time, CancellationToken cancellationToken)
    {
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
            new Workspace(Guid.NewGuid().ToString(), slug, name!, description, metadata ?? new Dictionary<string, string>(), limits, false, now, now),
            cancellationToken);
        return AdminResults.Ok(View(workspace), AdminJsonContext.Default.WorkspaceView);
    }

    private static async Task<IResult> ListAsync(HttpRequest request, IKeyStore keys, CancellationToken cancellationToken)
    {
        var statuses = request.Query["status"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var name = request.Query["name"].ToString();
        var exact = request.Query["exact_name"].ToString();
        var all = (await keys.ListWorkspacesAsync(cancellationToken))
            .Where(w => statuses.Length == 0 ? !w.Archived : statuses.Contains(w.Archived ? "archived" : "active"))
            .Where(w => name.Length == 0 || w.Name.Contains(name, StringComparison.OrdinalIgnoreCase))
            .Where(w => exact.Length == 0 || w.Name == exact)
            .Select(View)
            .ToList();
        return AdminResults.List(WorkspaceScope.Page(request, all), all.Count, AdminJsonContext.Default.AdminListWorkspaceView);
    }

    private static async Task<IResult> GetAsync(string id, IKeyStore keys, CancellationToken cancellationToken) =>
        await keys.GetWorkspaceAsync(id, cancellationToken) is { } workspace
            ? AdminResults.Ok(View(workspace), AdminJsonContext.Default.WorkspaceView)
            : AdminResults.NotFound($"Workspace '{id}'");

    private static async Task<IResult> UpdateAsync(string id, HttpRequest request, IKeyStore keys, TimeProvider time, CancellationToken cancellationToken)
    {
        var (body, problem) = await AdminBody.ReadAsync(request, cancellationToken);
        if (body is null)
        {
            return AdminResults.Invalid(problem!);
        }

        if (await keys.GetWorkspaceAsync(id, cancellationToken) is not { } workspace)
        {
            return AdminResults.NotFound($"Workspace '{id}'");
        }

        var name = body.Has("name") ? body.String("name", required: true) : workspace.Name;
        var description = body.Has("description") ? body.String("description") : workspace.Description;
        var metadata = Defaults(body) is { } defaults && defaults.Has("metadata") ? body.StringMap(defaults.Metadata, "defaults.metadata") : workspace.DefaultMetadata;
        var limits = LimitsJson.Read(body, workspace.Limits);
        if (body.Errors.Count > 0)
        {
            return AdminResults.Invalid(body.Errors);
        }

        await keys.UpdateWorkspaceAsync(
            workspace with
            {
                Name = name!,
                Description = description,
                DefaultMetadata = metadata ?? new Dictionary<string, string>(),
                Limits = limits,
                UpdatedAt = time.GetUtcNow(),
            },
            cancellationToken);
        return AdminResults.Done();
    }

    private static async Task<IResult> ArchiveAsync(string id, IKeyStore keys, TimeProvider time, CancellationToken cancellationToken)
    {
        if (await keys.GetWorkspaceAsync(id, cancellationToken) is not { } workspace)
        {
            return AdminResults.NotFound($"Workspace '{id}'");
        }

        await keys.UpdateWorkspaceAsync(workspace with { Archived = true, UpdatedAt = time.GetUtcNow() }, cancellationToken);
        return AdminResults.Done();
    }

    private static DefaultsField? Defaults(AdminBody body) =>
        body.Field("defaults") is { ValueKind: System.Text.Json.JsonValueKind.Object } defaults ? new DefaultsField(defaults) : null;

    internal static WorkspaceView View(Workspace workspace) => new(
        workspace.Id,
        workspace.Slug,
        workspace.Name,
        workspace.Description,
        workspace.Archived ? "archived" : "active",
        workspace.CreatedAt,
        workspace.UpdatedAt,
        new WorkspaceDefaults(workspace.DefaultMetadata, 0),
        LimitsJson.UsageView(workspace.Limits) is { } usage ? [usage] : [],
        LimitsJson.RateViews(workspace.Limits),
        [],
        "workspace");

    private sealed class DefaultsField(System.Text.Json.JsonElement defaults)
    {
        public System.Text.Json.JsonElement? Metadata => defaults.TryGetProperty("metadata", out var m) ? m : null;

        public bool Has(string name) => defaults.TryGetProperty(name, out _);
    }
}
