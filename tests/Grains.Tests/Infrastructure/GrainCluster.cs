using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Storage;
using Orleans.TestingHost;
using Switchyard.State;

namespace Switchyard.Grains.Tests.Infrastructure;

/// <summary>
/// Two silos and a client in this process (Orleans' in-process test cluster), grain state in a <see cref="SharedGrainStore"/>
/// every silo reaches (so a grain survives the silo it lived on), and one fake clock every grain reads, so lease
/// lifetimes and circuit breaks are tested without sleeping.
/// </summary>
public class GrainCluster : IAsyncLifetime
{
    private readonly TimeSpan? _clientResponseTimeout;

    public GrainCluster()
    {
    }

    /// <param name="clientResponseTimeout">How long the client waits for a reply (Orleans' default is 30 s).</param>
    protected GrainCluster(TimeSpan clientResponseTimeout) => _clientResponseTimeout = clientResponseTimeout;

    /// <summary>The clock of grains and their timers. Orleans' own machinery (messaging, membership, activation collection) stays on real time.</summary>
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));

    /// <summary>The grain state of every silo, registered under <see cref="GrainStorage.Name"/>.</summary>
    public SharedGrainStore Storage { get; } = new();

    /// <summary>The archived spend <c>VirtualKeyGrain</c> imports on its first activation.</summary>
    public FakeSettledSpendArchive Archive { get; } = new();

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddGrainStorage(
                GrainStorage.Name,
                (services, _) => new SharedGrainStorage(Storage, services.GetRequiredService<IGrainStorageSerializer>()));
            silo.Services.AddSingleton<TimeProvider>(Time);

            // Advancing the fake clock by minutes must not time out calls in flight, declare silos dead or collect activations.
            silo.Services.UseTimeProviderForBackgroundAreas(TimeProvider.System);
            silo.Services.AddSingleton<ISettledSpendArchive>(Archive);
            ConfigureSilo(silo);
        });
        builder.ConfigureClient(client =>
        {
            if (_clientResponseTimeout is { } timeout)
            {
                client.Configure<ClientMessagingOptions>(options => options.ResponseTimeout = timeout);
            }

            ConfigureClient(client);
        });

        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    /// <summary>What a derived cluster adds to every silo (options of the grains it tests).</summary>
    protected virtual void ConfigureSilo(ISiloBuilder silo)
    {
    }

    /// <summary>What a derived cluster adds to the client (call filters).</summary>
    protected virtual void ConfigureClient(IClientBuilder client)
    {
    }

    /// <summary>The silo the grain is active on, or null when it is not active anywhere.</summary>
    public InProcessSiloHandle? SiloOf(GrainId grainId) =>
        Cluster.TryGetGrainContext(grainId, out var context)
            ? Cluster.Silos.FirstOrDefault(silo => silo.SiloAddress.Equals(context.Address.SiloAddress))
            : null;

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>
/// A <see cref="GrainCluster"/> for tests that kill the silo a call waits on: the client gives up on such a call after
/// 5 s rather than Orleans' 30 (nothing else tells an external client that the silo behind its gateway died).
/// </summary>
public sealed class KillableGrainCluster() : GrainCluster(TimeSpan.FromSeconds(5));
