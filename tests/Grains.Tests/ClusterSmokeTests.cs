using Switchyard.Grains.Tests.Infrastructure;

namespace Switchyard.Grains.Tests;

public sealed class ClusterSmokeTests(GrainCluster cluster) : IClassFixture<GrainCluster>
{
    [Fact]
    public void Deploy_TwoSilos_AreActive() => Assert.Equal(2, cluster.Cluster.GetActiveSilos().Count());
}
