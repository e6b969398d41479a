using Switchyard.Gateway.Security;
using Switchyard.Providers.Catalog;
using Switchyard.State;

namespace Switchyard.FrontDoor.Admin;

/// <summary>
/// Portkey's <c>/v1/virtual-keys</c>: provider secrets sealed under the master key, bound to
/// <c>&lt;workspace id&gt;/&lt;slug&gt;</c>. No read returns the secret, only <c>masked_api_key</c>; a PUT with
/// <c>key</c> rotates it and keeps the slug.
/// </summary>
internal static class VirtualKeyEndpoints
{
    // Portkey's body fields (snake_case as Node sends them; camelCase is looked up too) → the provider option names
    // the routing config uses.
    private static readonly (string Field, string Option)[] ProviderOptionFields =
    [
        ("resource_name", "azure_resource_name"),
        ("deployment_name", "azure_deployment_id"),
        ("api_version", "azure_api_version"),
        ("azure_auth_mode", "azure_auth_mode"),
        ("aws_region", "aws_region"),
        ("aws_auth_type", "aws_auth_type"),
        ("aws_role_arn", "aws_role_arn"),
        ("aws_external_id", "aws_external_id"),
    ];

    public static RouteGroupBuilder MapVirtualKeyEndpoints(this RouteGroupBuilder admin)
    {
        var group = admin.MapGroup("/virtual-keys");
        group.MapPost("", CreateAsync).RequireScope("virtual_keys.create");
        group.MapGet("", ListAsync).RequireScope("virtual_keys.list");
        group.MapGet("/{slug}", GetAsync).RequireScope("virtual_keys.read");
        group.MapPut("/{slug}", UpdateAsync).RequireScope("virtual_keys.update");
        group.MapDelete("/{slug}", DeleteAsync).RequireScope("virtual_keys.delete");
        return admin;
    }

    private static async Task<IResult> CreateAsync(
        HttpRequest request, IKeyStore keys, IServiceProvider services, ProviderCatalog catalog, AdminAudit audit, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var (body, problem) = await AdminBody.ReadAsync(request, cancellationToken);
        if (body is null)
        {
            return AdminResults.Invalid(problem!);
        }

        var name = body.String("name", required: true);
        var provider = body.String("provider", required: true);
        if (provider is { Length: > 0 } && !catalog.TryGet(provider, out _))
        {
            body.Errors.Add($"provider: '{provider}' is not a provider this gateway serves");
        }

        var secret = body.String("key", required: true);
        var note = body.String("note");
        var slug = body.String("slug");
        if (slug is not null && !AdminSlugs.IsValid(slug))
        {
            body.Errors.Add("slug: must be 1-64 of a-z, 0-9, '-' and '_'");
        }

        var options = ReadProviderOptions(body, new Dictionary<string, string>());
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

        if (!TryVault(services, out var vault, out var vaultProblem))
        {
            return vaultProblem!;
        }

        slug ??= AdminSlugs.New(null, name!);
        if (await keys.GetVirtualKeyAsync(workspace.Id, slug, cancellationToken) is not null)
        {
            return AdminResults.Conflict($"A virtual key with slug '{slug}' already exists in this workspace.");
        }

        var now = time.GetUtcNow();
        var key = await keys.AddVirtualKeyAsync(
            new VirtualKey(
                Guid.NewGuid().ToString(), workspace.Id, slug, name!, provider!, vault.Seal(secret!, BoundTo(workspace.Id, slug)),
                ApiKeySecrets.MaskSecret(secret!), options, note, limits, expiresAt, now, now),
            cancellationToken);
        await audit.RecordAsync(request.HttpContext, "virtual_keys.create", AuditNames.VirtualKey, key.Id, key.WorkspaceId, null, AuditJson(key, now));
        return AdminResults.Ok(new CreatedVirtualKey(key.Id, key.Slug, "virtual-key"), AdminJsonContext.Default.CreatedVirtualKey);
    }

    private static Task<IResult> ListAsync(HttpRequest request, IKeyStore keys, AdminUsage usage, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return WorkspaceScope.ListAsync(
            keys,
            request,
            keys.ListVirtualKeysAsync,
            async key => View(key, now, await usage.ForAsync(GovernedKind.VirtualKey, key.Id, key.Limits, cancellationToken)),
            AdminJsonContext.Default.AdminListVirtualKeyView,
            cancellationToken);
    }

    private static async Task<IResult> GetAsync(string slug, HttpRequest request, IKeyStore keys, AdminUsage usage, TimeProvider time, CancellationToken cancellationToken)
    {
        var (key, problem) = await FindAsync(slug, request, keys, cancellationToken);
        return key is null
            ? problem!
            : AdminResults.Ok(
                View(key, time.GetUtcNow(), await usage.ForAsync(GovernedKind.VirtualKey, key.Id, key.Limits, cancellationToken)),
                AdminJsonContext.Default.VirtualKeyView);
    }

