using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Switchyard.Gateway;
using Switchyard.Gateway.Routing;
using Switchyard.Gateway.Upstream;
using Switchyard.Providers.Catalog;
using Switchyard.State;

namespace Switchyard.FrontDoor.Admin;

/// <summary>
/// Portkey's <c>/v1/configs</c>: saved routing configs, validated with the gateway's own parser on every save (a 400
/// lists each problem with its JSON path), versioned (a PUT adds a version; the slug names the latest).
/// </summary>
internal static class ConfigEndpoints
{
    public static RouteGroupBuilder MapConfigEndpoints(this RouteGroupBuilder admin)
    {
        var group = admin.MapGroup("/configs");
        group.MapPost("", CreateAsync).RequireScope("configs.create");
        group.MapGet("", ListAsync).RequireScope("configs.list");
        group.MapGet("/{slug}", GetAsync).RequireScope("configs.read");
        group.MapPut("/{slug}", UpdateAsync).RequireScope("configs.update");
        group.MapDelete("/{slug}", DeleteAsync).RequireScope("configs.delete");
        group.MapGet("/{slug}/versions", VersionsAsync).RequireScope("configs.read");
        return admin;
    }

    private static async Task<IResult> CreateAsync(
        HttpRequest request, IKeyStore keys, IConfigStore configs, ConfigRules rules, AdminAudit audit, TimeProvider time, CancellationToken cancellationToken)
    {
        var (body, problem) = await AdminBody.ReadAsync(request, cancellationToken);
        if (body is null)
        {
            return AdminResults.Invalid(problem!);
        }

        var name = body.String("name", required: true);
        var isDefault = body.Flag("is_default") ?? false;
        var configJson = ReadConfig(body, rules, required: true);
        if (body.Errors.Count > 0)
        {
            return AdminResults.Invalid(body.Errors);
        }

        var (workspace, scopeProblem) = await WorkspaceScope.ForCreateAsync(keys, request, body, cancellationToken);
        if (workspace is null)
        {
            return scopeProblem!;
        }

        var now = time.GetUtcNow();
        var saved = await configs.SaveAsync(
            new SavedConfig(Guid.NewGuid().ToString(), workspace.Id, AdminSlugs.New("pc", name!), name!, configJson!, 1, isDefault, now, now),
            cancellationToken);
        await audit.RecordAsync(request.HttpContext, "configs.create", AuditNames.Config, saved.Id, saved.WorkspaceId, null, AuditJson(saved));
        return AdminResults.Ok(
            new CreatedConfig(saved.Id, AdminSlugs.VersionId(saved.Id, saved.Version), saved.Slug, "config", true),
            AdminJsonContext.Default.CreatedConfig);
    }

    private static Task<IResult> ListAsync(HttpRequest request, IKeyStore keys, IConfigStore configs, CancellationToken cancellationToken) =>
        WorkspaceScope.ListAsync(keys, request, configs.ListAsync, config => Task.FromResult(Summary(config)), AdminJsonContext.Default.AdminListConfigSummary, cancellationToken);

    private static async Task<IResult> GetAsync(string slug, HttpRequest request, IKeyStore keys, IConfigStore configs, CancellationToken cancellationToken)
    {
        var (config, problem) = await FindAsync(slug, request, keys, configs, cancellationToken);
        if (config is null)
        {
            return problem!;
        }

        var first = (await configs.VersionsAsync(config.WorkspaceId, config.Slug, cancellationToken))[0];
        using var document = JsonDocument.Parse(ConfigSecrets.Redact(config.ConfigJson)!.ToJsonString());
        return AdminResults.Ok(
            new ConfigView(
                config.Id, config.Name, config.Slug, null, config.WorkspaceId, config.IsDefault ? 1 : 0, "active", null, null,
                first.CreatedAt, config.UpdatedAt, document.RootElement.Clone(), "json", "ROUTING_CONFIG",
                AdminSlugs.VersionId(config.Id, config.Version), config.Version, "config"),
            AdminJsonContext.Default.ConfigView);
    }

    private static async Task<IResult> UpdateAsync(
        string slug, HttpRequest request, IKeyStore keys, IConfigStore configs, ConfigRules rules, AdminAudit audit, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var (body, bodyProblem) = await AdminBody.ReadAsync(request, cancellationToken);
        if (body is null)
        {
            return AdminResults.Invalid(bodyProblem!);
        }

        var (config, problem) = await FindAsync(slug, request, keys, configs, cancellationToken);
        if (config is null)
        {
            return problem!;
        }

        var name = body.Has("name") ? body.String("name", required: true) : config.Name;
        var isDefault = body.Flag("is_default") ?? config.IsDefault;
        var configJson = body.Has("config") ? ReadConfig(body, rules, required: true) : config.ConfigJson;
        if (body.Errors.Count > 0)
        {
            return AdminResults.Invalid(body.Errors);
        }

        var saved = await configs.SaveAsync(
            config with { Name = name!, ConfigJson = configJson!, IsDefault = isDefault, UpdatedAt = time.GetUtcNow() },
            cancellationToken);
        await audit.RecordAsync(request.HttpContext, "configs.update", AuditNames.Config, saved.Id, saved.WorkspaceId, AuditJson(config), AuditJson(saved));
        return AdminResults.Ok(new UpdatedConfig(AdminSlugs.VersionId(saved.Id, saved.Version), "config", true), AdminJsonContext.Default.UpdatedConfig);
    }

