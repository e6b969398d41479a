using System.Text.Json;
using Switchyard.Gateway.Security;
using Switchyard.State;

namespace Switchyard.FrontDoor.Admin;

/// <summary>
/// Portkey's <c>/v1/api-keys</c>: the keys clients present. The full key is in the create response only; the store
/// keeps its SHA-256, and reads show the hint (<c>sk-sy-ab…yz</c>). DELETE revokes (the record stays, marked archived).
/// </summary>
internal static class ApiKeyEndpoints
{
    public static RouteGroupBuilder MapApiKeyEndpoints(this RouteGroupBuilder admin)
    {
        var group = admin.MapGroup("/api-keys");
        group.MapPost("/{type}/{subType}", CreateAsync);
        group.MapGet("", ListAsync);
        group.MapGet("/{id}", GetAsync);
        group.MapPut("/{id}", UpdateAsync);
        group.MapDelete("/{id}", RevokeAsync);
        return admin;
    }

    private static async Task<IResult> CreateAsync(string type, string subType, HttpRequest request, IKeyStore keys, TimeProvider time, CancellationToken cancellationToken)
    {
        if ((type, subType) is not ("workspace", "service"))
        {
            return AdminResults.Invalid(type is "organisation" or "workspace" && subType is "user" or "service"
                ? $"/api-keys/{type}/{subType}: only workspace service keys are built so far (organisation keys and user keys come with admin-scoped keys and users)"
                : $"/api-keys/{type}/{subType}: type must be organisation or workspace, sub-type user or service");
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

        var (workspace, scopeProblem) = await WorkspaceScope.ForCreateAsync(keys, request, body, cancellationToken);
        if (workspace is null)
        {
            return scopeProblem!;
        }

        var secret = ApiKeySecrets.Generate();
        var now = time.GetUtcNow();
        var key = await keys.AddApiKeyAsync(
            new ApiKey(
                Guid.NewGuid().ToString(), workspace.Id, name!, description, ApiKeySecrets.Hash(secret), ApiKeySecrets.Hint(secret),
                scopes!, null, null, configId, metadata, limits, expiresAt, null, now, now),
            cancellationToken);
        return AdminResults.Ok(new CreatedApiKey(key.Id, secret, "api-key"), AdminJsonContext.Default.CreatedApiKey);
    }

    private static Task<IResult> ListAsync(HttpRequest request, IKeyStore keys, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return WorkspaceScope.ListAsync(keys, request, keys.ListApiKeysAsync, key => View(key, now), AdminJsonContext.Default.AdminListApiKeyView, cancellationToken);
    }

    private static async Task<IResult> GetAsync(string id, HttpRequest request, IKeyStore keys, TimeProvider time, CancellationToken cancellationToken)
    {
        var (key, problem) = await FindAsync(id, request, keys, cancellationToken);
        return key is null ? problem! : AdminResults.Ok(View(key, time.GetUtcNow()), AdminJsonContext.Default.ApiKeyView);
    }

    private static async Task<IResult> UpdateAsync(string id, HttpRequest request, IKeyStore keys, TimeProvider time, CancellationToken cancellationToken)
    {
        var (body, bodyProblem) = await AdminBody.ReadAsync(request, cancellationToken);
        if (body is null)
        {
            return AdminResults.Invalid(bodyProblem!);
        }

        var (key, problem) = await FindAsync(id, request, keys, cancellationToken);
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

        await keys.UpdateApiKeyAsync(
            key with
            {
                Name = name!,
                Description = description,
                Scopes = scopes!,
                DefaultConfigSlug = configId,
                DefaultMetadata = metadata,
                Limits = limits,
                ExpiresAt = expiresGiven ? expiresAt : key.ExpiresAt,
                UpdatedAt = time.GetUtcNow(),
            },
            cancellationToken);
        return AdminResults.Done();
    }

    private static async Task<IResult> RevokeAsync(string id, HttpRequest request, IKeyStore keys, TimeProvider time, CancellationToken cancellationToken)
    {
        var (key, problem) = await FindAsync(id, request, keys, cancellationToken);
        if (key is null)
        {
            return problem!;
        }

        var now = time.GetUtcNow();
        await keys.UpdateApiKeyAsync(key with { RevokedAt = key.RevokedAt ?? now, UpdatedAt = now }, cancellationToken);
        return AdminResults.Done();
    }

    private static async Task<(ApiKey? Key, IResult? Problem)> FindAsync(string id, HttpRequest request, IKeyStore keys, CancellationToken cancellationToken)
    {
        var (workspaces, problem) = await WorkspaceScope.ForLookupAsync(keys, request, cancellationToken);
        if (problem is not null)
        {
            return (null, problem);
        }

        foreach (var workspace in workspaces)
        {
            if (await keys.GetApiKeyAsync(workspace.Id, id, cancellationToken) is { } key)
            {
                return (key, null);
            }
        }

        return (null, AdminResults.NotFound($"API key '{id}'"));
    }

    private static (string? ConfigId, IReadOnlyDictionary<string, string> Metadata) ReadDefaults(
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

    private static ApiKeyView View(ApiKey key, DateTimeOffset now) => new(
        key.Id,
        key.Hint,
        key.Name,
        key.Description,
        "workspace-service",
        null,
        key.WorkspaceId,
        null,
        key.RevokedAt is not null ? "archived" : key.ExpiresAt <= now ? "expired" : "active",
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
        "api-key");
}
