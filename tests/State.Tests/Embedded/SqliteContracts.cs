using Switchyard.State.Embedded;
using Switchyard.State.Tests.Contracts;

namespace Switchyard.State.Tests.Embedded;

/// <summary>A store over its own temporary database file, deleted (with its WAL files) on dispose.</summary>
public sealed class SqliteBackend : IStoreBackend
{
    private readonly EmbeddedStores stores;

    private SqliteBackend(string folder)
    {
        Folder = folder;
        stores = EmbeddedState.Open(Path.Combine(folder, "switchyard.db"));
    }

    public string Folder { get; }

    public IKeyStore Keys => stores.Keys;

    public IConfigStore Configs => stores.Configs;

    public IStateMigrator Migrator => stores.Migrator;

    public IAuditLog Audit => stores.Audit;

    public string DatabasePath => stores.DatabasePath;

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
        await stores.DisposeAsync();
        Directory.Delete(Folder, recursive: true);
    }
}

/// <summary>One migrated database file per test class.</summary>
public sealed class SqliteBackendFixture : IAsyncLifetime
{
    private SqliteBackend? backend;

    public SqliteBackend Backend => backend ?? throw new InvalidOperationException("The fixture has not been initialised.");

    public async Task InitializeAsync() => backend = await SqliteBackend.CreateMigratedAsync();

    public async Task DisposeAsync()
    {
        if (backend is not null)
        {
            await backend.DisposeAsync();
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

public sealed class SqliteAuditLogContract(SqliteBackendFixture fixture) : AuditLogContract, IClassFixture<SqliteBackendFixture>
{
    protected override IStoreBackend Backend => fixture.Backend;
}
