namespace Switchyard.State.Embedded;

/// <summary>
/// Saved configs in SQLite, one row per version. The store assigns versions; reads by slug return the highest.
/// </summary>
internal sealed class SqliteConfigStore(SqliteDatabase database) : IConfigStore
{
    /// <summary>The latest version of each slug, in every workspace or (with <c>@WorkspaceId</c>) in one.</summary>
    internal static string LatestVersionsSql(bool workspaceScoped) =>
        $"""
        SELECT {StoredColumns.Config} FROM configs c
        WHERE {(workspaceScoped ? "c.workspace_id = @WorkspaceId AND " : "")}c.version =
            (SELECT MAX(m.version) FROM configs m WHERE m.workspace_id = c.workspace_id AND m.slug = c.slug)
        ORDER BY c.workspace_id, c.slug
        """;

    public async Task<SavedConfig> SaveAsync(SavedConfig config, CancellationToken cancellationToken)
    {
        var row = ConfigRow.From(config);
        // One statement reads the highest version and inserts the next, so two concurrent saves cannot pick the same
        // number (SQLite runs a write statement under the database's write lock); the primary key backs that up.
        row.Version = await SqliteConflict.GuardAsync(() => database.ExecuteScalarAsync<long>(
            """
            INSERT INTO configs (workspace_id, slug, version, id, name, config_json, is_default, created_at, updated_at)
            SELECT @WorkspaceId, @Slug, COALESCE(MAX(version), 0) + 1, @Id, @Name, @ConfigJson, @IsDefault, @CreatedAt, @UpdatedAt
            FROM configs WHERE workspace_id = @WorkspaceId AND slug = @Slug
            RETURNING version
            """,
            row, cancellationToken),
            _ => $"a concurrent save took the next version of config '{config.Slug}' in workspace '{config.WorkspaceId}'");
        return row.ToRecord();
    }

    public async Task<SavedConfig?> GetAsync(string workspaceId, string slug, CancellationToken cancellationToken)
    {
        var rows = await database.QueryAsync<ConfigRow>(
            $"SELECT {StoredColumns.Config} FROM configs WHERE workspace_id = @WorkspaceId AND slug = @Slug ORDER BY version DESC LIMIT 1",
            new { WorkspaceId = workspaceId, Slug = slug }, cancellationToken);
        return rows.SingleOrDefault()?.ToRecord();
    }

    public async Task<IReadOnlyList<SavedConfig>> ListAsync(string workspaceId, CancellationToken cancellationToken)
    {
        var rows = await database.QueryAsync<ConfigRow>(LatestVersionsSql(workspaceScoped: true), new { WorkspaceId = workspaceId }, cancellationToken);
        return rows.Select(r => r.ToRecord()).ToList();
    }

    public async Task<IReadOnlyList<SavedConfig>> VersionsAsync(string workspaceId, string slug, CancellationToken cancellationToken)
    {
        var rows = await database.QueryAsync<ConfigRow>(
            $"SELECT {StoredColumns.Config} FROM configs WHERE workspace_id = @WorkspaceId AND slug = @Slug ORDER BY version",
            new { WorkspaceId = workspaceId, Slug = slug }, cancellationToken);
        return rows.Select(r => r.ToRecord()).ToList();
    }

    /// <summary>Removes every version of the slug.</summary>
    public async Task<bool> DeleteAsync(string workspaceId, string slug, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            "DELETE FROM configs WHERE workspace_id = @WorkspaceId AND slug = @Slug",
            new { WorkspaceId = workspaceId, Slug = slug }, cancellationToken) > 0;
}
