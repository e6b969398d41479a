using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Switchyard.Grains.Caching;

namespace Switchyard.Grains.Tests.Infrastructure;

/// <summary>
/// A <see cref="GrainCluster"/> with small semantic partitions (<see cref="MaxVectors"/> vectors, stored every
/// <see cref="WriteInterval"/>), so the size limit and the write interval are tested with a few vectors and no sleeps.
/// A grain's write timer is armed again only once its tick has finished, so a test waits for one tick per activation
/// (or deactivates the grain, which waits for a running tick, to see the next write).
/// </summary>
public sealed class SemanticIndexCluster : GrainCluster
{
    public const int MaxVectors = 4;

    public static readonly TimeSpan WriteInterval = TimeSpan.FromSeconds(30);

    /// <summary>The partition as storage holds it, read with a live silo's grain storage serializer; null when nothing is stored.</summary>
    internal SemanticIndexState? Stored(ISemanticIndexGrain grain)
    {
        var data = Storage.Peek("vectors", grain.GetGrainId());
        var silo = Cluster.Silos.First(silo => silo.IsActive);
        return data is null ? null : silo.ServiceProvider.GetRequiredService<IGrainStorageSerializer>().Deserialize<SemanticIndexState>(data);
    }

    protected override void ConfigureSilo(ISiloBuilder silo) =>
        silo.Services.Configure<SemanticIndexOptions>(options =>
        {
            options.MaxVectors = MaxVectors;
            options.WriteInterval = WriteInterval;
        });
}
