using Dapper;
using Npgsql;
using Switchyard.State.Postgres;

namespace Switchyard.State.Tests.Postgres;

/// <summary>What the migrator contract cannot say for every backend: several replicas migrating one database at once.</summary>
public sealed class PostgresMigratorTests
{
    [Fact]
    public async Task MigrateAsync_FiveReplicasAtOnce_ReachRequiredVersionWithOneRowPerVersion()
    {
        await using var database = await PostgresBackend.OpenEmptyAsync();
        var replicas = Enumerable.Range(0, 5).Select(_ => PostgresState.Open(database.ConnectionString)).ToList();
        try
        {
            var versions = await Task.WhenAll(replicas.Select(r => Task.Run(() => r.Migrator.MigrateAsync(default))));

            var required = replicas[0].Migrator.RequiredVersion;
            Assert.All(versions, v => Assert.Equal(required, v));
            Assert.Equal(Enumerable.Range(1, required), await AppliedVersionsAsync(database.ConnectionString));
        }
        finally
        {
            foreach (var replica in replicas)
            {
                await replica.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task MigrateAsync_FiveMigratorsAtOnce_RunEachScriptExactlyOnce()
    {
        // Scripts 2 and 3 are not idempotent: each appends a row, so a script run twice shows up as a second row.
        IReadOnlyList<SchemaMigration> scripts =
        [
            SchemaMigrations.All[0],
            new(2, "runs table", "CREATE TABLE switchyard.test_runs (version integer NOT NULL); INSERT INTO switchyard.test_runs VALUES (2);"),
            new(3, "another run", "INSERT INTO switchyard.test_runs VALUES (3);"),
        ];
        await using var database = await PostgresBackend.OpenEmptyAsync();
        var dataSources = Enumerable.Range(0, 5).Select(_ => NpgsqlDataSource.Create(database.ConnectionString)).ToList();
        try
        {
            var versions = await Task.WhenAll(dataSources.Select(d => Task.Run(() => new PostgresMigrator(d, scripts).MigrateAsync(default))));

            Assert.Equal([3, 3, 3, 3, 3], versions);
            Assert.Equal([1, 2, 3], await AppliedVersionsAsync(database.ConnectionString));
            await using var connection = new NpgsqlConnection(database.ConnectionString);
            Assert.Equal([2, 3], await connection.QueryAsync<int>("SELECT version FROM switchyard.test_runs ORDER BY version"));
        }
        finally
        {
            foreach (var dataSource in dataSources)
            {
                await dataSource.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task MigrateAsync_FailingScript_RollsBackThatScriptAndKeepsTheVersionBefore()
    {
        IReadOnlyList<SchemaMigration> scripts =
        [
            SchemaMigrations.All[0],
            new(2, "half done", "CREATE TABLE switchyard.half_done (x integer); SELECT 1 / 0;"),
        ];
        await using var database = await PostgresBackend.OpenEmptyAsync();
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        var migrator = new PostgresMigrator(dataSource, scripts);

        var error = await Assert.ThrowsAsync<PostgresException>(() => migrator.MigrateAsync(default));

        Assert.Equal(PostgresErrorCodes.DivisionByZero, error.SqlState);
        Assert.Equal(1, await migrator.CurrentVersionAsync(default));
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        Assert.Null(await connection.ExecuteScalarAsync<string?>("SELECT to_regclass('switchyard.half_done')::text"));
    }

    [Fact]
    public async Task MigrateAsync_DatabaseAheadOfThisBuild_ReturnsItsVersionAndChangesNothing()
    {
        // A rolling upgrade: a newer replica has migrated further; an older one starting now must not fail or undo it.
        await using var database = await PostgresBackend.OpenEmptyAsync();
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        await new PostgresMigrator(dataSource, [.. SchemaMigrations.All, new(SchemaMigrations.All.Count + 1, "newer", "SELECT 1")]).MigrateAsync(default);

        var version = await new PostgresMigrator(dataSource).MigrateAsync(default);

        Assert.Equal(SchemaMigrations.All.Count + 1, version);
    }

    [Fact]
    public void Constructor_ScriptsOutOfOrder_Throws()
    {
        using var dataSource = NpgsqlDataSource.Create("Host=127.0.0.1");
        IReadOnlyList<SchemaMigration> scripts = [new(1, "one", "SELECT 1"), new(3, "three", "SELECT 3")];

        var error = Assert.Throws<ArgumentException>(() => new PostgresMigrator(dataSource, scripts));

        Assert.Contains("Migration 2 is numbered 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RequiredVersion_IsTheLastScriptsNumber()
    {
        using var dataSource = NpgsqlDataSource.Create("Host=127.0.0.1");

        Assert.Equal(SchemaMigrations.All[^1].Version, new PostgresMigrator(dataSource).RequiredVersion);
        Assert.Equal(Enumerable.Range(1, SchemaMigrations.All.Count), SchemaMigrations.All.Select(m => m.Version));
    }

    private static async Task<List<int>> AppliedVersionsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        return [.. await connection.QueryAsync<int>("SELECT version FROM switchyard.schema_version ORDER BY version")];
    }
}
