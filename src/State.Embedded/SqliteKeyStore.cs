using Dapper;

namespace Switchyard.State.Embedded;

/// <summary>
/// Workspaces, API keys and virtual keys in SQLite. Every per-workspace read and write carries the workspace id in
/// its WHERE clause, so a caller holding one tenant's id can never see or change another's records.
/// Duplicates (id, workspace slug, key hash, virtual key slug in a workspace) are refused by unique indexes and
/// surface as <see cref="StateConflictException"/> naming what collided.
/// </summary>
internal sealed class SqliteKeyStore(SqliteDatabase database) : IKeyStore
{
    /// <summary>The shared workspace columns and this store's <c>log_policy</c> (schema version 4).</summary>
    private const string WorkspaceColumns = StoredColumns.Workspace + ", log_policy AS LogPolicy";

    public async Task<Workspace> AddWorkspaceAsync(Workspace workspace, CancellationToken cancellationToken)
    {
        var row = WorkspaceRow.From(workspace);
        await SqliteConflict.GuardAsync(
            () => database.ExecuteAsync(
                """
                INSERT INTO workspaces (id, slug, name, description, default_metadata, limits, archived, created_at, updated_at, price_overrides, log_policy)
                VALUES (@Id, @Slug, @Name, @Description, @DefaultMetadata, @Limits, @Archived, @CreatedAt, @UpdatedAt, @PriceOverrides, @LogPolicy)
                """,
                row, cancellationToken),
            columns => StoredConflict.Workspace(workspace, columns));
        return row.ToRecord();
    }

    public async Task<Workspace?> GetWorkspaceAsync(string idOrSlug, CancellationToken cancellationToken)
    {
        // Ids and slugs live in different shapes (ws_… versus a name), but if one ever equals another's slug the id wins.
        var rows = await database.QueryAsync<WorkspaceRow>(
            $"SELECT {WorkspaceColumns} FROM workspaces WHERE id = @Value OR slug = @Value ORDER BY id = @Value DESC LIMIT 1",
            new { Value = idOrSlug }, cancellationToken);
        return rows.SingleOrDefault()?.ToRecord();
    }

    public async Task<IReadOnlyList<Workspace>> ListWorkspacesAsync(CancellationToken cancellationToken)
    {
        var rows = await database.QueryAsync<WorkspaceRow>($"SELECT {WorkspaceColumns} FROM workspaces ORDER BY slug", null, cancellationToken);
        return rows.Select(r => r.ToRecord()).ToList();
    }

    public async Task<bool> UpdateWorkspaceAsync(Workspace workspace, CancellationToken cancellationToken) =>
        await SqliteConflict.GuardAsync(
            () => database.ExecuteAsync(
                """
                UPDATE workspaces SET slug = @Slug, name = @Name, description = @Description, default_metadata = @DefaultMetadata,
                    limits = @Limits, archived = @Archived, created_at = @CreatedAt, updated_at = @UpdatedAt, price_overrides = @PriceOverrides,
                    log_policy = @LogPolicy
                WHERE id = @Id
                """,
                WorkspaceRow.From(workspace), cancellationToken),
            columns => StoredConflict.Workspace(workspace, columns)) > 0;

    public async Task<ApiKey> AddApiKeyAsync(ApiKey key, CancellationToken cancellationToken)
    {
        var row = ApiKeyRow.From(key);
        await SqliteConflict.GuardAsync(
            () => database.ExecuteAsync(
                """
                INSERT INTO api_keys (id, workspace_id, name, description, key_hash, hint, scopes, allowed_models, allowed_providers,
                    default_config_slug, default_metadata, limits, expires_at, revoked_at, created_at, updated_at, type)
                VALUES (@Id, @WorkspaceId, @Name, @Description, @KeyHash, @Hint, @Scopes, @AllowedModels, @AllowedProviders,
                    @DefaultConfigSlug, @DefaultMetadata, @Limits, @ExpiresAt, @RevokedAt, @CreatedAt, @UpdatedAt, @Type)
                """,
                row, cancellationToken),
            columns => StoredConflict.ApiKey(key, columns));
        return row.ToRecord();
    }

    public async Task<ApiKey?> GetApiKeyAsync(string workspaceId, string id, CancellationToken cancellationToken)
    {
        var rows = await database.QueryAsync<ApiKeyRow>(
            $"SELECT {StoredColumns.ApiKey} FROM api_keys WHERE workspace_id = @WorkspaceId AND id = @Id",
            new { WorkspaceId = workspaceId, Id = id }, cancellationToken);
        return rows.SingleOrDefault()?.ToRecord();
    }

    public async Task<ApiKey?> FindApiKeyByHashAsync(string keyHash, CancellationToken cancellationToken)
    {
        var rows = await database.QueryAsync<ApiKeyRow>(
            $"SELECT {StoredColumns.ApiKey} FROM api_keys WHERE key_hash = @KeyHash", new { KeyHash = keyHash }, cancellationToken);
        return rows.SingleOrDefault()?.ToRecord();
    }

    public async Task<IReadOnlyList<ApiKey>> ListApiKeysAsync(string workspaceId, CancellationToken cancellationToken)
    {
        var rows = await database.QueryAsync<ApiKeyRow>(
            $"SELECT {StoredColumns.ApiKey} FROM api_keys WHERE workspace_id = @WorkspaceId ORDER BY created_at, id",
            new { WorkspaceId = workspaceId }, cancellationToken);
        return rows.Select(r => r.ToRecord()).ToList();
    }

