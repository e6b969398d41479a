using Switchyard.State;

namespace Switchyard.FrontDoor.Admin;

/// <summary>
/// Which workspace a request means. The admin token is organisation-wide, so <c>workspace_id</c> (id or slug, in the
/// body or the query) picks one; left out, a create uses the only workspace when exactly one is active, and a lookup
/// searches every workspace. A workspace API key is held to its own workspace: another one asked for is a 403, and
/// left out means its own.
/// </summary>
internal static class WorkspaceScope
{
    public static string? Requested(HttpRequest request, AdminBody? body) =>
        body?.String("workspace_id") is { Length: > 0 } fromBody ? fromBody
        : request.Query["workspace_id"].ToString() is { Length: > 0 } fromQuery ? fromQuery
        : null;

    /// <summary>The workspace a new record goes into, or the error to answer.</summary>
    public static async Task<(Workspace? Workspace, IResult? Problem)> ForCreateAsync(
        IKeyStore keys, HttpRequest request, AdminBody body, CancellationToken cancellationToken)
    {
        var caller = AdminCaller.Of(request.HttpContext);
        if (Requested(request, body) is { } requested)
        {
            var workspace = await keys.GetWorkspaceAsync(requested, cancellationToken);
            return workspace is null || workspace.Archived ? (null, AdminResults.WorkspaceNotFound(requested))
                : caller.Sees(workspace.Id) ? (workspace, null)
                : (null, OtherWorkspace());
        }

        if (caller.WorkspaceId is { } own)
        {
            var workspace = await keys.GetWorkspaceAsync(own, cancellationToken);
            return workspace is null || workspace.Archived ? (null, AdminResults.WorkspaceNotFound(own)) : (workspace, null);
        }

        var active = (await keys.ListWorkspacesAsync(cancellationToken)).Where(w => !w.Archived).ToList();
        return active.Count == 1
            ? (active[0], null)
            : (null, AdminResults.Invalid(active.Count == 0
                ? "workspace_id: no workspace exists yet; create one with POST /v1/admin/workspaces first"
                : $"workspace_id: is required when there is more than one workspace ({active.Count} exist)"));
    }

    /// <summary>The workspaces a lookup searches: the one asked for, or all of them.</summary>
    public static async Task<(IReadOnlyList<Workspace> Workspaces, IResult? Problem)> ForLookupAsync(
        IKeyStore keys, HttpRequest request, CancellationToken cancellationToken)
    {
        var caller = AdminCaller.Of(request.HttpContext);
        if (Requested(request, null) is { } requested)
        {
            var workspace = await keys.GetWorkspaceAsync(requested, cancellationToken);
            return workspace is null ? ([], AdminResults.WorkspaceNotFound(requested))
                : caller.Sees(workspace.Id) ? ([workspace], null)
                : ([], OtherWorkspace());
        }

        var all = await keys.ListWorkspacesAsync(cancellationToken);
        return (all.Where(w => caller.Sees(w.Id)).ToArray(), null);
    }

    public static IResult OtherWorkspace() => AdminResults.Forbidden("This API key may only manage records of its own workspace.");

    /// <summary>
    /// A list route: the records of the workspace asked for (or of every workspace), rendered as views, paged, in
    /// Portkey's list envelope.
    /// </summary>
    public static async Task<IResult> ListAsync<TRecord, TView>(
        IKeyStore keys,
        HttpRequest request,
        Func<string, CancellationToken, Task<IReadOnlyList<TRecord>>> list,
        Func<TRecord, Task<TView>> view,
        System.Text.Json.Serialization.Metadata.JsonTypeInfo<AdminList<TView>> typeInfo,
        CancellationToken cancellationToken)
    {
        var (workspaces, problem) = await ForLookupAsync(keys, request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var all = new List<TRecord>();
        foreach (var workspace in workspaces)
        {
            all.AddRange(await list(workspace.Id, cancellationToken));
        }

        var page = new List<TView>();
        foreach (var record in Page(request, all))
        {
            page.Add(await view(record));
        }

        return AdminResults.List(page, all.Count, typeInfo);
    }

    /// <summary><c>current_page</c> (0-based) and <c>page_size</c>, either spelling; no page size means everything.</summary>
    public static IReadOnlyList<T> Page<T>(HttpRequest request, IReadOnlyList<T> items)
    {
        var size = Number(request, "page_size") ?? Number(request, "pageSize");
        var page = Number(request, "current_page") ?? Number(request, "currentPage") ?? 0;
        return size is > 0 ? items.Skip(page * size.Value).Take(size.Value).ToArray() : items;
    }

    private static int? Number(HttpRequest request, string name) =>
        int.TryParse(request.Query[name].ToString(), System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= 0 ? n : null;
}
