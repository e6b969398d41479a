using System.Text.Json.Nodes;
using Switchyard.FrontDoor.Admin;
using Switchyard.Gateway.Security;
using Switchyard.Providers.Catalog;
using Switchyard.State;

namespace Switchyard.FrontDoor.Bootstrap;

/// <summary>
/// Applies the bootstrap file idempotently: creates what is missing, updates what differs, leaves records the file
/// does not name alone. A config gets a new version only when it changed; a virtual key's secret is re-sealed only
/// when it differs from the stored one (compared by unsealing). Each change is audited with actor <c>bootstrap</c>.
/// </summary>
internal sealed partial class BootstrapApplier(
    IKeyStore keys,
    IConfigStore configs,
    ConfigRules rules,
    ProviderCatalog catalog,
    IServiceProvider services,
    AdminAudit audit,
    IConfiguration configuration,
    TimeProvider time,
    ILogger<BootstrapApplier> logger)
{
    private IKeyStore Keys => keys;

    private IConfigStore Configs => configs;

    private IServiceProvider Services => services;

    private AdminAudit Audit => audit;

    /// <summary>Reads and applies the file at <paramref name="path"/>; returns how many records it created or changed.</summary>
    public async Task<int> ApplyAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new BootstrapException($"the bootstrap file '{path}' does not exist");
        }

        var declared = BootstrapFile.Read(
            await File.ReadAllTextAsync(path, cancellationToken), name => configuration[name], rules, catalog, at => LogLiteralSecret(logger, path, at));
        var run = new Run(this, $"bootstrap-{Guid.NewGuid()}", time.GetUtcNow(), cancellationToken);
        foreach (var workspace in declared)
        {
            await run.ApplyAsync(workspace);
        }

        LogApplied(logger, path, run.Changes);
        return run.Changes;
    }

    private sealed class Run(BootstrapApplier owner, string requestId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        private SecretVault? _vault;

        public int Changes { get; private set; }

        public async Task ApplyAsync(DeclaredWorkspace declared)
        {
            var existing = await owner.Keys.GetWorkspaceAsync(declared.Slug, cancellationToken);
            Workspace workspace;
            if (existing is null)
            {
                workspace = await owner.Keys.AddWorkspaceAsync(
                    new Workspace(Guid.NewGuid().ToString(), declared.Slug, declared.Name, declared.Description, declared.DefaultMetadata, declared.Limits, false, now, now)
                    {
                        PriceOverrides = declared.PriceOverrides,
                    },
                    cancellationToken);
                await AuditAsync("workspaces.create", AuditNames.Workspace, workspace.Id, workspace.Id, null, WorkspaceEndpoints.AuditJson(workspace));
            }
            else
            {
                workspace = existing with
                {
                    Name = declared.Name,
                    Description = declared.Description,
                    DefaultMetadata = declared.DefaultMetadata,
                    Limits = declared.Limits,
                    PriceOverrides = declared.PriceOverrides,
                    Archived = false,
                };
                var before = WorkspaceEndpoints.AuditJson(existing);
                if (before != WorkspaceEndpoints.AuditJson(workspace))
                {
                    workspace = workspace with { UpdatedAt = now };
                    await owner.Keys.UpdateWorkspaceAsync(workspace, cancellationToken);
                    await AuditAsync("workspaces.update", AuditNames.Workspace, workspace.Id, workspace.Id, before, WorkspaceEndpoints.AuditJson(workspace));
                }
            }

            foreach (var key in declared.VirtualKeys)
            {
                await ApplyAsync(workspace, key);
            }

            foreach (var config in declared.Configs)
            {
                await ApplyAsync(workspace, config);
            }

            foreach (var key in declared.ApiKeys)
            {
                await ApplyAsync(workspace, key);
            }
        }

        private async Task ApplyAsync(Workspace workspace, DeclaredVirtualKey declared)
        {
            var vault = Vault(declared.Path);
            var boundTo = VirtualKeyEndpoints.BoundTo(workspace.Id, declared.Slug);
            var existing = await owner.Keys.GetVirtualKeyAsync(workspace.Id, declared.Slug, cancellationToken);
            if (existing is null)
            {
                var created = await owner.Keys.AddVirtualKeyAsync(
                    new VirtualKey(
                        Guid.NewGuid().ToString(), workspace.Id, declared.Slug, declared.Name, declared.Provider, vault.Seal(declared.Secret, boundTo),
                        ApiKeySecrets.MaskSecret(declared.Secret), declared.ProviderOptions, declared.Note, declared.Limits, declared.ExpiresAt, now, now),
                    cancellationToken);
                await AuditAsync("virtual_keys.create", AuditNames.VirtualKey, created.Id, workspace.Id, null, VirtualKeyEndpoints.AuditJson(created, now));
                return;
            }

            var updated = existing with
            {
                Name = declared.Name,
                Provider = declared.Provider,
                Note = declared.Note,
                ProviderOptions = declared.ProviderOptions,
                Limits = declared.Limits,
                ExpiresAt = declared.ExpiresAt,
            };
            var secretChanged = !SameSecret(vault, existing.Secret, boundTo, declared.Secret);
            if (secretChanged)
            {
                updated = updated with { Secret = vault.Seal(declared.Secret, boundTo), Hint = ApiKeySecrets.MaskSecret(declared.Secret) };
            }

            var before = VirtualKeyEndpoints.AuditJson(existing, now);
            if (secretChanged || before != VirtualKeyEndpoints.AuditJson(updated, now))
            {
                updated = updated with { UpdatedAt = now };
                await owner.Keys.UpdateVirtualKeyAsync(updated, cancellationToken);
                await AuditAsync("virtual_keys.update", AuditNames.VirtualKey, existing.Id, workspace.Id, before, VirtualKeyEndpoints.AuditJson(updated, now));
            }
        }

        private async Task ApplyAsync(Workspace workspace, DeclaredConfig declared)
        {
            var existing = await owner.Configs.GetAsync(workspace.Id, declared.Slug, cancellationToken);
            if (existing is null)
            {
                var created = await owner.Configs.SaveAsync(
                    new SavedConfig(Guid.NewGuid().ToString(), workspace.Id, declared.Slug, declared.Name, declared.ConfigJson, 1, declared.IsDefault, now, now),
                    cancellationToken);
                await AuditAsync("configs.create", AuditNames.Config, created.Id, workspace.Id, null, ConfigEndpoints.AuditJson(created));
                return;
            }

            // Compared as JSON values, so reformatting the file (key order aside) does not make a version.
            var sameJson = JsonNode.DeepEquals(JsonNode.Parse(existing.ConfigJson), JsonNode.Parse(declared.ConfigJson));
            if (sameJson && existing.Name == declared.Name && existing.IsDefault == declared.IsDefault)
            {
                return;
            }

            var saved = await owner.Configs.SaveAsync(
                existing with { Name = declared.Name, ConfigJson = sameJson ? existing.ConfigJson : declared.ConfigJson, IsDefault = declared.IsDefault, UpdatedAt = now },
                cancellationToken);
            await AuditAsync("configs.update", AuditNames.Config, saved.Id, workspace.Id, ConfigEndpoints.AuditJson(existing), ConfigEndpoints.AuditJson(saved));
        }

        private async Task ApplyAsync(Workspace workspace, DeclaredApiKey declared)
        {
            var hash = ApiKeySecrets.Hash(declared.Secret);
            var existing = await owner.Keys.FindApiKeyByHashAsync(hash, cancellationToken);
            if (existing is not null && existing.WorkspaceId != workspace.Id)
            {
                throw new BootstrapException($"{declared.Path}.key: this key already belongs to another workspace's API key '{existing.Name}'");
            }

            // Found by its secret, else by name (the secret was rotated in the environment): the record stays, its hash changes.
            existing ??= (await owner.Keys.ListApiKeysAsync(workspace.Id, cancellationToken))
                .FirstOrDefault(key => key.Name == declared.Name && key.Type == declared.Type && key.RevokedAt is null);
            if (existing is null)
            {
                var created = await owner.Keys.AddApiKeyAsync(
                    new ApiKey(
                        Guid.NewGuid().ToString(), workspace.Id, declared.Name, declared.Description, hash, ApiKeySecrets.Hint(declared.Secret),
                        declared.Scopes, null, null, declared.DefaultConfigSlug, declared.DefaultMetadata, declared.Limits, declared.ExpiresAt, null, now, now)
                    {
                        Type = declared.Type,
                    },
                    cancellationToken);
                await AuditAsync("api_keys.create", AuditNames.ApiKey, created.Id, workspace.Id, null, ApiKeyEndpoints.AuditJson(created, now));
                return;
            }

            var updated = existing with
            {
                Name = declared.Name,
                Description = declared.Description,
                KeyHash = hash,
                Hint = ApiKeySecrets.Hint(declared.Secret),
                Scopes = declared.Scopes,
                DefaultConfigSlug = declared.DefaultConfigSlug,
                DefaultMetadata = declared.DefaultMetadata,
                Limits = declared.Limits,
                ExpiresAt = declared.ExpiresAt,
                Type = declared.Type,
            };
            var before = ApiKeyEndpoints.AuditJson(existing, now);
            if (existing.KeyHash != hash || before != ApiKeyEndpoints.AuditJson(updated, now))
            {
                updated = updated with { UpdatedAt = now };
                await owner.Keys.UpdateApiKeyAsync(updated, cancellationToken);
                await AuditAsync("api_keys.update", AuditNames.ApiKey, existing.Id, workspace.Id, before, ApiKeyEndpoints.AuditJson(updated, now));
            }
        }

        private static bool SameSecret(SecretVault vault, SealedSecret sealedSecret, string boundTo, string secret)
        {
            try
            {
                return vault.Unseal(sealedSecret, boundTo) == secret;
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                // Sealed under another master key (or damaged): seal the declared secret afresh.
                return false;
            }
        }

        private SecretVault Vault(string path)
        {
            try
            {
                return _vault ??= owner.Services.GetRequiredService<SecretVault>();
            }
            catch (InvalidOperationException ex)
            {
                throw new BootstrapException($"{path}: cannot seal the provider secret: {ex.Message}", ex);
            }
        }

        private async Task AuditAsync(string action, string kind, string id, string workspaceId, string? before, string? after)
        {
            Changes++;
            await owner.Audit.RecordAsync(AdminAudit.BootstrapActor, requestId, action, kind, id, workspaceId, before, after, cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bootstrap file {File}: {Path} holds a literal secret; reference an environment variable (${{NAME}}) instead")]
    private static partial void LogLiteralSecret(ILogger logger, string file, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bootstrap file {File} applied: {Changes} records created or changed")]
    private static partial void LogApplied(ILogger logger, string file, int changes);
}
