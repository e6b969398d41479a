using System.Globalization;
using Switchyard.Gateway.Routing;

namespace Switchyard.Gateway.Tests.Routing;

public sealed class LoadBalancerTests
{
    private static IReadOnlyList<ConfigNode> Targets(params double[] weights)
    {
        var targets = string.Join(", ", weights.Select(w => $$"""{"provider": "openai", "weight": {{w.ToString(CultureInfo.InvariantCulture)}}}"""));
        return TestConfigs.Root($$"""{"strategy": {"mode": "loadbalance"}, "targets": [{{targets}}]}""").Targets;
    }

    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(0.2499999, 0)]
    [InlineData(0.25, 1)]
    [InlineData(0.2500001, 1)]
    [InlineData(0.5, 1)]
    [InlineData(0.9999999999999999, 1)]
    public void Pick_OneToThree_SplitsAtAQuarter(double random, int expected)
    {
        Assert.Equal(expected, LoadBalancer.Pick(Targets(1, 3), random));
    }

    [Theory]
    [InlineData(0.0, 1)]
    [InlineData(0.3333333, 1)]
    [InlineData(0.3333334, 3)]
    [InlineData(0.9999999999999999, 3)]
    public void Pick_ZeroWeightsAround_AreSkipped(double random, int expected)
    {
        Assert.Equal(expected, LoadBalancer.Pick(Targets(0, 1, 0, 2, 0), random));
    }

    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(0.1999, 0)]
    [InlineData(0.2001, 1)]
    [InlineData(0.4999, 1)]
    [InlineData(0.5001, 2)]
    [InlineData(0.9999999999999999, 2)]
    public void Pick_UnnormalisedWeights_UseTheirSum(double random, int expected)
    {
        // Weights 2, 3, 5 (sum 10): boundaries at 0.2 and 0.5.
        Assert.Equal(expected, LoadBalancer.Pick(Targets(2, 3, 5), random));
    }

    [Theory]
    [InlineData(0.69, 0)]
    [InlineData(0.71, 1)]
    public void Pick_FractionalWeights_FollowTheirShare(double random, int expected)
    {
        Assert.Equal(expected, LoadBalancer.Pick(Targets(0.7, 0.3), random));
    }

    [Fact]
    public void Pick_EveryRandom_NeverPicksWeightZero()
    {
        var targets = Targets(0, 1, 0, 1, 0);
        var counts = new int[targets.Count];

        for (var i = 0; i < 10_000; i++)
        {
            counts[LoadBalancer.Pick(targets, i / 10_000.0)]++;
        }

        Assert.Equal([0, 5000, 0, 5000, 0], counts);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(1.5)]
    public void Pick_RandomAtOrAboveOne_PicksTheLastWeightedTarget(double random)
    {
        Assert.Equal(1, LoadBalancer.Pick(Targets(1, 1, 0), random));
    }

    [Theory]
    [InlineData(-0.5)]
    [InlineData(double.NaN)]
    public void Pick_RandomBelowZeroOrNaN_PicksTheFirstWeightedTarget(double random)
    {
        Assert.Equal(1, LoadBalancer.Pick(Targets(0, 1, 1), random));
    }

    [Fact]
    public void Pick_SingleTarget_AlwaysPicksIt()
    {
        Assert.Equal(0, LoadBalancer.Pick(Targets(0.001), 0.999));
    }

    [Fact]
    public void Pick_NoPositiveWeight_ReturnsMinusOne()
    {
        var zeroes = TestConfigs.Root("""
            {"strategy": {"mode": "fallback"}, "targets": [{"provider": "openai", "weight": 0}, {"provider": "groq", "weight": 0}]}
            """).Targets;

        Assert.Equal(-1, LoadBalancer.Pick(zeroes, 0.5));
        Assert.Equal(-1, LoadBalancer.Pick([], 0.5));
    }
}
