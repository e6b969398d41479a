using Dapper;
using Npgsql;

namespace Switchyard.State.Postgres;

/// <summary>Workspaces, API keys and virtual keys in the <c>switchyard</c> schema; every write announces itself (<see cref="ChangeNotice"/>).</summary>
internal sealed class PostgresKeyStore(NpgsqlDataSource dataSource) : IKeyStore
{
    /// <summary>The workspace columns both stores read, and the request log's policy.</summary>
    private const string WorkspaceColumns = StoredColumns.Workspace + ", log_policy AS LogPolicy";

    public Task<Workspace> AddWorkspaceAsync(Workspace workspace, CancellationToken cancellationToken) =>
        PostgresConflict.GuardAsync(
            () => ChangeTransaction.RunAsync(dataSource, async (connection, transaction) =>
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    """
                    INSERT INTO switchyard.workspaces (id, slug, name, description, default_metadata, limits, archived, created_at, updated_at,
                        price_overrides, log_policy)
                    VALUES (@Id, @Slug, @Name, @Description, @DefaultMetadata::jsonb, @Limits::jsonb, @Archived, @CreatedAt, @UpdatedAt,
                        @PriceOverrides::jsonb, @LogPolicy::jsonb)
                    """,
                    WorkspaceRow.Parameters(workspace), transaction, cancellationToken: cancellationToken));
                return (workspace, WorkspaceNotice(workspace.Id));
            }, cancellationToken),
            columns => StoredConflict.Workspace(workspace, columns));

    public async Task<Workspace?> GetWorkspaceAsync(string idOrSlug, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);

        // An id wins over a slug that happens to spell the same text.
        var row = await connection.QuerySingleOrDefaultAsync<WorkspaceRow>(new CommandDefinition(
            $"SELECT {WorkspaceColumns} FROM switchyard.workspaces WHERE id = @IdOrSlug OR slug = @IdOrSlug ORDER BY id = @IdOrSlug DESC LIMIT 1",
            new { IdOrSlug = idOrSlug }, cancellationToken: cancellationToken));
        return row?.ToRecord();
    }

    public async Task<IReadOnlyList<Workspace>> ListWorkspacesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await ListWorkspacesAsync(connection, null, cancellationToken);
    }

    public Task<bool> UpdateWorkspaceAsync(Workspace workspace, CancellationToken cancellationToken) =>
        PostgresConflict.GuardAsync(
            () => ChangeTransaction.RunAsync(dataSource, async (connection, transaction) =>
            {
                var updated = await connection.ExecuteAsync(new CommandDefinition(
                    """
                    UPDATE switchyard.workspaces
                    SET slug = @Slug, name = @Name, description = @Description, default_metadata = @DefaultMetadata::jsonb,
                        limits = @Limits::jsonb, archived = @Archived, created_at = @CreatedAt, updated_at = @UpdatedAt,
                        price_overrides = @PriceOverrides::jsonb, log_policy = @LogPolicy::jsonb
                    WHERE id = @Id
                    """,
                    WorkspaceRow.Parameters(workspace), transaction, cancellationToken: cancellationToken));
                return (updated == 1, updated == 1 ? WorkspaceNotice(workspace.Id) : null);
            }, cancellationToken),
            columns => StoredConflict.Workspace(workspace, columns));

    public Task<ApiKey> AddApiKeyAsync(ApiKey key, CancellationToken cancellationToken) =>
        PostgresConflict.GuardAsync(
            () => ChangeTransaction.RunAsync(dataSource, async (connection, transaction) =>
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    """
                    INSERT INTO switchyard.api_keys (id, workspace_id, name, description, key_hash, hint, scopes, allowed_models,
                        allowed_providers, default_config_slug, default_metadata, limits, expires_at, revoked_at, created_at, updated_at, type)
                    VALUES (@Id, @WorkspaceId, @Name, @Description, @KeyHash, @Hint, @Scopes::jsonb, @AllowedModels::jsonb,
                        @AllowedProviders::jsonb, @DefaultConfigSlug, @DefaultMetadata::jsonb, @Limits::jsonb, @ExpiresAt, @RevokedAt,
                        @CreatedAt, @UpdatedAt, @Type)
                    """,
                    ApiKeyRow.Parameters(key), transaction, cancellationToken: cancellationToken));
                return (key, new ChangeNotice(ChangeNotice.ApiKeyKind, key.WorkspaceId, key.Id));
            }, cancellationToken),
            columns => StoredConflict.ApiKey(key, columns));

    public async Task<ApiKey?> GetApiKeyAsync(string workspaceId, string id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<ApiKeyRow>(new CommandDefinition(
            $"SELECT {StoredColumns.ApiKey} FROM switchyard.api_keys WHERE workspace_id = @WorkspaceId AND id = @Id",
            new { WorkspaceId = workspaceId, Id = id }, cancellationToken: cancellationToken));
        return row?.ToRecord();
    }

    public async Task<ApiKey?> FindApiKeyByHashAsync(string keyHash, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<ApiKeyRow>(new CommandDefinition(
            $"SELECT {StoredColumns.ApiKey} FROM switchyard.api_keys WHERE key_hash = @KeyHash",
            new { KeyHash = keyHash }, cancellationToken: cancellationToken));
        return row?.ToRecord();
    }

    public async Task<IReadOnlyList<ApiKey>> ListApiKeysAsync(string workspaceId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ApiKeyRow>(new CommandDefinition(
            $"SELECT {StoredColumns.ApiKey} FROM switchyard.api_keys WHERE workspace_id = @WorkspaceId ORDER BY created_at, id",
            new { WorkspaceId = workspaceId }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToRecord())];
    }

    public Task<bool> UpdateApiKeyAsync(ApiKey key, CancellationToken cancellationToken) =>
        PostgresConflict.GuardAsync(
            () => ChangeTransaction.RunAsync(dataSource, async (connection, transaction) =>
            {
                // Matching on the workspace too: an update can neither reach into another workspace nor move a key out of one.
                var updated = await connection.ExecuteAsync(new CommandDefinition(
                    """
                    UPDATE switchyard.api_keys
                    SET name = @Name, description = @Description, key_hash = @KeyHash, hint = @Hint, scopes = @Scopes::jsonb,
                        allowed_models = @AllowedModels::jsonb, allowed_providers = @AllowedProviders::jsonb,
                        default_config_slug = @DefaultConfigSlug, default_metadata = @DefaultMetadata::jsonb, limits = @Limits::jsonb,
                        expires_at = @ExpiresAt, revoked_at = @RevokedAt, created_at = @CreatedAt, updated_at = @UpdatedAt, type = @Type
                    WHERE workspace_id = @WorkspaceId AND id = @Id
                    """,
                    ApiKeyRow.Parameters(key), transaction, cancellationToken: cancellationToken));
                return (updated == 1, updated == 1 ? new ChangeNotice(ChangeNotice.ApiKeyKind, key.WorkspaceId, key.Id) : null);
            }, cancellationToken),
            columns => StoredConflict.ApiKey(key, columns));

    public Task<VirtualKey> AddVirtualKeyAsync(VirtualKey key, CancellationToken cancellationToken) =>
        PostgresConflict.GuardAsync(
            () => ChangeTransaction.RunAsync(dataSource, async (connection, transaction) =>
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    """
                    INSERT INTO switchyard.virtual_keys (id, workspace_id, slug, name, provider, secret_key_id, secret_nonce,
                        secret_ciphertext, secret_tag, hint, provider_options, note, limits, expires_at, created_at, updated_at)
                    VALUES (@Id, @WorkspaceId, @Slug, @Name, @Provider, @SecretKeyId, @SecretNonce, @SecretCiphertext, @SecretTag,
                        @Hint, @ProviderOptions::jsonb, @Note, @Limits::jsonb, @ExpiresAt, @CreatedAt, @UpdatedAt)
                    """,
                    VirtualKeyRow.Parameters(key), transaction, cancellationToken: cancellationToken));
                return (key, new ChangeNotice(ChangeNotice.VirtualKeyKind, key.WorkspaceId, key.Id));
            }, cancellationToken),
            columns => StoredConflict.VirtualKey(key, columns));

    public async Task<VirtualKey?> GetVirtualKeyAsync(string workspaceId, string slug, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<VirtualKeyRow>(new CommandDefinition(
            $"SELECT {StoredColumns.VirtualKey} FROM switchyard.virtual_keys WHERE workspace_id = @WorkspaceId AND slug = @Slug",
            new { WorkspaceId = workspaceId, Slug = slug }, cancellationToken: cancellationToken));
        return row?.ToRecord();
    }

    public async Task<IReadOnlyList<VirtualKey>> ListVirtualKeysAsync(string workspaceId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<VirtualKeyRow>(new CommandDefinition(
            $"SELECT {StoredColumns.VirtualKey} FROM switchyard.virtual_keys WHERE workspace_id = @WorkspaceId ORDER BY slug",
            new { WorkspaceId = workspaceId }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToRecord())];
    }

    public Task<bool> UpdateVirtualKeyAsync(VirtualKey key, CancellationToken cancellationToken) =>
        PostgresConflict.GuardAsync(
            () => ChangeTransaction.RunAsync(dataSource, async (connection, transaction) =>
            {
                var updated = await connection.ExecuteAsync(new CommandDefinition(
                    """
                    UPDATE switchyard.virtual_keys
                    SET slug = @Slug, name = @Name, provider = @Provider, secret_key_id = @SecretKeyId, secret_nonce = @SecretNonce,
                        secret_ciphertext = @SecretCiphertext, secret_tag = @SecretTag, hint = @Hint,
                        provider_options = @ProviderOptions::jsonb, note = @Note, limits = @Limits::jsonb, expires_at = @ExpiresAt,
                        created_at = @CreatedAt, updated_at = @UpdatedAt
                    WHERE workspace_id = @WorkspaceId AND id = @Id
                    """,
                    VirtualKeyRow.Parameters(key), transaction, cancellationToken: cancellationToken));
                return (updated == 1, updated == 1 ? new ChangeNotice(ChangeNotice.VirtualKeyKind, key.WorkspaceId, key.Id) : null);
            }, cancellationToken),
            columns => StoredConflict.VirtualKey(key, columns));

    public Task<bool> DeleteVirtualKeyAsync(string workspaceId, string slug, CancellationToken cancellationToken) =>
        ChangeTransaction.RunAsync(dataSource, async (connection, transaction) =>
        {
            var id = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
                "DELETE FROM switchyard.virtual_keys WHERE workspace_id = @WorkspaceId AND slug = @Slug RETURNING id",
                new { WorkspaceId = workspaceId, Slug = slug }, transaction, cancellationToken: cancellationToken));
            return (id is not null, id is null ? null : new ChangeNotice(ChangeNotice.VirtualKeyKind, workspaceId, id));
        }, cancellationToken);

    public async Task<KeySnapshot> LoadSnapshotAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);

        // One snapshot for all four reads: a key never appears without its workspace, whatever commits meanwhile.
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var workspaces = await ListWorkspacesAsync(connection, transaction, cancellationToken);
        var apiKeys = await connection.QueryAsync<ApiKeyRow>(new CommandDefinition(
            $"SELECT {StoredColumns.ApiKey} FROM switchyard.api_keys ORDER BY workspace_id, created_at, id",
            transaction: transaction, cancellationToken: cancellationToken));
        var virtualKeys = await connection.QueryAsync<VirtualKeyRow>(new CommandDefinition(
            $"SELECT {StoredColumns.VirtualKey} FROM switchyard.virtual_keys ORDER BY workspace_id, slug",
            transaction: transaction, cancellationToken: cancellationToken));
        var configs = await PostgresConfigStore.LatestAsync(connection, transaction, null, cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        return new KeySnapshot(
            workspaces, [.. apiKeys.Select(r => r.ToRecord())], [.. virtualKeys.Select(r => r.ToRecord())], configs);
    }

    private static async Task<IReadOnlyList<Workspace>> ListWorkspacesAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<WorkspaceRow>(new CommandDefinition(
            $"SELECT {WorkspaceColumns} FROM switchyard.workspaces ORDER BY created_at, id",
            transaction: transaction, cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToRecord())];
    }

    private static ChangeNotice WorkspaceNotice(string workspaceId) => new(ChangeNotice.WorkspaceKind, workspaceId, workspaceId);
}
