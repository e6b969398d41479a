using Dapper;
using Npgsql;
using Switchyard.State.Postgres;

namespace Switchyard.State.Tests.Postgres;

/// <summary>Rows written by a version-1 build still read after migrating to version 2, with the new fields at their defaults.</summary>
public sealed class PostgresSchemaV2Tests
{
    [Fact]
    public async Task Migrate_FromVersion1_OldRowsReadWithDefaults()
    {
        await using var backend = await PostgresBackend.OpenEmptyAsync();
        await using (var dataSource = NpgsqlDataSource.Create(backend.ConnectionString))
        {
            await new PostgresMigrator(dataSource, [SchemaMigrations.All[0]]).MigrateAsync(default);
        }

        const string OldLimits =
            """{"usage":{"cost_limit_usd":100,"token_limit":null,"period":"Monthly","time_zone":"UTC","alert_thresholds":[50,80],"hard":true},"rates":[],"max_concurrent_requests":null}""";
        await using (var connection = new NpgsqlConnection(backend.ConnectionString))
        {
            await connection.ExecuteAsync(
                """
                INSERT INTO switchyard.workspaces (id, slug, name, description, default_metadata, limits, archived, created_at, updated_at)
                VALUES ('ws_old', 'old', 'Old', NULL, '{}', @OldLimits::jsonb, false, now(), now());
                INSERT INTO switchyard.api_keys (id, workspace_id, name, description, key_hash, hint, scopes, allowed_models, allowed_providers,
                    default_config_slug, default_metadata, limits, expires_at, revoked_at, created_at, updated_at)
                VALUES ('key_old', 'ws_old', 'old key', NULL, 'hash-old', 'sk-sy-ol…dd', '[]', NULL, NULL, NULL, '{}', @OldLimits::jsonb,
                    NULL, NULL, now(), now());
                """,
                new { OldLimits });
        }

        await backend.Migrator.MigrateAsync(default);

        var workspace = await backend.Keys.GetWorkspaceAsync("ws_old", default);
        var key = await backend.Keys.GetApiKeyAsync("ws_old", "key_old", default);
        Assert.Empty(workspace!.PriceOverrides);
        Assert.Equal(100m, workspace.Limits.Usage!.CostLimitUsd);
        Assert.Null(workspace.Limits.Usage.AlertWebhookUrl);
        Assert.Equal(ApiKeyType.Workspace, key!.Type);
        Assert.Null(key.Limits.Usage!.AlertWebhookUrl);
    }

    [Fact]
    public void Conflict_EveryUniqueConstraintOfTheSchema_IsMapped()
    {
        Assert.Equal("slug", PostgresConflict.Columns("workspaces_slug_key"));
        Assert.Equal("workspace_id,slug", PostgresConflict.Columns("virtual_keys_workspace_id_slug_key"));
        Assert.Equal("key_hash", PostgresConflict.Columns("api_keys_key_hash_key"));
        Assert.Equal("", PostgresConflict.Columns(null));
    }

    [Fact]
    public async Task Schema_UniqueConstraintNames_AreTheOnesTheConflictMapKnows()
    {
        await using var backend = new PostgresBackend();
        await backend.InitializeAsync();
        await using var connection = new NpgsqlConnection(backend.ConnectionString);

        // Only tables of admin records can collide into a StateConflictException; the archived quota table cannot, nor can
        // the request log's tables (its writes skip or add to what exists).
        var names = (await connection.QueryAsync<string>(
            """
            SELECT conname FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
            WHERE n.nspname = 'switchyard' AND c.contype IN ('p', 'u') AND conrelid::regclass::text NOT IN (
                'switchyard.schema_version', 'switchyard.quota_usage', 'switchyard.request_logs', 'switchyard.log_rollup_minute',
                'switchyard.log_rollup_hour', 'switchyard.log_feedback', 'switchyard.log_exports')
            ORDER BY conname
            """)).ToList();

        Assert.Equal(
            ["api_keys_key_hash_key", "api_keys_pkey", "audit_log_id_key", "audit_log_pkey", "configs_pkey", "virtual_keys_pkey",
             "virtual_keys_workspace_id_slug_key", "workspaces_pkey", "workspaces_slug_key"],
            names);
        Assert.All(names.Where(n => n != "audit_log_pkey"), n => Assert.NotEqual("", PostgresConflict.Columns(n)));
    }
}
