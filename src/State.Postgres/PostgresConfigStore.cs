using Dapper;
using Npgsql;

namespace Switchyard.State.Postgres;

/// <summary>
/// Versioned configs: one row per version, the store numbering them. Reads return the latest version of a slug; a
/// delete removes every version, and a later save of that slug starts again at 1.
/// </summary>
internal sealed class PostgresConfigStore(NpgsqlDataSource dataSource) : IConfigStore
{
    // The workspace lock below makes a version collision impossible between savers; the guard turns one into a
    // conflict all the same should another writer (a restore, a hand edit) ever take the number.
    public Task<SavedConfig> SaveAsync(SavedConfig config, CancellationToken cancellationToken) =>
        PostgresConflict.GuardAsync(
            () => ChangeTransaction.RunAsync(dataSource, async (connection, transaction) =>
            {
                // Two saves of one slug must not both read version N and both write N+1. Locking the workspace row
                // serialises config saves within a workspace (rare, admin-driven), including a slug's very first save, when
                // there is no config row yet to lock. NO KEY UPDATE still lets other writers insert keys that reference it.
                var locked = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
                    "SELECT id FROM switchyard.workspaces WHERE id = @WorkspaceId FOR NO KEY UPDATE",
                    new { config.WorkspaceId }, transaction, cancellationToken: cancellationToken));
                if (locked is null)
                {
                    throw new InvalidOperationException($"There is no workspace '{config.WorkspaceId}' to save the config '{config.Slug}' in.");
                }

                var version = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
                    """
                    INSERT INTO switchyard.configs (workspace_id, slug, version, id, name, config_json, is_default, created_at, updated_at)
                    SELECT @WorkspaceId, @Slug, coalesce(max(version), 0) + 1, @Id, @Name, @ConfigJson, @IsDefault, @CreatedAt, @UpdatedAt
                    FROM switchyard.configs
                    WHERE workspace_id = @WorkspaceId AND slug = @Slug
                    RETURNING version
                    """,
                    new
                    {
                        config.WorkspaceId,
                        config.Slug,
                        config.Id,
                        config.Name,
                        config.ConfigJson,
                        config.IsDefault,
                        CreatedAt = StateTime.Write(config.CreatedAt),
                        UpdatedAt = StateTime.Write(config.UpdatedAt),
                    },
                    transaction, cancellationToken: cancellationToken));
                return (config with { Version = version }, new ChangeNotice(ChangeNotice.ConfigKind, config.WorkspaceId, config.Slug));
            }, cancellationToken),
            _ => $"a concurrent save took the next version of config '{config.Slug}' in workspace '{config.WorkspaceId}'");

    public async Task<SavedConfig?> GetAsync(string workspaceId, string slug, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<ConfigRow>(new CommandDefinition(
            $"""
            SELECT {StoredColumns.Config} FROM switchyard.configs
            WHERE workspace_id = @WorkspaceId AND slug = @Slug
            ORDER BY version DESC
            LIMIT 1
            """,
            new { WorkspaceId = workspaceId, Slug = slug }, cancellationToken: cancellationToken));
        return row?.ToRecord();
    }

    public async Task<IReadOnlyList<SavedConfig>> ListAsync(string workspaceId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await LatestAsync(connection, null, workspaceId, cancellationToken);
    }

    public async Task<IReadOnlyList<SavedConfig>> VersionsAsync(string workspaceId, string slug, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ConfigRow>(new CommandDefinition(
            $"SELECT {StoredColumns.Config} FROM switchyard.configs WHERE workspace_id = @WorkspaceId AND slug = @Slug ORDER BY version",
            new { WorkspaceId = workspaceId, Slug = slug }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToRecord())];
    }

    public Task<bool> DeleteAsync(string workspaceId, string slug, CancellationToken cancellationToken) =>
        ChangeTransaction.RunAsync(dataSource, async (connection, transaction) =>
        {
            var deleted = await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM switchyard.configs WHERE workspace_id = @WorkspaceId AND slug = @Slug",
                new { WorkspaceId = workspaceId, Slug = slug }, transaction, cancellationToken: cancellationToken));
            return (deleted > 0, deleted > 0 ? new ChangeNotice(ChangeNotice.ConfigKind, workspaceId, slug) : null);
        }, cancellationToken);

    /// <summary>The latest version of every slug, of one workspace or (null) of all; the snapshot reads it in its own transaction.</summary>
    internal static async Task<IReadOnlyList<SavedConfig>> LatestAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string? workspaceId, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<ConfigRow>(new CommandDefinition(
            $"""
            SELECT DISTINCT ON (workspace_id, slug) {StoredColumns.Config} FROM switchyard.configs
            WHERE @WorkspaceId::text IS NULL OR workspace_id = @WorkspaceId
            ORDER BY workspace_id, slug, version DESC
            """,
            new { WorkspaceId = workspaceId }, transaction, cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToRecord())];
    }
}
