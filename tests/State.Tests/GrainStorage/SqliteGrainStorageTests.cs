using Switchyard.State.Embedded;

namespace Switchyard.State.Tests.GrainStorage;

/// <summary>A silo whose grain storage is the embedded database file, migrated first as the embedded host does.</summary>
public sealed class SqliteGrainStorageSilo : GrainStorageSilo
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"sy-grains-{Guid.NewGuid():N}");

    public string DatabasePath => Path.Combine(_folder, "switchyard.db");

    protected override async Task PrepareAsync()
    {
        Directory.CreateDirectory(_folder);
        await new SqliteMigrator(new SqliteDatabase(DatabasePath)).MigrateAsync(default);
    }

    protected override void AddStorage(ISiloBuilder silo) => silo.AddSqliteGrainStorage(ProviderName, DatabasePath);

    protected override Task CleanUpAsync()
    {
        new SqliteDatabase(DatabasePath).Close();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }
}

public sealed class SqliteGrainStorageTests(SqliteGrainStorageSilo silo)
    : GrainStorageContract(silo.Storage), IClassFixture<SqliteGrainStorageSilo>
{
    protected override bool KeysStateByGrainType => true;

    /// <summary>A clear deletes the row, as the cluster's storage does with DeleteStateOnClear.</summary>
    protected override bool ClearKeepsTheRow => false;
}
