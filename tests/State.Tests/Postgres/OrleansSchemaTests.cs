using System.Data;
using Dapper;
using Npgsql;
using Switchyard.State.Postgres;

namespace Switchyard.State.Tests.Postgres;

/// <summary>Schema migration 5 itself: what it creates, that a second run leaves Orleans' data alone, and the grain state key.</summary>
public sealed class OrleansSchemaTests
{
    private const string InsertGrainState =
        """
        INSERT INTO orleans.orleansstorage
            (grainidhash, grainidn0, grainidn1, graintypehash, graintypestring, grainidextensionstring, serviceid, payloadbinary, version)
        VALUES (@Hash, 0, 0, 7, 'ledger', @Extension, 'service', '\x01', 1)
        """;

    [Fact]
    public async Task MigrateAsync_OrleansQuery_HoldsExactlyTheKeysTheProvidersRead()
    {
        await using var database = new PostgresBackend();
        await database.InitializeAsync();
        await using var connection = new NpgsqlConnection(database.ConnectionString);

        var keys = await connection.QueryAsync<string>("SELECT querykey FROM orleans.orleansquery ORDER BY querykey");

        Assert.Equal(OrleansSchema.ClusteringQueryKeys.Concat(OrleansSchema.StorageQueryKeys).Order(StringComparer.Ordinal), keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task MigrateAsync_RunAgain_ChangesNothingInTheOrleansSchema()
    {
        await using var database = new PostgresBackend();
        await database.InitializeAsync();
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.ExecuteAsync(InsertGrainState, new { Hash = 1, Extension = (string?)null });
        var queriesBefore = await QueriesAsync(connection);
        var versionsBefore = await connection.QueryAsync<int>("SELECT version FROM switchyard.schema_version ORDER BY version");

        var version = await database.Migrator.MigrateAsync(default);

        Assert.Equal(database.Migrator.RequiredVersion, version);
        Assert.Equal(versionsBefore, await connection.QueryAsync<int>("SELECT version FROM switchyard.schema_version ORDER BY version"));
        Assert.Equal(queriesBefore, await QueriesAsync(connection));
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM orleans.orleansstorage"));
    }

    [Fact]
    public async Task GrainState_SecondRowForOneGrain_IsRejectedByItsKey()
    {
        await using var database = new PostgresBackend();
        await database.InitializeAsync();
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.ExecuteAsync(InsertGrainState, new { Hash = 1, Extension = (string?)null });
        await connection.ExecuteAsync(InsertGrainState, new { Hash = 1, Extension = "eu" });

        // Most grain keys have no extension: a NULL must count as equal, or such grains could get two rows.
        var withoutExtension = await Assert.ThrowsAsync<PostgresException>(
            () => connection.ExecuteAsync(InsertGrainState, new { Hash = 1, Extension = (string?)null }));
        var withExtension = await Assert.ThrowsAsync<PostgresException>(
            () => connection.ExecuteAsync(InsertGrainState, new { Hash = 1, Extension = "eu" }));

        Assert.Equal(PostgresErrorCodes.UniqueViolation, withoutExtension.SqlState);
        Assert.Equal("orleansstorage_grain", withoutExtension.ConstraintName);
        Assert.Equal(PostgresErrorCodes.UniqueViolation, withExtension.SqlState);
        Assert.Equal(
            "id",
            await connection.ExecuteScalarAsync<string>(
                """
                SELECT a.attname FROM pg_index i
                JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
                WHERE i.indrelid = 'orleans.orleansstorage'::regclass AND i.indisprimary
                """));
    }

    [Fact]
    public async Task WriteToStorage_ManyConnectionsWritingOneNewGrain_OnlyOneInserts()
    {
        await using var database = new PostgresBackend();
        await database.InitializeAsync();
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        const int Writers = 12;
        for (var round = 0; round < 5; round++)
        {
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var writes = Enumerable.Range(0, Writers).Select(_ => Task.Run(async () =>
            {
                await using var connection = await dataSource.OpenConnectionAsync();
                await start.Task;
                return await connection.ExecuteScalarAsync<int?>(
                    "SELECT orleans.writetostorage(@Round, 0, 0, 7, 'ledger', NULL, 'service', NULL, '\\x01')", new { Round = round });
            })).ToList();
            start.SetResult();

            var versions = await Task.WhenAll(writes);

            Assert.Equal(1, versions.Count(v => v == 1));
            Assert.Equal(Writers - 1, versions.Count(v => v is null));
        }
    }

    [Fact]
    public async Task StoredQueries_CleanupFallbackAndDeleteEntries_TouchOnlyWhatTheyName()
    {
        // 10.4.2 uses the one-row cleanup and never deletes a cluster's entries itself, yet both queries must work: the
        // fallback for a provider without the one-row query, the delete for tools. Run as the provider runs them.
        await using var database = new PostgresBackend();
        await database.InitializeAsync();
        await using var connection = new NpgsqlConnection(PostgresConnection.ForOrleans(database.ConnectionString, maxPoolSize: 2));
        await connection.OpenAsync();
        var now = DateTime.UtcNow;
        await connection.ExecuteAsync(
            """
            INSERT INTO orleansmembershipversiontable (deploymentid) VALUES ('c1'), ('c2');
            INSERT INTO orleansmembershiptable
                (deploymentid, address, port, generation, siloname, hostname, status, proxyport, suspecttimes, starttime, iamalivetime)
            VALUES
                ('c1', '10.0.0.1', 11111, 1, 'dead-long-ago', 'h', 6, 0, NULL, @Old, @Old),
                ('c1', '10.0.0.2', 11111, 1, 'dead-suspected', 'h', 6, 0, 'S10.0.0.1:11111:1,2026-12-07 10:00:00.000 GMT', @Old, @Old),
                ('c1', '10.0.0.3', 11111, 1, 'active-quiet', 'h', 3, 30000, NULL, @Old, @Old),
                ('c1', '10.0.0.4', 11111, 1, 'dead-recently', 'h', 6, 0, NULL, @Old, @Now),
                ('c2', '10.0.0.1', 11111, 1, 'other-cluster', 'h', 6, 0, NULL, @Old, @Old);
            """,
            new { Old = now.AddHours(-2), Now = now });

        await RunStoredAsync(connection, "CleanupDefunctSiloEntriesKey", ("DeploymentId", "c1", DbType.String), ("IAmAliveTime", now.AddHours(-1), DbType.DateTime));

        Assert.Equal(
            ["active-quiet", "dead-recently", "dead-suspected", "other-cluster"],
            await connection.QueryAsync<string>("SELECT siloname FROM orleansmembershiptable ORDER BY siloname"));

        await RunStoredAsync(connection, "DeleteMembershipTableEntriesKey", ("DeploymentId", "c1", DbType.String));

        Assert.Equal(["other-cluster"], await connection.QueryAsync<string>("SELECT siloname FROM orleansmembershiptable"));
        Assert.Equal(["c2"], await connection.QueryAsync<string>("SELECT deploymentid FROM orleansmembershipversiontable"));
    }

    private static async Task RunStoredAsync(NpgsqlConnection connection, string key, params (string Name, object Value, DbType Type)[] parameters)
    {
        var text = await connection.ExecuteScalarAsync<string>("SELECT querytext FROM orleansquery WHERE querykey = @Key", new { Key = key });
        await using var command = new NpgsqlCommand(text, connection);
        foreach (var (name, value, type) in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter(name, value) { DbType = type });
        }

        await command.ExecuteNonQueryAsync();
    }

    private static async Task<List<(string Key, string Text)>> QueriesAsync(NpgsqlConnection connection) =>
        [.. await connection.QueryAsync<(string, string)>("SELECT querykey, querytext FROM orleans.orleansquery ORDER BY querykey")];
}
