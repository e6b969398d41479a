using Switchyard.State.Embedded;
using static Switchyard.State.Tests.Contracts.StoreSamples;

namespace Switchyard.State.Tests.Embedded;

/// <summary>Rows written by a version-1 build still read after migrating to version 2, with the new fields at their defaults.</summary>
public sealed class SqliteSchemaV2Tests
{
    [Fact]
    public async Task Migrate_FromVersion1_OldRowsReadWithDefaults()
    {
        await using var backend = SqliteBackend.CreateEmpty();
        var database = new SqliteDatabase(backend.DatabasePath);
        await new SqliteMigrator(database, [SchemaScripts.All[0]]).MigrateAsync(default);
        const string OldLimits =
            """{"usage":{"cost_limit_usd":100,"token_limit":null,"period":"Monthly","time_zone":"UTC","alert_thresholds":[50,80],"hard":true},"rates":[],"max_concurrent_requests":null}""";
        await database.ExecuteAsync(
            """
            INSERT INTO workspaces (id, slug, name, description, default_metadata, limits, archived, created_at, updated_at)
            VALUES ('ws_old', 'old', 'Old', NULL, '{}', @OldLimits, 0, '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z');
            INSERT INTO api_keys (id, workspace_id, name, description, key_hash, hint, scopes, allowed_models, allowed_providers,
                default_config_slug, default_metadata, limits, expires_at, revoked_at, created_at, updated_at)
            VALUES ('key_old', 'ws_old', 'old key', NULL, 'hash-old', 'sk-sy-ol…dd', '[]', NULL, NULL, NULL, '{}', @OldLimits, NULL, NULL,
                '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z');
            """,
            new { OldLimits }, default);

        await backend.Migrator.MigrateAsync(default);

        var workspace = await backend.Keys.GetWorkspaceAsync("ws_old", default);
        var key = await backend.Keys.GetApiKeyAsync("ws_old", "key_old", default);
        Assert.Empty(workspace!.PriceOverrides);
        Assert.Equal(LogPolicy.Default, workspace.Logging);
        Assert.Equal(100m, workspace.Limits.Usage!.CostLimitUsd);
        Assert.Null(workspace.Limits.Usage.AlertWebhookUrl);
        Assert.Equal(ApiKeyType.Workspace, key!.Type);
        Assert.Null(key.Limits.Usage!.AlertWebhookUrl);
    }

    [Fact]
    public async Task AddWorkspace_PriceOverrides_StoredAsSnakeCaseJson()
    {
        await using var backend = await SqliteBackend.CreateMigratedAsync();
        var workspace = await backend.Keys.AddWorkspaceAsync(
            NewWorkspace() with { PriceOverrides = new Dictionary<string, ModelPriceOverride> { ["openai/gpt-4o"] = new(2.5m, 10m) } }, default);

        var stored = await new SqliteDatabase(backend.DatabasePath).ExecuteScalarAsync<string>(
            "SELECT price_overrides FROM workspaces WHERE id = @Id", new { workspace.Id }, default);

        Assert.Equal("""{"openai/gpt-4o":{"input_per_million":2.5,"output_per_million":10}}""", stored);
    }

    [Fact]
    public async Task AddWorkspace_LogPolicy_StoredAsSnakeCaseJson()
    {
        await using var backend = await SqliteBackend.CreateMigratedAsync();
        var workspace = await backend.Keys.AddWorkspaceAsync(NewWorkspace() with { Logging = new LogPolicy(LogBodies.Off, 7) }, default);

        var stored = await new SqliteDatabase(backend.DatabasePath).ExecuteScalarAsync<string>(
            "SELECT log_policy FROM workspaces WHERE id = @Id", new { workspace.Id }, default);

        Assert.Equal("""{"bodies":"Off","retention_days":7}""", stored);
    }
}
