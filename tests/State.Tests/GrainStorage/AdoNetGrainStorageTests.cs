using Switchyard.State.Postgres;
using Switchyard.State.Tests.Postgres;

namespace Switchyard.State.Tests.GrainStorage;

/// <summary>
/// A silo whose grain storage is Orleans' own ADO.NET provider (invariant Npgsql) on a database our migrator built, so
/// the stored queries of schema migration 5 are what runs.
/// </summary>
public class AdoNetGrainStorageSilo : GrainStorageSilo
{
    private readonly PostgresBackend _database = new();

    /// <summary>The provider's option to delete a cleared state's row (its DeleteStorageKey query) instead of keeping it.</summary>
    protected virtual bool DeleteStateOnClear => false;

    protected override Task PrepareAsync() => _database.InitializeAsync();

    protected override void AddStorage(ISiloBuilder silo) => silo.AddAdoNetGrainStorage(ProviderName, options =>
    {
        options.Invariant = "Npgsql";
        options.ConnectionString = PostgresConnection.ForOrleans(_database.ConnectionString, maxPoolSize: 8);
        options.DeleteStateOnClear = DeleteStateOnClear;
    });

    protected override async Task CleanUpAsync() => await _database.DisposeAsync();
}

public sealed class AdoNetDeletingGrainStorageSilo : AdoNetGrainStorageSilo
{
    protected override bool DeleteStateOnClear => true;
}

public sealed class AdoNetGrainStorageTests(AdoNetGrainStorageSilo silo)
    : GrainStorageContract(silo.Storage), IClassFixture<AdoNetGrainStorageSilo>
{
    protected override bool KeysStateByGrainType => false;
}

public sealed class AdoNetDeletingGrainStorageTests(AdoNetDeletingGrainStorageSilo silo)
    : GrainStorageContract(silo.Storage), IClassFixture<AdoNetDeletingGrainStorageSilo>
{
    protected override bool KeysStateByGrainType => false;

    protected override bool ClearKeepsTheRow => false;
}
