using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Switchyard.Grains.Tests.Infrastructure;
using Switchyard.State;
using Switchyard.State.Orleans;
using static Switchyard.Grains.Tests.Infrastructure.Circuits;

namespace Switchyard.Grains.Tests;

/// <summary>
/// <see cref="ClusterProviderHealth"/>: front doors' mirrors of the cluster's circuits. Several instances on one
/// client stand for several front doors (each with its own holder id and watcher).
/// </summary>
public sealed class ProviderHealthMirrorTests(ProviderHealthCluster cluster) : IClassFixture<ProviderHealthCluster>
{
    private static readonly CircuitThresholds Policy = new("p", 0.5, 3, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30));

    private DateTimeOffset Now => cluster.Time.GetUtcNow();

    [Fact]
    public async Task Get_AfterTheFirstWatch_AnswersFromMemoryWithoutCallingTheGrain()
    {
        using var door = FrontDoor("door-a");
        var key = NewKey();

        var first = door.Get(key);
        await door.WhenWatching(key);
        var later = Enumerable.Range(0, 100).Select(_ => door.Get(key)).Distinct().ToArray();

        Assert.Equal(CircuitStatus.ClosedFor(key), first);
        Assert.Equal([CircuitStatus.ClosedFor(key)], later);
        Assert.Equal(["WatchAsync"], cluster.CallsTo(key).Select(c => c.Method));
    }

    [Fact]
    public async Task PublishOpenAsync_ThroughOneFrontDoor_PushedToAnotherWithoutItCallingTheGrain()
    {
        using var a = FrontDoor("door-a");
        using var b = FrontDoor("door-b");
        var key = NewKey();
        b.Get(key);
        await b.WhenWatching(key);
        var seen = NextChange(b, key);
        var until = Now.AddSeconds(30);

        await a.PublishOpenAsync(key, until, default);

        var expected = new CircuitStatus(key, CircuitState.Open, until, null, null);
        Assert.Equal(expected, a.Get(key));
        Assert.Equal(expected, await seen);
        Assert.Equal(expected, b.Get(key));
        Assert.Equal([expected], b.NotClosed().Where(s => s.TargetKey == key));
        Assert.Equal(["OpenAsync", "WatchAsync", "WatchAsync"], cluster.CallsTo(key).Select(c => c.Method).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task PublishClosedAsync_FromAClientFrontDoor_PushedToACoHostedOne()
    {
        var siloGrains = cluster.Cluster.Silos[1].ServiceProvider.GetRequiredService<IGrainFactory>();
        using var coHosted = new ClusterProviderHealth(siloGrains, "door-in-silo", cluster.Time, NullLogger.Instance);
        using var client = FrontDoor("door-a");
        var key = NewKey();
        await coHosted.PublishOpenAsync(key, Now.AddSeconds(30), default);
        await coHosted.WhenWatching(key);
        var seen = NextChange(coHosted, key);

        await client.PublishClosedAsync(key, default);

        Assert.Equal(CircuitStatus.ClosedFor(key), await seen);
        Assert.Equal(CircuitStatus.ClosedFor(key), coHosted.Get(key));
        Assert.Empty(coHosted.NotClosed());
    }

    [Fact]
    public async Task TryClaimProbeAsync_TwoFrontDoorsAfterTheBreak_OneWinsAndBothMirrorItsClaim()
    {
        using var a = FrontDoor("door-a");
        using var b = FrontDoor("door-b");
        var key = NewKey();
        a.Get(key);
        b.Get(key);
        await Task.WhenAll(a.WhenWatching(key), b.WhenWatching(key));
        await a.PublishOpenAsync(key, Now.AddSeconds(30), default);
        await Advance(TimeSpan.FromSeconds(30), a, b);
        var expires = Now.AddSeconds(10);

        var won = await Task.WhenAll(a.TryClaimProbeAsync(key, Now, expires, default), b.TryClaimProbeAsync(key, Now, expires, default));

        var winner = Assert.Single([(Door: a, Won: won[0]), (Door: b, Won: won[1])], d => d.Won).Door;
        var expected = new CircuitStatus(key, CircuitState.HalfOpen, expires.AddSeconds(-10), winner.HolderId, expires);
        Assert.Equal(expected, a.Get(key));
        Assert.Equal(expected, b.Get(key));
    }

    [Fact]
    public async Task CircuitChanged_OlderOrSameVersion_NeverReplacesTheNewerState()
    {
        using var door = FrontDoor("door-a");
        var key = NewKey();
        var until = Now.AddSeconds(30);
        await door.PublishOpenAsync(key, until, default);
        await door.WhenWatching(key);
        var current = await cluster.Client.GetGrain<IProviderHealthGrain>(key).GetAsync();
        var changes = new List<CircuitStatus>();
        door.Changed += status => changes.Add(status);

        await door.Watcher.CircuitChanged(ClosedView(key, current.Version - 1));
        await door.Watcher.CircuitChanged(ClosedView(key, current.Version));
        var afterStale = door.Get(key);
        await door.Watcher.CircuitChanged(ClosedView(key, current.Version + 1));

        Assert.Equal(new CircuitStatus(key, CircuitState.Open, until, null, null), afterStale);
        Assert.Equal([CircuitStatus.ClosedFor(key)], changes);
        Assert.Equal(CircuitStatus.ClosedFor(key), door.Get(key));
    }

    [Fact]
    public async Task Record_ManyOutcomes_OneReportPerKeyAndPolicyEveryPeriod()
    {
        using var door = FrontDoor("door-a");
        var key = NewKey();
        var other = NewKey();
        var lenient = Policy with { Signature = "lenient", MinimumThroughput = 100 };
        var strict = Policy with { Signature = "strict", MinimumThroughput = 100 };
        for (var i = 0; i < 7; i++)
        {
            door.Record(key, lenient, failure: true);
        }

        for (var i = 0; i < 5; i++)
        {
            door.Record(key, lenient, failure: false);
        }

        door.Record(key, strict, failure: false);
        door.Record(other, lenient, failure: true);
        door.Record(other, lenient, failure: true);

        await Advance(ClusterProviderHealth.ReportEvery, door);
        var reported = Reports(key);
        var reportedOther = Reports(other);
        await Advance(ClusterProviderHealth.ReportEvery, door);

        Assert.Equal(
            [Batch("lenient", 5, 7, minimumThroughput: 100), Batch("strict", 1, 0, minimumThroughput: 100)],
            reported.OrderBy(b => b.PolicySignature, StringComparer.Ordinal));
        Assert.Equal([Batch("lenient", 0, 2, minimumThroughput: 100)], reportedOther);
        Assert.Equal(reported.Count, Reports(key).Count);
        Assert.Equal(reportedOther.Count, Reports(other).Count);
    }

    [Fact]
    public async Task Record_ThreeFrontDoorsOneFailureEach_OpenTheCircuitTogether()
    {
        using var a = FrontDoor("door-a");
        using var b = FrontDoor("door-b");
        using var c = FrontDoor("door-c");
        var key = NewKey();
        foreach (var door in new[] { a, b, c })
        {
            door.Get(key);
            await door.WhenWatching(key);
        }

        var seen = new[] { NextChange(a, key), NextChange(b, key), NextChange(c, key) };
        a.Record(key, Policy, failure: true);
        b.Record(key, Policy, failure: true);
        await Advance(ClusterProviderHealth.ReportEvery, a, b, c);
        var afterTwo = await cluster.Client.GetGrain<IProviderHealthGrain>(key).GetAsync();
        c.Record(key, Policy, failure: true);
        await Advance(ClusterProviderHealth.ReportEvery, a, b, c);

        var expected = new CircuitStatus(key, CircuitState.Open, Now.AddSeconds(30), null, null);
        Assert.Equal(CircuitState.Closed, afterTwo.State);
        Assert.Equal([expected, expected, expected], await Task.WhenAll(seen));
        Assert.Equal([expected, expected, expected], [a.Get(key), b.Get(key), c.Get(key)]);
    }

    [Fact]
    public async Task Renewal_KeyUsedThenIdle_RenewedEveryPeriodUntilForgotten()
    {
        using var door = FrontDoor("door-a");
        var key = NewKey();
        door.Get(key);
        await door.WhenWatching(key);

        // Last used at the first renewal: renewed until it has been idle for ForgetAfter, then forgotten.
        var periods = (int)(ClusterProviderHealth.ForgetAfter / ClusterProviderHealth.RenewEvery) + 2;
        for (var i = 0; i < periods; i++)
        {
            await Advance(ClusterProviderHealth.RenewEvery, door);
        }

        var whileForgotten = cluster.CallsTo(key).Count;
        door.Get(key);
        await door.WhenWatching(key);

        Assert.Equal(1 + (int)(ClusterProviderHealth.ForgetAfter / ClusterProviderHealth.RenewEvery), whileForgotten);
        Assert.Equal(Enumerable.Repeat("WatchAsync", whileForgotten + 1), cluster.CallsTo(key).Select(c => c.Method));
    }

    private ClusterProviderHealth FrontDoor(string holderId) => new(cluster.Client, holderId, cluster.Time, NullLogger.Instance);

    private List<OutcomeBatch> Reports(string key) =>
        cluster.CallsTo(key).Where(c => c.Method == "ReportAsync").Select(c => (OutcomeBatch)c.Argument!).ToList();

    /// <summary>Moves the clock (which runs the doors' timers) and waits until the doors' reports and renewals are answered.</summary>
    private async Task Advance(TimeSpan by, params ClusterProviderHealth[] doors)
    {
        cluster.Time.Advance(by);
        foreach (var door in doors)
        {
            await door.FlushAsync();
        }
    }

    /// <summary>The next change <paramref name="door"/> raises for <paramref name="key"/> (failing after 10 s of real time).</summary>
    private static Task<CircuitStatus> NextChange(ClusterProviderHealth door, string key)
    {
        var seen = new TaskCompletionSource<CircuitStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
        door.Changed += status =>
        {
            if (status.TargetKey == key)
            {
                seen.TrySetResult(status);
            }
        };
        return seen.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
