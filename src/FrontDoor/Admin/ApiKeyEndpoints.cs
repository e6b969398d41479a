using System.Text.Json;
using Switchyard.Gateway.Security;
using Switchyard.State;

namespace Switchyard.FrontDoor.Admin;

/// <summary>
/// Portkey's <c>/v1/api-keys</c>: the keys clients present. The full key is in the create (and rotate) response only;
/// the store keeps its SHA-256, and reads show the hint (<c>sk-sy-ab…yz</c>). DELETE revokes (the record stays, marked
/// archived). Organisation keys (<c>/api-keys/organisation/service</c>) call the admin API across workspaces with their
/// scopes; the store files them under a workspace, but they belong to none.
/// </summary>
internal static class ApiKeyEndpoints
{
    private const string OrganisationKeys = "organisation_service_api_keys";
    private const string WorkspaceKeys = "workspace_service_api_keys";

    public static RouteGroupBuilder MapApiKeyEndpoints(this RouteGroupBuilder admin)
    {
        // The scope depends on the kind of key (organisation or workspace), so each handler checks it.
        var group = admin.MapGroup("/api-keys");
        group.MapPost("/{type}/{subType}", CreateAsync).RequireScope(null);
        group.MapGet("", ListAsync).RequireScope(null);
        group.MapGet("/{id}", GetAsync).RequireScope(null);
        group.MapPut("/{id}", UpdateAsync).RequireScope(null);
        group.MapDelete("/{id}", RevokeAsync).RequireScope(null);
        group.MapPost("/{id}/rotate", RotateAsync).RequireScope(null);
        return admin;
    }

    private static async Task<IResult> CreateAsync(
        string type, string subType, HttpRequest request, IKeyStore keys, AdminAudit audit, TimeProvider time, CancellationToken cancellationToken)
    {
        if (subType != "service" || type is not ("workspace" or "organisation"))
        {
            return AdminResults.Invalid(type is "organisation" or "workspace" && subType == "user"
                ? $"/api-keys/{type}/{subType}: user keys are not built yet (they come with users); use service keys"
                : $"/api-keys/{type}/{subType}: type must be organisation or workspace, sub-type user or service");
        }

        var organisation = type == "organisation";
        var caller = AdminCaller.Of(request.HttpContext);
        if (caller.Require((organisation ? OrganisationKeys : WorkspaceKeys) + ".create") is { } forbidden)
        {
            return forbidden;
        }

        if (organisation && !caller.IsOrganisationWide)
        {
            return AdminResults.Forbidden("A workspace API key cannot create organisation keys.");
        }

        var (body, problem) = await AdminBody.ReadAsync(request, cancellationToken);
        if (body is null)
        {
            return AdminResults.Invalid(problem!);
        }

        var name = body.String("name", required: true);
        var description = body.String("description");
        var scopes = body.StringList("scopes", required: true);
        var (configId, metadata) = ReadDefaults(body, null, new Dictionary<string, string>());
        var expiresAt = body.Instant("expires_at", out _);
        var limits = LimitsJson.Read(body, Limits.None);
        if (body.Errors.Count > 0)
        {
            return AdminResults.Invalid(body.Errors);
        }

        if (caller.MayGrant(scopes!) is { } ungrantable)
        {
            return ungrantable;
        }

        var (workspace, scopeProblem) = organisation
            ? await HomeForOrganisationKeyAsync(keys, request, body, cancellationToken)
            : await WorkspaceScope.ForCreateAsync(keys, request, body, cancellationToken);
        if (workspace is null)
        {
            return scopeProblem!;
        }

        var secret = ApiKeySecrets.Generate();
        var now = time.GetUtcNow();
        var key = await keys.AddApiKeyAsync(
            new ApiKey(
                Guid.NewGuid().ToString(), workspace.Id, name!, description, ApiKeySecrets.Hash(secret), ApiKeySecrets.Hint(secret),
                scopes!, null, null, configId, metadata, limits, expiresAt, null, now, now)
            {
                Type = organisation ? ApiKeyType.Organisation : ApiKeyType.Workspace,
            },
            cancellationToken);
        await audit.RecordAsync(request.HttpContext, "api_keys.create", AuditNames.ApiKey, key.Id, key.WorkspaceId, null, AuditJson(key, now));
        return AdminResults.Ok(new CreatedApiKey(key.Id, secret, "api-key"), AdminJsonContext.Default.CreatedApiKey);
    }

    /// <summary>
    /// Where the store files an organisation key (its workspace id is a foreign key): the workspace the request names,
    /// else the oldest active one.
    /// </summary>
    internal static async Task<(Workspace? Workspace, IResult? Problem)> HomeForOrganisationKeyAsync(
        IKeyStore keys, HttpRequest request, AdminBody body, CancellationToken cancellationToken)
    {
        if (WorkspaceScope.Requested(request, body) is not null)
        {
            return await WorkspaceScope.ForCreateAsync(keys, request, body, cancellationToken);
        }

        var oldest = (await keys.ListWorkspacesAsync(cancellationToken)).Where(w => !w.Archived).MinBy(w => w.CreatedAt);
        return oldest is null
            ? (null, AdminResults.Invalid("workspace_id: no workspace exists yet; create one with POST /v1/admin/workspaces first"))
            : (oldest, null);
    }

