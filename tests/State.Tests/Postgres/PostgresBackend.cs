using Npgsql;
using Switchyard.State.Postgres;
using Switchyard.State.Tests.Contracts;

namespace Switchyard.State.Tests.Postgres;

/// <summary>
/// A PostgreSQL database of its own for one test class: created on the server named by SWITCHYARD_TEST_DATABASE_URL
/// (tests/start-postgres.sh starts one), migrated, and dropped afterwards, so classes running in parallel never meet.
/// </summary>
public sealed class PostgresBackend : IStoreBackend, IAsyncLifetime
{
    private const string ServerVariable = "SWITCHYARD_TEST_DATABASE_URL";

    private string? _databaseName;
    private PostgresStores? _stores;

    /// <summary>Connects to this class's database (for LISTEN and for reading the schema directly).</summary>
    public string ConnectionString { get; private set; } = "";

    public IKeyStore Keys => Stores.Keys;

    public IConfigStore Configs => Stores.Configs;

    public IStateMigrator Migrator => Stores.Migrator;

    public IAuditLog Audit => Stores.Audit;

    internal PostgresStores Stores => _stores ?? throw new InvalidOperationException("The fixture is not initialised.");

    /// <summary>A database with no schema at all; the caller disposes it (which drops it).</summary>
    public static async Task<PostgresBackend> OpenEmptyAsync()
    {
        var backend = new PostgresBackend();
        await backend.CreateDatabaseAsync();
        return backend;
    }

    public async Task InitializeAsync()
    {
        await CreateDatabaseAsync();
        await Migrator.MigrateAsync(default);
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        if (_stores is not null)
        {
            await _stores.DisposeAsync();
            _stores = null;
        }

        if (_databaseName is not null)
        {
            // FORCE ends any connection a test left open (a LISTEN, a pool not yet closed).
            await ExecuteOnServerAsync($"DROP DATABASE IF EXISTS {_databaseName} WITH (FORCE)");
            _databaseName = null;
        }
    }

    private async Task CreateDatabaseAsync()
    {
        // A generated name, so it can go into DDL (identifiers cannot be parameters).
        _databaseName = $"sy_test_{Guid.NewGuid():N}";
        await ExecuteOnServerAsync($"CREATE DATABASE {_databaseName}");
        ConnectionString = new NpgsqlConnectionStringBuilder(ServerConnectionString()) { Database = _databaseName }.ConnectionString;
        _stores = PostgresState.Open(ConnectionString);
    }

    private static async Task ExecuteOnServerAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ServerConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static string ServerConnectionString()
    {
        var server = Environment.GetEnvironmentVariable(ServerVariable);
        if (string.IsNullOrWhiteSpace(server))
        {
            throw new InvalidOperationException(
                $"{ServerVariable} is not set. Start a throwaway server with: eval \"$(tests/start-postgres.sh)\"");
        }

        return PostgresConnection.FromUrlOrConnectionString(server);
    }
}
