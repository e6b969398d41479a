using Switchyard.State.Embedded;
using Switchyard.State.Tests.Contracts;

namespace Switchyard.State.Tests.Embedded;

/// <summary>A store over its own temporary database file, deleted (with its WAL files) on dispose.</summary>
public sealed class SqliteBackend : IStoreBackend
{
    private readonly EmbeddedStores _stores;

    private SqliteBackend(string folder)
    {
        Folder = folder;
        _stores = EmbeddedState.Open(Path.Combine(folder, "switchyard.db"));
    }

    public string Folder { get; }

    public IKeyStore Keys => _stores.Keys;

    public IConfigStore Configs => _stores.Configs;

    public IStateMigrator Migrator => _stores.Migrator;

    public IAuditLog Audit => _stores.Audit;

    public IRequestLogStore Logs => _stores.Logs;

    public string DatabasePath => _stores.DatabasePath;

    /// <summary>A new file in a new folder, not migrated.</summary>
    public static SqliteBackend CreateEmpty() => new(Directory.CreateTempSubdirectory("switchyard-state-").FullName);

    public static async Task<SqliteBackend> CreateMigratedAsync()
    {
        var backend = CreateEmpty();
        await backend.Migrator.MigrateAsync(default);
        return backend;
    }

    public async ValueTask DisposeAsync()
    {
        await _stores.DisposeAsync();
        Directory.Delete(Folder, recursive: true);
    }
}

/// <summary>One migrated database file per test class.</summary>
public sealed class SqliteBackendFixture : IAsyncLifetime
{
    private SqliteBackend? _backend;

    public SqliteBackend Backend => _backend ?? throw new InvalidOperationException("The fixture has not been initialised.");

    public async Task InitializeAsync() => _backend = await SqliteBackend.CreateMigratedAsync();

    public async Task DisposeAsync()
    {
        if (_backend is not null)
        {
            await _backend.DisposeAsync();
        }
    }
}

public sealed class SqliteKeyStoreContract(SqliteBackendFixture fixture) : KeyStoreContract, IClassFixture<SqliteBackendFixture>
{
    protected override IStoreBackend Backend => fixture.Backend;
}

public sealed class SqliteConfigStoreContract(SqliteBackendFixture fixture) : ConfigStoreContract, IClassFixture<SqliteBackendFixture>
{
    protected override IStoreBackend Backend => fixture.Backend;
}

public sealed class SqliteMigratorContract(SqliteBackendFixture fixture) : MigratorContract, IClassFixture<SqliteBackendFixture>
{
    protected override IStoreBackend Backend => fixture.Backend;

    protected override Task<IStoreBackend> OpenEmptyBackendAsync() => Task.FromResult<IStoreBackend>(SqliteBackend.CreateEmpty());
}

public sealed class SqliteRequestLogContract(SqliteBackendFixture fixture) : RequestLogContract, IClassFixture<SqliteBackendFixture>
{
    protected override IStoreBackend Backend => fixture.Backend;
}

public sealed class SqliteAuditLogContract(SqliteBackendFixture fixture) : AuditLogContract, IClassFixture<SqliteBackendFixture>
{
    protected override IStoreBackend Backend => fixture.Backend;
}
