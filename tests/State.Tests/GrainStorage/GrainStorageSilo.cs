using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Switchyard.State.Tests.GrainStorage;

/// <summary>
/// One silo (Orleans' in-process test cluster, no client) with one grain storage provider registered the way a host
/// registers it, so the tests drive the provider the silo built: its serializer, its options, its start-up (the ADO.NET
/// provider loads its stored queries when the silo starts).
/// </summary>
public abstract class GrainStorageSilo : IAsyncLifetime
{
    public const string ProviderName = "switchyard";

    private InProcessTestCluster? _cluster;

    public IGrainStorage Storage { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await PrepareAsync();
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.InitializeClientOnDeploy = false;
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) => AddStorage(silo));
        _cluster = builder.Build();
        await _cluster.DeployAsync();
        Storage = _cluster.GetSiloServiceProvider().GetRequiredKeyedService<IGrainStorage>(ProviderName);
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        await CleanUpAsync();
    }

    /// <summary>Creates and migrates the database the provider will use.</summary>
    protected abstract Task PrepareAsync();

    protected abstract void AddStorage(ISiloBuilder silo);

    protected abstract Task CleanUpAsync();
}
