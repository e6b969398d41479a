using Switchyard.FrontDoor.Admin;
using Switchyard.State;

namespace Switchyard.FrontDoor.Observability;

/// <summary>
/// Which workspaces a log, feedback, export or analytics request touches. Portkey names a workspace with
/// <c>workspace_id</c> or, in analytics, <c>workspace_slug</c> (either takes an id or a slug here). A workspace key is
/// held to its own workspace (another one named is a 403); the admin token and organisation keys read every workspace
/// unless they name one.
/// </summary>
internal static class LogScope
{
    /// <summary>The workspace named in the body or the query, by id or slug.</summary>
    public static string? Requested(HttpRequest request, AdminBody? body) =>
        WorkspaceScope.Requested(request, body)
        ?? (body?.String("workspace_slug") is { Length: > 0 } slug ? slug
            : request.Query["workspace_slug"].ToString() is { Length: > 0 } fromQuery ? fromQuery
            : null);

    /// <summary>The workspaces a read may see: null for every workspace (organisation callers naming none).</summary>
    public static async Task<(IReadOnlyList<string>? WorkspaceIds, IResult? Problem)> ForReadAsync(
        IKeyStore keys, HttpRequest request, AdminBody? body, CancellationToken cancellationToken)
    {
        var caller = AdminCaller.Of(request.HttpContext);
        if (Requested(request, body) is { } requested)
        {
            var workspace = await keys.GetWorkspaceAsync(requested, cancellationToken);
            return workspace is null ? (null, AdminResults.WorkspaceNotFound(requested))
                : caller.Sees(workspace.Id) ? ([workspace.Id], null)
                : (null, WorkspaceScope.OtherWorkspace());
        }

        return caller.WorkspaceId is { } own ? ([own], null) : (null, null);
    }

    /// <summary>The one workspace a write goes into (see <see cref="WorkspaceScope.ForCreateAsync"/>), <c>workspace_slug</c> included.</summary>
    public static async Task<(Workspace? Workspace, IResult? Problem)> ForWriteAsync(
        IKeyStore keys, HttpRequest request, AdminBody body, CancellationToken cancellationToken)
    {
        if (WorkspaceScope.Requested(request, body) is null && Requested(request, body) is { } slug)
        {
            var caller = AdminCaller.Of(request.HttpContext);
            var workspace = await keys.GetWorkspaceAsync(slug, cancellationToken);
            return workspace is null || workspace.Archived ? (null, AdminResults.WorkspaceNotFound(slug))
                : caller.Sees(workspace.Id) ? (workspace, null)
                : (null, WorkspaceScope.OtherWorkspace());
        }

        return await WorkspaceScope.ForCreateAsync(keys, request, body, cancellationToken);
    }
}

/// <summary>The request log the host registered, or none (then every observability route answers 500 AB04 saying so).</summary>
internal sealed class RequestLogAccess(IServiceProvider services)
{
    public IRequestLogStore? Store { get; } = services.GetService<IRequestLogStore>();

    public static IResult Missing() => AdminResults.Failure("No request log is configured on this gateway.");

    /// <summary>
    /// The store and the workspaces a read may see (<see cref="LogScope.ForReadAsync"/>), or the answer that ends the
    /// read: an unknown or other workspace, or no request log on this gateway.
    /// </summary>
    public async Task<(LogRead? Read, IResult? Problem)> ForReadAsync(IKeyStore keys, HttpRequest request, AdminBody? body, CancellationToken cancellationToken)
    {
        var (workspaces, problem) = await LogScope.ForReadAsync(keys, request, body, cancellationToken);
        return problem is not null ? (null, problem)
            : Store is { } store ? (new LogRead(store, workspaces), null)
            : (null, Missing());
    }
}

/// <summary>A read of the request log: its store, and the workspaces it may see (null for every workspace).</summary>
internal sealed record LogRead(IRequestLogStore Store, IReadOnlyList<string>? WorkspaceIds);
