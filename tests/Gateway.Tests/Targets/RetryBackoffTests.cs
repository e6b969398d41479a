using Switchyard.Gateway.Targets;


namespace Switchyard.Gateway.Tests.Targets;

public sealed class RetryBackoffTests
{
    [Theory]
    [InlineData(0, 0.0, 500)]
    [InlineData(0, 1.0, 1000)]
    [InlineData(1, 0.0, 1000)]
    [InlineData(2, 0.5, 3000)]
    [InlineData(10, 1.0, 30000)]
    [InlineData(100, 0.0, 15000)]
    public void Delay_ExponentialWithEqualJitter_StaysInItsBand(int attempt, double random, double expectedMs)
    {
        var delay = RetryBackoff.Delay(attempt, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), random);

        Assert.Equal(expectedMs, delay.TotalMilliseconds, precision: 6);
    }
}
