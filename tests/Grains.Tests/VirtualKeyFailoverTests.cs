using Orleans.Storage;
using Orleans.TestingHost;
using Switchyard.Grains.Tests.Infrastructure;
using Xunit.Abstractions;
using static Switchyard.Grains.Tests.VirtualKeyTestKit;

namespace Switchyard.Grains.Tests;

/// <summary>
/// A silo killed while <see cref="VirtualKeyGrain"/> waits for its grant to be written: the grain comes back on another
/// silo from what storage holds, and the lease was granted once or not at all, never past the limit. Each test first adds
/// a silo, so the cluster keeps two after the kill.
/// </summary>
public sealed class VirtualKeyFailoverTests(KillableGrainCluster cluster, ITestOutputHelper output) : IClassFixture<KillableGrainCluster>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ExchangeAsync_SiloKilledWhileGrantIsWritten_GrantedOnceOrNotAtAll(bool writeLands)
    {
        var grain = cluster.VirtualKey($"killed-{writeLands}");
        var (killed, call, hold) = await KillDuringGrantAsync(grain);

        if (writeLands)
        {
            hold.Release();
            await hold.WriteLanded.WaitAsync(Bound);
        }
        else
        {
            hold.Fail();
        }

        var started = DateTimeOffset.UtcNow;
        var lost = await Assert.ThrowsAnyAsync<Exception>(() => call);
        output.WriteLine($"The call failed after {DateTimeOffset.UtcNow - started}: {lost.GetType().Name}");
        var granted = writeLands ? 100 : 0;
        var after = await RetryAsync(() => grain.StandingAsync(Renew("A", 2, Budget)));
        Assert.NotEqual(killed.SiloAddress, cluster.SiloOf(grain.GetGrainId())?.SiloAddress);
        Assert.Equal((granted, granted), (after.Granted, after.Outstanding));
        var rest = await grain.StandingAsync(Ask("B", 1, Budget, limit: 1_000, need: 1_000 - granted, prefetch: 500));
        var over = await grain.StandingAsync(Ask("C", 1, Budget, limit: 1_000, need: 1));
        Assert.Equal(1_000 - granted, rest.Granted);
        Assert.True(over.Refused);
        Assert.Equal(1_000, (await grain.UsageOfAsync(Budget)).Outstanding);
    }

    [Fact]
    public async Task ExchangeAsync_KilledSilosWriteLandsAfterGrainMoved_StaleWriteRefusedAndLimitHeld()
    {
        var grain = cluster.VirtualKey("killed-late-write");
        var (_, call, hold) = await KillDuringGrantAsync(grain);

        // The grain comes back elsewhere and reads storage before the dead silo's write lands there.
        Assert.Empty(await RetryAsync(grain.UsageAsync));
        hold.Release();
        await hold.WriteLanded.WaitAsync(Bound);

        await Assert.ThrowsAsync<InconsistentStateException>(() => grain.ExchangeAsync(Ask("B", 1, Budget, limit: 1_000, need: 950)));
        var retried = await grain.StandingAsync(Ask("B", 2, Budget, limit: 1_000, need: 950));
        var rest = await grain.StandingAsync(Ask("B", 3, Budget, limit: 1_000, need: 900));
        var a = await grain.StandingAsync(Renew("A", 2, Budget));

        await Assert.ThrowsAnyAsync<Exception>(() => call);
        Assert.True(retried.Refused);
        Assert.Equal(900, rest.Granted);
        Assert.Equal(100, a.Granted);
        Assert.Equal(1_000, a.Outstanding);
    }

    /// <summary>Starts a grant of 100 of 1,000 by holder A, holds its write, and kills the silo the grain is active on.</summary>
    private async Task<(InProcessSiloHandle Killed, Task<LeaseExchangeReply> Call, WriteHold Hold)> KillDuringGrantAsync(IVirtualKeyGrain grain)
    {
        await cluster.Cluster.StartAdditionalSiloAsync();
        await cluster.Cluster.WaitForLivenessToStabilizeAsync();
        await grain.UsageAsync();
        var silo = cluster.SiloOf(grain.GetGrainId()) ?? throw new InvalidOperationException("The grain is not active.");
        var hold = cluster.Storage.HoldNextWrite(grain.GetGrainId());

        var call = grain.ExchangeAsync(Ask("A", 1, Budget, limit: 1_000, need: 100));
        await hold.WriteStarted.WaitAsync(Bound);
        await cluster.Cluster.KillSiloAsync(silo);
        return (silo, call, hold);
    }

    /// <summary>Calls until the grain answers: the first calls after a kill may still be routed to the dead silo.</summary>
    private async Task<T> RetryAsync<T>(Func<Task<T>> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (Exception failure) when (attempt < 5)
            {
                output.WriteLine($"Attempt {attempt} failed: {failure.GetType().Name}: {failure.Message}");
            }
        }
    }
}