    private static async Task<IResult> ListAsync(HttpRequest request, IKeyStore keys, AdminUsage usage, TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = AdminCaller.Of(request.HttpContext);
        var canWorkspaceKeys = caller.Can(WorkspaceKeys + ".list");
        var canOrganisationKeys = caller.Can(OrganisationKeys + ".list") && caller.IsOrganisationWide;
        if (!canWorkspaceKeys && !canOrganisationKeys)
        {
            return caller.Require(WorkspaceKeys + ".list")!;
        }

        var (workspaces, problem) = await WorkspaceScope.ForLookupAsync(keys, request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        // Organisation keys belong to no workspace, so a list for one workspace leaves them out.
        var forOneWorkspace = WorkspaceScope.Requested(request, null) is not null;
        var matching = new List<ApiKey>();
        foreach (var workspace in workspaces)
        {
            matching.AddRange((await keys.ListApiKeysAsync(workspace.Id, cancellationToken)).Where(key => key.Type == ApiKeyType.Organisation
                ? canOrganisationKeys && !forOneWorkspace
                : canWorkspaceKeys));
        }

        var now = time.GetUtcNow();
        var page = new List<ApiKeyView>();
        foreach (var key in WorkspaceScope.Page(request, matching))
        {
            page.Add(View(key, now, await usage.ForAsync(GovernedKind.ApiKey, key.Id, key.Limits, cancellationToken)));
        }

        return AdminResults.List(page, matching.Count, AdminJsonContext.Default.AdminListApiKeyView);
    }

    private static async Task<IResult> GetAsync(string id, HttpRequest request, IKeyStore keys, AdminUsage usage, TimeProvider time, CancellationToken cancellationToken)
    {
        var (key, problem) = await FindAsync(id, "read", request, keys, cancellationToken);
        return key is null
            ? problem!
            : AdminResults.Ok(
                View(key, time.GetUtcNow(), await usage.ForAsync(GovernedKind.ApiKey, key.Id, key.Limits, cancellationToken)),
                AdminJsonContext.Default.ApiKeyView);
    }

    private static async Task<IResult> UpdateAsync(
        string id, HttpRequest request, IKeyStore keys, AdminLimits pushLimits, AdminAudit audit, TimeProvider time, CancellationToken cancellationToken)
    {
        var (body, bodyProblem) = await AdminBody.ReadAsync(request, cancellationToken);
        if (body is null)
        {
            return AdminResults.Invalid(bodyProblem!);
        }

        var (key, problem) = await FindAsync(id, "update", request, keys, cancellationToken);
        if (key is null)
        {
            return problem!;
        }

        var name = body.Has("name") ? body.String("name", required: true) : key.Name;
        var description = body.Has("description") ? body.String("description") : key.Description;
        var scopes = body.Has("scopes") ? body.StringList("scopes", required: true) : key.Scopes;
        var (configId, metadata) = ReadDefaults(body, key.DefaultConfigSlug, key.DefaultMetadata);
        var expiresAt = body.Instant("expires_at", out var expiresGiven);
        var limits = LimitsJson.Read(body, key.Limits);
        if (body.Errors.Count > 0)
        {
            return AdminResults.Invalid(body.Errors);
        }

        if (AdminCaller.Of(request.HttpContext).MayGrant(scopes!.Except(key.Scopes)) is { } ungrantable)
        {
            return ungrantable;
        }

        var now = time.GetUtcNow();
        var updated = key with
        {
            Name = name!,
            Description = description,
            Scopes = scopes!,
            DefaultConfigSlug = configId,
            DefaultMetadata = metadata,
            Limits = limits,
            ExpiresAt = expiresGiven ? expiresAt : key.ExpiresAt,
            UpdatedAt = now,
        };
        await keys.UpdateApiKeyAsync(updated, cancellationToken);
        await audit.RecordAsync(request.HttpContext, "api_keys.update", AuditNames.ApiKey, key.Id, key.WorkspaceId, AuditJson(key, now), AuditJson(updated, now));
        await pushLimits.ChangedAsync(GovernedKind.ApiKey, key.Id, cancellationToken);
        return AdminResults.Done();
    }

    private static async Task<IResult> RevokeAsync(
        string id, HttpRequest request, IKeyStore keys, AdminLimits pushLimits, AdminAudit audit, TimeProvider time, CancellationToken cancellationToken)
    {
        var (key, problem) = await FindAsync(id, "delete", request, keys, cancellationToken);
        if (key is null)
        {
            return problem!;
        }

        var now = time.GetUtcNow();
        var revoked = key with { RevokedAt = key.RevokedAt ?? now, UpdatedAt = now };
        await keys.UpdateApiKeyAsync(revoked, cancellationToken);
        await audit.RecordAsync(request.HttpContext, "api_keys.revoke", AuditNames.ApiKey, key.Id, key.WorkspaceId, AuditJson(key, now), AuditJson(revoked, now));
        await pushLimits.ChangedAsync(GovernedKind.ApiKey, key.Id, cancellationToken);
        return AdminResults.Done();
    }

    /// <summary>
    /// A new secret for the same key record (id, scopes and limits stay). The old secret stops working at once: a
    /// transition period would need two hashes per key, which the store does not keep, so
    /// <c>key_transition_expires_at</c> is the rotation time whatever <c>key_transition_period_ms</c> asks.
    /// </summary>
    private static async Task<IResult> RotateAsync(
        string id, HttpRequest request, IKeyStore keys, AdminAudit audit, TimeProvider time, CancellationToken cancellationToken)
    {
        var (key, problem) = await FindAsync(id, "rotate", request, keys, cancellationToken);
        if (key is null)
        {
            return problem!;
        }

        if (key.RevokedAt is not null)
        {
            return AdminResults.Invalid($"API key '{id}' is revoked; create a new one instead.");
        }

        var secret = ApiKeySecrets.Generate();
        var now = time.GetUtcNow();
        var rotated = key with { KeyHash = ApiKeySecrets.Hash(secret), Hint = ApiKeySecrets.Hint(secret), UpdatedAt = now };
        await keys.UpdateApiKeyAsync(rotated, cancellationToken);
        await audit.RecordAsync(request.HttpContext, "api_keys.rotate", AuditNames.ApiKey, key.Id, key.WorkspaceId, AuditJson(key, now), AuditJson(rotated, now));
        return AdminResults.Ok(new RotatedApiKey(key.Id, secret, now, "api-key"), AdminJsonContext.Default.RotatedApiKey);
    }

    /// <summary>The key in the path, if the caller may see it and holds the scope for <paramref name="action"/> on its kind.</summary>
    private static async Task<(ApiKey? Key, IResult? Problem)> FindAsync(
        string id, string action, HttpRequest request, IKeyStore keys, CancellationToken cancellationToken)
    {
        var caller = AdminCaller.Of(request.HttpContext);
        var (workspaces, problem) = await WorkspaceScope.ForLookupAsync(keys, request, cancellationToken);
        if (problem is not null)
        {
            return (null, problem);
        }

        foreach (var workspace in workspaces)
        {
            if (await keys.GetApiKeyAsync(workspace.Id, id, cancellationToken) is { } key
                && (key.Type == ApiKeyType.Workspace || caller.IsOrganisationWide))
            {
                return caller.Require((key.Type == ApiKeyType.Organisation ? OrganisationKeys : WorkspaceKeys) + "." + action) is { } forbidden
                    ? (null, forbidden)
                    : (key, null);
            }
        }

        return (null, AdminResults.NotFound($"API key '{id}'"));
    }

    internal static (string? ConfigId, IReadOnlyDictionary<string, string> Metadata) ReadDefaults(
        AdminBody body, string? configId, IReadOnlyDictionary<string, string> metadata)
    {
        switch (body.Field("defaults"))
        {
            case { ValueKind: JsonValueKind.Object } defaults:
                if (defaults.TryGetProperty("config_id", out var config))
                {
                    if (config.ValueKind is JsonValueKind.String or JsonValueKind.Null)
                    {
                        configId = config.GetString();
                    }
                    else
                    {
                        body.Errors.Add("defaults.config_id: must be a config slug or null");
                    }
                }

                if (defaults.TryGetProperty("metadata", out var map))
                {
                    metadata = body.StringMap(map, "defaults.metadata") ?? new Dictionary<string, string>();
                }

                return (configId, metadata);
            case null or { ValueKind: JsonValueKind.Null }:
                return (configId, metadata);
            default:
                body.Errors.Add("defaults: must be an object");
                return (configId, metadata);
        }
    }

    internal static string AuditJson(ApiKey key, DateTimeOffset now) => AdminAudit.Json(View(key, now, null), AdminJsonContext.Default.ApiKeyView);

    internal static ApiKeyView View(ApiKey key, DateTimeOffset now, UsageView? usage) => new(
        key.Id,
        key.Hint,
        key.Name,
        key.Description,
        key.Type == ApiKeyType.Organisation ? "organisation-service" : "workspace-service",
        null,
        key.Type == ApiKeyType.Organisation ? null : key.WorkspaceId,
        null,
        key.RevokedAt is not null ? "archived" : key.ExpiresAt <= now ? "expired" : usage?.Status ?? "active",
        "api",
        LimitsJson.RateViews(key.Limits),
        LimitsJson.UsageView(key.Limits),
        0,
        key.Scopes,
        new ApiKeyDefaults(key.DefaultConfigSlug, key.DefaultMetadata),
        [],
        key.ExpiresAt,
        key.CreatedAt,
        key.UpdatedAt,
        key.Limits.MaxConcurrentRequests,
        usage,
        "api-key");
}