    private static async Task<IResult> UpdateAsync(
        string slug, HttpRequest request, IKeyStore keys, AdminLimits pushLimits, IServiceProvider services, AdminAudit audit, TimeProvider time, CancellationToken cancellationToken)
    {
        var (body, bodyProblem) = await AdminBody.ReadAsync(request, cancellationToken);
        if (body is null)
        {
            return AdminResults.Invalid(bodyProblem!);
        }

        var (key, problem) = await FindAsync(slug, request, keys, cancellationToken, body);
        if (key is null)
        {
            return problem!;
        }

        var name = body.Has("name") ? body.String("name", required: true) : key.Name;
        var note = body.Has("note") ? body.String("note") : key.Note;
        var secret = body.Has("key") ? body.String("key", required: true) : null;
        var options = ReadProviderOptions(body, key.ProviderOptions);
        var expiresAt = body.Instant("expires_at", out var expiresGiven);
        var limits = LimitsJson.Read(body, key.Limits);
        if (body.Errors.Count > 0)
        {
            return AdminResults.Invalid(body.Errors);
        }

        var updated = key with
        {
            Name = name!,
            Note = note,
            ProviderOptions = options,
            Limits = limits,
            ExpiresAt = expiresGiven ? expiresAt : key.ExpiresAt,
            UpdatedAt = time.GetUtcNow(),
        };
        if (secret is not null)
        {
            if (!TryVault(services, out var vault, out var vaultProblem))
            {
                return vaultProblem!;
            }

            updated = updated with { Secret = vault.Seal(secret, BoundTo(key.WorkspaceId, key.Slug)), Hint = ApiKeySecrets.MaskSecret(secret) };
        }

        await keys.UpdateVirtualKeyAsync(updated, cancellationToken);
        await audit.RecordAsync(
            request.HttpContext, "virtual_keys.update", AuditNames.VirtualKey, key.Id, key.WorkspaceId, AuditJson(key, updated.UpdatedAt), AuditJson(updated, updated.UpdatedAt));
        await pushLimits.ChangedAsync(GovernedKind.VirtualKey, key.Id, cancellationToken);
        return AdminResults.Done();
    }

    private static async Task<IResult> DeleteAsync(string slug, HttpRequest request, IKeyStore keys, AdminLimits pushLimits, AdminAudit audit, TimeProvider time, CancellationToken cancellationToken)
    {
        var (key, problem) = await FindAsync(slug, request, keys, cancellationToken);
        if (key is null)
        {
            return problem!;
        }

        await keys.DeleteVirtualKeyAsync(key.WorkspaceId, key.Slug, cancellationToken);
        await audit.RecordAsync(request.HttpContext, "virtual_keys.delete", AuditNames.VirtualKey, key.Id, key.WorkspaceId, AuditJson(key, time.GetUtcNow()), null);
        await pushLimits.ChangedAsync(GovernedKind.VirtualKey, key.Id, cancellationToken);
        return AdminResults.Done();
    }

    /// <summary>The associated data a secret is sealed with, so a sealed secret copied onto another record will not open.</summary>
    internal static string BoundTo(string workspaceId, string slug) => $"{workspaceId}/{slug}";

    private static async Task<(VirtualKey? Key, IResult? Problem)> FindAsync(
        string slug, HttpRequest request, IKeyStore keys, CancellationToken cancellationToken, AdminBody? body = null)
    {
        IReadOnlyList<Workspace> workspaces;
        if (body is not null && WorkspaceScope.Requested(request, body) is { } requested)
        {
            var workspace = await keys.GetWorkspaceAsync(requested, cancellationToken);
            if (workspace is null)
            {
                return (null, AdminResults.WorkspaceNotFound(requested));
            }

            if (!AdminCaller.Of(request.HttpContext).Sees(workspace.Id))
            {
                return (null, WorkspaceScope.OtherWorkspace());
            }

            workspaces = [workspace];
        }
        else
        {
            (workspaces, var problem) = await WorkspaceScope.ForLookupAsync(keys, request, cancellationToken);
            if (problem is not null)
            {
                return (null, problem);
            }
        }

        var found = new List<VirtualKey>();
        foreach (var workspace in workspaces)
        {
            if (await keys.GetVirtualKeyAsync(workspace.Id, slug, cancellationToken) is { } key)
            {
                found.Add(key);
            }
        }

        return found.Count switch
        {
            0 => (null, AdminResults.NotFound($"Virtual key '{slug}'")),
            1 => (found[0], null),
            _ => (null, AdminResults.Invalid($"workspace_id: virtual key '{slug}' exists in {found.Count} workspaces; say which")),
        };
    }

    internal static IReadOnlyDictionary<string, string> ReadProviderOptions(AdminBody body, IReadOnlyDictionary<string, string> current)
    {
        var options = new Dictionary<string, string>(current, StringComparer.Ordinal);
        foreach (var (field, option) in ProviderOptionFields)
        {
            if (!body.Has(field))
            {
                continue;
            }

            if (body.String(field) is { Length: > 0 } value)
            {
                options[option] = value;
            }
            else
            {
                options.Remove(option);
            }
        }

        return options;
    }

    private static bool TryVault(IServiceProvider services, out SecretVault vault, out IResult? problem)
    {
        try
        {
            vault = services.GetRequiredService<SecretVault>();
            problem = null;
            return true;
        }
        catch (InvalidOperationException ex)
        {
            vault = null!;
            problem = AdminResults.Failure(ex.Message);
            return false;
        }
    }

    internal static string AuditJson(VirtualKey key, DateTimeOffset now) => AdminAudit.Json(View(key, now, null), AdminJsonContext.Default.VirtualKeyView);

    internal static VirtualKeyView View(VirtualKey key, DateTimeOffset now, UsageView? usage) => new(
        key.Id,
        key.Name,
        key.Slug,
        key.Note,
        key.ExpiresAt <= now ? "expired" : usage?.Status ?? "active",
        key.WorkspaceId,
        key.Provider,
        key.Hint,
        key.ProviderOptions,
        LimitsJson.UsageView(key.Limits),
        0,
        LimitsJson.RateViews(key.Limits),
        key.ExpiresAt,
        key.CreatedAt,
        key.UpdatedAt,
        key.Limits.MaxConcurrentRequests,
        usage,
        "virtual-key");
}
