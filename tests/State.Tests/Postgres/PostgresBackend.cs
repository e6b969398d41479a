using Switchyard.State.Postgres;
using Switchyard.State.Tests.Contracts;

namespace Switchyard.State.Tests.Postgres;

/// <summary>
/// The stores over a <see cref="PostgresTestDatabase"/> of one test class's own: created, migrated, and dropped
/// afterwards, so classes running in parallel never meet.
/// </summary>
public sealed class PostgresBackend : IStoreBackend, IAsyncLifetime
{
    private PostgresTestDatabase? _database;
    private PostgresStores? _stores;

    /// <summary>Connects to this class's database (for LISTEN and for reading the schema directly).</summary>
    public string ConnectionString { get; private set; } = "";

    public IKeyStore Keys => Stores.Keys;

    public IConfigStore Configs => Stores.Configs;

    public IStateMigrator Migrator => Stores.Migrator;

    public IAuditLog Audit => Stores.Audit;

    /// <summary>The PostgreSQL request log is not built yet; its contract class is added with it.</summary>
    public IRequestLogStore Logs => throw new NotSupportedException("The PostgreSQL request log store is not built yet.");

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

        if (_database is not null)
        {
            await _database.DropAsync();
            _database = null;
        }
    }

    private async Task CreateDatabaseAsync()
    {
        _database = new PostgresTestDatabase();
        ConnectionString = await _database.CreateAsync();
        _stores = PostgresState.Open(ConnectionString);
    }
}
