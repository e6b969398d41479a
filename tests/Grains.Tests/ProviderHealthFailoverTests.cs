using Orleans.TestingHost;
using Switchyard.Grains.Tests.Infrastructure;
using Switchyard.State;
using static Switchyard.Grains.Tests.Infrastructure.Circuits;

namespace Switchyard.Grains.Tests;

/// <summary>
/// The silo of an open circuit killed: the grain comes back on another silo from what storage holds. The test first
/// adds a silo, so the cluster keeps two after the kill.
/// </summary>
public sealed class ProviderHealthFailoverTests(GrainCluster cluster) : IClassFixture<GrainCluster>
{
    [Fact]
    public async Task KillSiloAsync_SiloOfAnOpenCircuit_StillOpenOnAnotherSilo()
    {
        await cluster.Cluster.StartAdditionalSiloAsync();
        await cluster.Cluster.WaitForLivenessToStabilizeAsync();
        var key = NewKey();
        var grain = cluster.Client.GetGrain<IProviderHealthGrain>(key);
        var opened = await grain.OpenAsync(cluster.Time.GetUtcNow().AddSeconds(30));
        var silo = SiloOf(grain) ?? throw new InvalidOperationException("The grain is not active.");

        await cluster.Cluster.KillSiloAsync(silo);
        var after = await RetryAsync(grain.GetAsync);

        Assert.Equal(new CircuitView(key, CircuitState.Open, opened.OpenUntil, null, null, opened.Version), after);
        Assert.NotEqual(silo.SiloAddress, SiloOf(grain)?.SiloAddress);
    }

    private InProcessSiloHandle? SiloOf(IProviderHealthGrain grain) =>
        cluster.Cluster.TryGetGrainContext(grain.GetGrainId(), out var context)
            ? cluster.Cluster.Silos.FirstOrDefault(s => s.SiloAddress.Equals(context.Address.SiloAddress))
            : null;

    /// <summary>Calls until the cluster has noticed the dead silo (real time: membership runs on the system clock).</summary>
    private static Task<T> RetryAsync<T>(Func<Task<T>> call) => Eventually.Succeeds(call, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(100));
}
