using static Switchyard.State.Tests.Contracts.StoreSamples;

namespace Switchyard.State.Tests.Contracts;

/// <summary>
/// The <see cref="IStateMigrator"/> contract. <see cref="IStateMigrator.MigrateAsync"/> returns the schema version the
/// store is at afterwards (so <see cref="IStateMigrator.RequiredVersion"/> on success), and running it again changes
/// nothing. A store that has never been migrated reports version 0.
/// </summary>
public abstract class MigratorContract
{
    /// <summary>The fixture's store, already migrated.</summary>
    protected abstract IStoreBackend Backend { get; }

    /// <summary>A new store with no schema at all (never migrated); the test disposes it.</summary>
    protected abstract Task<IStoreBackend> OpenEmptyBackendAsync();

    [Fact]
    public void RequiredVersion_IsPositive()
    {
        Assert.True(Backend.Migrator.RequiredVersion > 0);
    }

    [Fact]
    public async Task CurrentVersion_MigratedStore_EqualsRequiredVersion()
    {
        Assert.Equal(Backend.Migrator.RequiredVersion, await Backend.Migrator.CurrentVersionAsync(default));
    }

    [Fact]
    public async Task CurrentVersion_FreshStore_IsZero()
    {
        await using var empty = await OpenEmptyBackendAsync();

        Assert.Equal(0, await empty.Migrator.CurrentVersionAsync(default));
    }

    [Fact]
    public async Task Migrate_FreshStore_ReachesRequiredVersion()
    {
        await using var empty = await OpenEmptyBackendAsync();

        var version = await empty.Migrator.MigrateAsync(default);

        Assert.Equal(empty.Migrator.RequiredVersion, version);
        Assert.Equal(empty.Migrator.RequiredVersion, await empty.Migrator.CurrentVersionAsync(default));
        Assert.Empty(await empty.Keys.ListWorkspacesAsync(default));
    }

    [Fact]
    public async Task Migrate_Twice_IsIdempotent()
    {
        await using var empty = await OpenEmptyBackendAsync();

        var first = await empty.Migrator.MigrateAsync(default);
        var second = await empty.Migrator.MigrateAsync(default);

        Assert.Equal(first, second);
        Assert.Equal(empty.Migrator.RequiredVersion, await empty.Migrator.CurrentVersionAsync(default));
    }

    [Fact]
    public async Task Migrate_AlreadyMigratedStore_KeepsItsData()
    {
        var workspace = await Backend.Keys.AddWorkspaceAsync(NewWorkspace(), default);
        var config = NewConfig(workspace.Id);
        await Backend.Configs.SaveAsync(config, default);

        var version = await Backend.Migrator.MigrateAsync(default);

        Assert.Equal(Backend.Migrator.RequiredVersion, version);
        StoreAssert.Same(workspace, await Backend.Keys.GetWorkspaceAsync(workspace.Id, default));
        StoreAssert.Same(config, 1, await Backend.Configs.GetAsync(workspace.Id, config.Slug, default));
    }
}