    private static async Task<IResult> DeleteAsync(
        string slug, HttpRequest request, IKeyStore keys, IConfigStore configs, AdminAudit audit, CancellationToken cancellationToken)
    {
        var (config, problem) = await FindAsync(slug, request, keys, configs, cancellationToken);
        if (config is null)
        {
            return problem!;
        }

        await configs.DeleteAsync(config.WorkspaceId, config.Slug, cancellationToken);
        await audit.RecordAsync(request.HttpContext, "configs.delete", AuditNames.Config, config.Id, config.WorkspaceId, AuditJson(config), null);
        return AdminResults.Done();
    }

    private static async Task<IResult> VersionsAsync(string slug, HttpRequest request, IKeyStore keys, IConfigStore configs, CancellationToken cancellationToken)
    {
        var (config, problem) = await FindAsync(slug, request, keys, configs, cancellationToken);
        if (config is null)
        {
            return problem!;
        }

        var versions = (await configs.VersionsAsync(config.WorkspaceId, config.Slug, cancellationToken))
            .Select(v =>
            {
                var versionId = AdminSlugs.VersionId(v.Id, v.Version);
                return new ConfigVersionView(versionId, v.Id, versionId, v.Version, v.Name, ConfigSecrets.Redact(v.ConfigJson)!.ToJsonString(), v.UpdatedAt, "config-version");
            })
            .ToList();
        return AdminResults.List(versions, versions.Count, AdminJsonContext.Default.AdminListConfigVersionView);
    }

    private static async Task<(SavedConfig? Config, IResult? Problem)> FindAsync(
        string slug, HttpRequest request, IKeyStore keys, IConfigStore configs, CancellationToken cancellationToken)
    {
        var (workspaces, problem) = await WorkspaceScope.ForLookupAsync(keys, request, cancellationToken);
        if (problem is not null)
        {
            return (null, problem);
        }

        foreach (var workspace in workspaces)
        {
            if (await configs.GetAsync(workspace.Id, slug, cancellationToken) is { } config)
            {
                return (config, null);
            }
        }

        return (null, AdminResults.NotFound($"Config '{slug}'"));
    }

    /// <summary>The <c>config</c> field (an object, or a string holding one) as JSON text, after the gateway's parser accepts it.</summary>
    internal static string? ReadConfig(AdminBody body, ConfigRules rules, bool required)
    {
        string text;
        switch (body.Field("config"))
        {
            case { ValueKind: JsonValueKind.Object } value:
                text = value.GetRawText();
                break;
            case { ValueKind: JsonValueKind.String } value:
                text = value.GetString()!;
                break;
            case null or { ValueKind: JsonValueKind.Null } when required:
                body.Errors.Add("config: is required (a routing config object)");
                return null;
            default:
                body.Errors.Add("config: must be a routing config object");
                return null;
        }

        var result = RoutingConfigParser.Parse(Encoding.UTF8.GetBytes(text), rules.Context);
        body.Errors.AddRange(result.Errors);
        return result.IsValid ? text : null;
    }

    /// <summary>A config's audit view: the summary, its version and the routing config (configs hold no secrets beyond what routing needs; provider keys belong in virtual keys).</summary>
    internal static string AuditJson(SavedConfig config) => AdminAudit.Json(
        new ConfigAuditView(Summary(config), config.Version, JsonDocument.Parse(ConfigSecrets.Redact(config.ConfigJson)!.ToJsonString()).RootElement.Clone()),
        AdminJsonContext.Default.ConfigAuditView);

    private static ConfigSummary Summary(SavedConfig config) => new(
        config.Id, config.Name, config.Slug, null, config.WorkspaceId, config.IsDefault ? 1 : 0, "active", null, null,
        config.CreatedAt, config.UpdatedAt, "config");
}

/// <summary>
/// What a saved config is checked against: the providers this gateway serves, its custom-host rules and retry cap.
/// A leaf may leave out the provider, because the request that uses the config can name it by header.
/// </summary>
internal sealed class ConfigRules(ProviderCatalog catalog, CustomHostPolicy customHosts, IOptions<GatewayOptions> options)
{
    public ConfigValidationContext Context { get; } = new(
        slug => catalog.TryGet(slug, out _), customHosts.Check, HasDefaultProvider: true, options.Value.MaxRetryAttempts);
}
