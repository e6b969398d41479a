using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.Runtime.Hosting;
using Orleans.Storage;
using Orleans.TestingHost;
using Switchyard.Grains.Caching;

namespace Switchyard.Grains.Tests.Infrastructure;

/// <summary>
/// Two silos and a client for the semantic index grain: grain state in a <see cref="SharedGrainStore"/>, one fake clock
/// for grains and their timers, and small partitions (<see cref="MaxVectors"/> vectors, stored every
/// <see cref="WriteInterval"/>) so the size limit and the write interval are tested with a few vectors and no sleeps.
/// A grain's write timer is armed again only once its tick has finished, so a test waits for one tick per activation
/// (or deactivates the grain, which waits for a running tick, to see the next write).
/// </summary>
public sealed class SemanticIndexCluster : IAsyncLifetime
{
    public const int MaxVectors = 4;

    public static readonly TimeSpan WriteInterval = TimeSpan.FromSeconds(30);

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));

    public SharedGrainStore Storage { get; } = new();

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

            // Advancing the fake clock by minutes must not time out calls in flight or declare silos dead.
            silo.Services.UseTimeProviderForBackgroundAreas(TimeProvider.System);
            silo.Services.Configure<SemanticIndexOptions>(options =>
            {
                options.MaxVectors = MaxVectors;
                options.WriteInterval = WriteInterval;
            });
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    /// <summary>The partition as storage holds it, read with a live silo's grain storage serializer; null when nothing is stored.</summary>
    internal SemanticIndexState? Stored(ISemanticIndexGrain grain)
    {
        var data = Storage.Peek("vectors", grain.GetGrainId());
        var silo = Cluster.Silos.First(silo => silo.IsActive);
        return data is null ? null : silo.ServiceProvider.GetRequiredService<IGrainStorageSerializer>().Deserialize<SemanticIndexState>(data);
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}