    public async Task<bool> UpdateApiKeyAsync(ApiKey key, CancellationToken cancellationToken) =>
        await SqliteConflict.GuardAsync(
            () => database.ExecuteAsync(
                """
                UPDATE api_keys SET name = @Name, description = @Description, key_hash = @KeyHash, hint = @Hint, scopes = @Scopes,
                    allowed_models = @AllowedModels, allowed_providers = @AllowedProviders, default_config_slug = @DefaultConfigSlug,
                    default_metadata = @DefaultMetadata, limits = @Limits, expires_at = @ExpiresAt, revoked_at = @RevokedAt,
                    created_at = @CreatedAt, updated_at = @UpdatedAt, type = @Type
                WHERE id = @Id AND workspace_id = @WorkspaceId
                """,
                ApiKeyRow.From(key), cancellationToken),
            columns => StoredConflict.ApiKey(key, columns)) > 0;

    public async Task<VirtualKey> AddVirtualKeyAsync(VirtualKey key, CancellationToken cancellationToken)
    {
        var row = VirtualKeyRow.From(key);
        await SqliteConflict.GuardAsync(
            () => database.ExecuteAsync(
                """
                INSERT INTO virtual_keys (id, workspace_id, slug, name, provider, secret_key_id, secret_nonce, secret_ciphertext, secret_tag,
                    hint, provider_options, note, limits, expires_at, created_at, updated_at)
                VALUES (@Id, @WorkspaceId, @Slug, @Name, @Provider, @SecretKeyId, @SecretNonce, @SecretCiphertext, @SecretTag,
                    @Hint, @ProviderOptions, @Note, @Limits, @ExpiresAt, @CreatedAt, @UpdatedAt)
                """,
                row, cancellationToken),
            columns => StoredConflict.VirtualKey(key, columns));
        return row.ToRecord();
    }

    public async Task<VirtualKey?> GetVirtualKeyAsync(string workspaceId, string slug, CancellationToken cancellationToken)
    {
        var rows = await database.QueryAsync<VirtualKeyRow>(
            $"SELECT {StoredColumns.VirtualKey} FROM virtual_keys WHERE workspace_id = @WorkspaceId AND slug = @Slug",
            new { WorkspaceId = workspaceId, Slug = slug }, cancellationToken);
        return rows.SingleOrDefault()?.ToRecord();
    }

    public async Task<IReadOnlyList<VirtualKey>> ListVirtualKeysAsync(string workspaceId, CancellationToken cancellationToken)
    {
        var rows = await database.QueryAsync<VirtualKeyRow>(
            $"SELECT {StoredColumns.VirtualKey} FROM virtual_keys WHERE workspace_id = @WorkspaceId ORDER BY slug",
            new { WorkspaceId = workspaceId }, cancellationToken);
        return rows.Select(r => r.ToRecord()).ToList();
    }

    public async Task<bool> UpdateVirtualKeyAsync(VirtualKey key, CancellationToken cancellationToken) =>
        await SqliteConflict.GuardAsync(
            () => database.ExecuteAsync(
                """
                UPDATE virtual_keys SET slug = @Slug, name = @Name, provider = @Provider, secret_key_id = @SecretKeyId,
                    secret_nonce = @SecretNonce, secret_ciphertext = @SecretCiphertext, secret_tag = @SecretTag, hint = @Hint,
                    provider_options = @ProviderOptions, note = @Note, limits = @Limits, expires_at = @ExpiresAt,
                    created_at = @CreatedAt, updated_at = @UpdatedAt
                WHERE id = @Id AND workspace_id = @WorkspaceId
                """,
                VirtualKeyRow.From(key), cancellationToken),
            columns => StoredConflict.VirtualKey(key, columns)) > 0;

    public async Task<bool> DeleteVirtualKeyAsync(string workspaceId, string slug, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            "DELETE FROM virtual_keys WHERE workspace_id = @WorkspaceId AND slug = @Slug",
            new { WorkspaceId = workspaceId, Slug = slug }, cancellationToken) > 0;

    public async Task<KeySnapshot> LoadSnapshotAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // One read transaction: under WAL it sees a single committed state, so a key never appears without its
        // workspace because a write landed between two of these queries.
        await using var transaction = connection.BeginTransaction(deferred: true);

        async Task<List<TRow>> All<TRow>(string sql) =>
            (await connection.QueryAsync<TRow>(new CommandDefinition(sql, null, transaction, cancellationToken: cancellationToken))).AsList();

        var workspaces = await All<WorkspaceRow>($"SELECT {WorkspaceColumns} FROM workspaces ORDER BY slug");
        var apiKeys = await All<ApiKeyRow>($"SELECT {StoredColumns.ApiKey} FROM api_keys ORDER BY workspace_id, created_at, id");
        var virtualKeys = await All<VirtualKeyRow>($"SELECT {StoredColumns.VirtualKey} FROM virtual_keys ORDER BY workspace_id, slug");
        var configs = await All<ConfigRow>(SqliteConfigStore.LatestVersionsSql(workspaceScoped: false));
        await transaction.CommitAsync(cancellationToken);

        return new KeySnapshot(
            workspaces.Select(r => r.ToRecord()).ToList(),
            apiKeys.Select(r => r.ToRecord()).ToList(),
            virtualKeys.Select(r => r.ToRecord()).ToList(),
            configs.Select(r => r.ToRecord()).ToList());
    }
}
