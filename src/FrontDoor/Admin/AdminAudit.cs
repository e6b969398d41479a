using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Switchyard.State;

namespace Switchyard.FrontDoor.Admin;

/// <summary>
/// Writes an <see cref="AuditRecord"/> for every admin mutation (docs/admin-api.md describes the audit log). Before and after are the admin read
/// views, which already mask every secret (API keys show their hint, virtual keys the masked provider key), serialized
/// without the live <c>usage</c> figures. With no <see cref="IAuditLog"/> registered nothing is written.
/// </summary>
internal sealed class AdminAudit(IServiceProvider services, TimeProvider time)
{
    private readonly IAuditLog? _log = services.GetService<IAuditLog>();

    /// <summary>The actor of changes the declarative bootstrap file makes.</summary>
    public const string BootstrapActor = "bootstrap";

    public IAuditLog? Log => _log;

    public Task RecordAsync(
        HttpContext http, string action, string targetKind, string targetId, string? workspaceId, string? before, string? after)
    {
        var caller = AdminCaller.Of(http);
        return RecordAsync(caller.Actor, caller.RequestId, action, targetKind, targetId, workspaceId, before, after, http.RequestAborted);
    }

    public async Task RecordAsync(
        string actor, string requestId, string action, string targetKind, string targetId, string? workspaceId, string? before, string? after,
        CancellationToken cancellationToken)
    {
        if (_log is null)
        {
            return;
        }

        await _log.AppendAsync(
            new AuditRecord(Guid.NewGuid().ToString(), time.GetUtcNow(), actor, action, targetKind, targetId, workspaceId, before, after, requestId),
            cancellationToken);
    }

    public static string Json<T>(T view, JsonTypeInfo<T> typeInfo) => JsonSerializer.Serialize(view, typeInfo);
}

/// <summary>Audit action and resource names (Portkey's <c>resource.action</c> spelling).</summary>
internal static class AuditNames
{
    public const string Workspace = "workspace";
    public const string ApiKey = "api_key";
    public const string VirtualKey = "virtual_key";
    public const string Config = "config";
    public const string Cache = "cache";
}

/// <summary>A write that collided in the store (a duplicate slug, name or key) answers 409 AB07, whichever store is in use.</summary>
internal sealed class StateConflictFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (StateConflictException ex)
        {
            return AdminResults.Conflict(ex.Message);
        }
    }
}
