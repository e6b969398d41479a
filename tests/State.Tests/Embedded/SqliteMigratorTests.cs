using Dapper;
using Microsoft.Data.Sqlite;
using Switchyard.State.Embedded;

namespace Switchyard.State.Tests.Embedded;

public sealed class SqliteMigratorTests
{
    [Fact]
    public void SchemaScripts_All_AreNumberedFromOneWithoutGaps()
    {
        Assert.Equal(Enumerable.Range(1, SchemaScripts.All.Count), SchemaScripts.All.Select(s => s.Version));
        Assert.Equal(SchemaScripts.All.Count, new SqliteMigrator(new SqliteDatabase(":memory:")).RequiredVersion);
    }

    [Fact]
    public async Task Migrate_FreshFile_CreatesTheDocumentedTablesAndIndexes()
    {
        await using var backend = await SqliteBackend.CreateMigratedAsync();
        await using var connection = await new SqliteDatabase(backend.DatabasePath).OpenAsync(default);

        var tables = await connection.QueryAsync<string>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
        var uniqueIndexes = await connection.QueryAsync<string>(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql LIKE 'CREATE UNIQUE INDEX%' ORDER BY name");
        var applied = await connection.QueryAsync<long>("SELECT version FROM schema_version ORDER BY version");

        Assert.Equal(["api_keys", "audit_log", "configs", "grain_state", "quota_usage", "schema_version", "virtual_keys", "workspaces"], tables);
        Assert.Equal(["api_keys_key_hash", "virtual_keys_workspace_slug"], uniqueIndexes);
        Assert.Equal(SchemaScripts.All.Select(s => (long)s.Version), applied);
    }

    [Fact]
    public async Task Migrate_DatabaseFromANewerBuild_RefusesAndNamesBothVersions()
    {
        await using var backend = await SqliteBackend.CreateMigratedAsync();
        var newer = backend.Migrator.RequiredVersion + 1;
        await new SqliteDatabase(backend.DatabasePath).ExecuteAsync(
            "INSERT INTO schema_version (version, name, applied_at) VALUES (@newer, 'from the future', '2030-01-01T00:00:00.000000Z')",
            new { newer }, default);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => backend.Migrator.MigrateAsync(default));

        Assert.Contains($"schema version {newer}", error.Message);
        Assert.Contains($"this build's {backend.Migrator.RequiredVersion}", error.Message);
        Assert.Equal(newer, await backend.Migrator.CurrentVersionAsync(default));
    }

    [Fact]
    public async Task Migrate_TwoProcessesAtOnce_ApplyEachScriptOnce()
    {
        await using var backend = SqliteBackend.CreateEmpty();
        await using var other = EmbeddedState.Open(backend.DatabasePath);

        var versions = await Task.WhenAll(
            Task.Run(() => backend.Migrator.MigrateAsync(default)),
            Task.Run(() => other.Migrator.MigrateAsync(default)));

        Assert.Equal([backend.Migrator.RequiredVersion, backend.Migrator.RequiredVersion], versions);
        await using var connection = await new SqliteDatabase(backend.DatabasePath).OpenAsync(default);
        Assert.Equal(SchemaScripts.All.Count, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM schema_version"));
    }

    [Fact]
    public async Task Migrate_ScriptFails_LeavesNoPartOfItBehind()
    {
        // A script that fails halfway must not leave its first statements applied: the transaction covers all of it.
        await using var backend = SqliteBackend.CreateEmpty();
        await using var connection = await new SqliteDatabase(backend.DatabasePath).OpenAsync(default);
        await connection.ExecuteAsync("CREATE TABLE configs (x INTEGER)");

        await Assert.ThrowsAsync<SqliteException>(() => backend.Migrator.MigrateAsync(default));

        Assert.Equal(0, await backend.Migrator.CurrentVersionAsync(default));
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM sqlite_master WHERE name = 'workspaces'"));
    }
}
