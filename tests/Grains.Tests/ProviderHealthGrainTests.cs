using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Switchyard.Grains.Tests.Infrastructure;
using Switchyard.State;
using static Switchyard.Grains.Tests.Infrastructure.Circuits;

namespace Switchyard.Grains.Tests;

public sealed class ProviderHealthGrainTests(GrainCluster cluster) : IClassFixture<GrainCluster>
{
    private DateTimeOffset Now => cluster.Time.GetUtcNow();

    private IProviderHealthGrain Grain(string key) => cluster.Client.GetGrain<IProviderHealthGrain>(key);

    [Fact]
    public async Task GetAsync_NeverOpened_ClosedAtVersionZero()
    {
        var key = NewKey();

        Assert.Equal(ClosedView(key, 0), await Grain(key).GetAsync());
    }

    [Fact]
    public async Task ClaimProbeAsync_BreakNotOver_NoOneWins()
    {
        var key = NewKey();
        var grain = Grain(key);
        var opened = await grain.OpenAsync(Now.AddSeconds(30));
        cluster.Time.Advance(TimeSpan.FromSeconds(29));

        var claim = await grain.ClaimProbeAsync("door-a", Now.AddSeconds(10));

        Assert.Equal(new CircuitView(key, CircuitState.Open, Now.AddSeconds(1), null, null, opened.Version), opened);
        Assert.Equal(new ProbeClaim(false, opened), claim);
    }

    [Fact]
    public async Task ClaimProbeAsync_Closed_NoOneWins()
    {
        var key = NewKey();

        Assert.Equal(new ProbeClaim(false, ClosedView(key, 0)), await Grain(key).ClaimProbeAsync("door-a", Now.AddSeconds(10)));
    }

    [Fact]
    public async Task ClaimProbeAsync_TwentyConcurrentClaimantsOnTwoSilosAndAClient_ExactlyOneWins()
    {
        var key = NewKey();
        var opened = await Grain(key).OpenAsync(Now.AddSeconds(30));
        cluster.Time.Advance(TimeSpan.FromSeconds(30));
        var expires = Now.AddSeconds(10);
        IGrainFactory[] callers = [cluster.Client, .. cluster.Cluster.Silos.Select(s => s.ServiceProvider.GetRequiredService<IGrainFactory>())];

        var claims = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            callers[i % callers.Length].GetGrain<IProviderHealthGrain>(key).ClaimProbeAsync($"door-{i}", expires)));

        var winner = Assert.Single(claims, c => c.Won);
        Assert.Equal(CircuitState.HalfOpen, winner.View.State);
        Assert.Equal(opened.OpenUntil, winner.View.OpenUntil);
        Assert.Equal(expires, winner.View.ProbeExpiresAt);
        Assert.StartsWith("door-", winner.View.ProbeOwner, StringComparison.Ordinal);
        Assert.All(claims.Where(c => !c.Won), c => Assert.Equal(winner.View, c.View));
        Assert.Equal(winner.View, await Grain(key).GetAsync());
    }

    [Fact]
    public async Task CloseAsync_ProbeSucceeded_ClosesAndDropsTheClaim()
    {
        var key = NewKey();
        var grain = Grain(key);
        await grain.OpenAsync(Now.AddSeconds(30));
        cluster.Time.Advance(TimeSpan.FromSeconds(30));
        var claim = await grain.ClaimProbeAsync("door-a", Now.AddSeconds(10));

        var closed = await grain.CloseAsync();

        Assert.True(claim.Won);
        Assert.Equal(ClosedView(key, closed.Version), closed);
        Assert.True(closed.Version > claim.View.Version);
        Assert.Equal(new ProbeClaim(false, closed), await grain.ClaimProbeAsync("door-b", Now.AddSeconds(10)));
    }

    [Fact]
    public async Task OpenAsync_ProbeFailed_OpensForAnotherBreakAndDropsTheClaim()
    {
        var key = NewKey();
        var grain = Grain(key);
        await grain.OpenAsync(Now.AddSeconds(30));
        cluster.Time.Advance(TimeSpan.FromSeconds(30));
        var claim = await grain.ClaimProbeAsync("door-a", Now.AddSeconds(10));

        var reopened = await grain.OpenAsync(Now.AddSeconds(30));
        var tooEarly = await grain.ClaimProbeAsync("door-b", Now.AddSeconds(10));
        cluster.Time.Advance(TimeSpan.FromSeconds(30));
        var next = await grain.ClaimProbeAsync("door-b", Now.AddSeconds(10));

        Assert.True(claim.Won);
        Assert.Equal(new CircuitView(key, CircuitState.Open, Now, null, null, reopened.Version), reopened);
        Assert.Equal(new ProbeClaim(false, reopened), tooEarly);
        Assert.True(next.Won);
        Assert.Equal(new CircuitView(key, CircuitState.HalfOpen, Now, "door-b", Now.AddSeconds(10), next.View.Version), next.View);
    }

    [Fact]
    public async Task ClaimProbeAsync_ClaimExpired_AnotherHolderTakesIt()
    {
        var key = NewKey();
        var grain = Grain(key);
        await grain.OpenAsync(Now.AddSeconds(30));
        cluster.Time.Advance(TimeSpan.FromSeconds(30));
        var first = await grain.ClaimProbeAsync("door-a", Now.AddSeconds(10));

        cluster.Time.Advance(TimeSpan.FromSeconds(9));
        var whileLive = await grain.ClaimProbeAsync("door-b", Now.AddSeconds(10));
        cluster.Time.Advance(TimeSpan.FromSeconds(1));
        var afterExpiry = await grain.ClaimProbeAsync("door-b", Now.AddSeconds(10));

        Assert.True(first.Won);
        Assert.Equal(new ProbeClaim(false, first.View), whileLive);
        Assert.True(afterExpiry.Won);
        Assert.Equal("door-b", afterExpiry.View.ProbeOwner);
        Assert.Equal(Now.AddSeconds(10), afterExpiry.View.ProbeExpiresAt);
        Assert.True(afterExpiry.View.Version > first.View.Version);
    }

    [Fact]
    public async Task ReportAsync_ThreeFrontDoorsBatches_OpenAtRatioAndMinimumThroughputTogether()
    {
        var key = NewKey();
        IGrainFactory[] doors = [cluster.Client, .. cluster.Cluster.Silos.Select(s => s.ServiceProvider.GetRequiredService<IGrainFactory>())];

        var first = await doors[0].GetGrain<IProviderHealthGrain>(key).ReportAsync(Batch("p", 0, 1, minimumThroughput: 3));
        var second = await doors[1].GetGrain<IProviderHealthGrain>(key).ReportAsync(Batch("p", 1, 0, minimumThroughput: 3));
        var third = await doors[2].GetGrain<IProviderHealthGrain>(key).ReportAsync(Batch("p", 0, 1, minimumThroughput: 3));

        Assert.Equal(ClosedView(key, 0), first);
        Assert.Equal(ClosedView(key, 0), second);
        Assert.Equal(new CircuitView(key, CircuitState.Open, Now.AddSeconds(30), null, null, third.Version), third);
    }

    [Fact]
    public async Task ReportAsync_RatioBelowThreshold_StaysClosed()
    {
        var key = NewKey();
        var grain = Grain(key);

        await grain.ReportAsync(Batch("p", 2, 1, minimumThroughput: 3, failureRatio: 0.5));
        var view = await grain.ReportAsync(Batch("p", 1, 1, minimumThroughput: 3, failureRatio: 0.5));

        Assert.Equal(ClosedView(key, 0), view);
    }

    [Fact]
    public async Task ReportAsync_DifferentPolicies_CountedApart()
    {
        var key = NewKey();
        var grain = Grain(key);

        var strict = await grain.ReportAsync(Batch("strict", 0, 1, minimumThroughput: 2));
        var lenient = await grain.ReportAsync(Batch("lenient", 0, 1, minimumThroughput: 2, breakSeconds: 60));
        var strictAgain = await grain.ReportAsync(Batch("strict", 0, 1, minimumThroughput: 2));

        Assert.Equal(ClosedView(key, 0), strict);
        Assert.Equal(ClosedView(key, 0), lenient);
        Assert.Equal(new CircuitView(key, CircuitState.Open, Now.AddSeconds(30), null, null, strictAgain.Version), strictAgain);
    }

    [Fact]
    public async Task ReportAsync_OutsideTheSamplingWindow_DoesNotCount()
    {
        var key = NewKey();
        var grain = Grain(key);

        await grain.ReportAsync(Batch("p", 0, 1, minimumThroughput: 2, samplingSeconds: 10));
        cluster.Time.Advance(TimeSpan.FromSeconds(10));
        var afterWindow = await grain.ReportAsync(Batch("p", 0, 1, minimumThroughput: 2, samplingSeconds: 10));
        cluster.Time.Advance(TimeSpan.FromSeconds(5));
        var withinWindow = await grain.ReportAsync(Batch("p", 0, 1, minimumThroughput: 2, samplingSeconds: 10));

        Assert.Equal(ClosedView(key, 0), afterWindow);
        Assert.Equal(new CircuitView(key, CircuitState.Open, Now.AddSeconds(30), null, null, withinWindow.Version), withinWindow);
    }

    [Fact]
    public async Task ReportAsync_WhileOpenOrHalfOpen_NeitherReopensNorCountsLater()
    {
        var key = NewKey();
        var grain = Grain(key);
        var opened = await grain.OpenAsync(Now.AddSeconds(30));

        var whileOpen = await grain.ReportAsync(Batch("p", 0, 10, minimumThroughput: 2));
        cluster.Time.Advance(TimeSpan.FromSeconds(30));
        var claim = await grain.ClaimProbeAsync("door-a", Now.AddSeconds(10));
        var whileProbing = await grain.ReportAsync(Batch("p", 0, 10, minimumThroughput: 2));
        var closed = await grain.CloseAsync();
        var afterClose = await grain.ReportAsync(Batch("p", 1, 0, minimumThroughput: 2));

        Assert.Equal(opened, whileOpen);
        Assert.Equal(claim.View, whileProbing);
        Assert.Equal(closed, afterClose);
    }

    [Fact]
    public async Task ReportAsync_NegativeCount_Refused()
    {
        var grain = Grain(NewKey());

        await Assert.ThrowsAsync<ArgumentException>(() => grain.ReportAsync(Batch("p", -1, 1)));
    }

    [Fact]
    public async Task WatchAsync_EveryChange_PushedToEveryWatcher_ItsVersionsOrderThem()
    {
        var key = NewKey();
        var grain = Grain(key);
        var first = new CircuitRecorder();
        var second = new CircuitRecorder();
        var current = await grain.WatchAsync("door-a", cluster.Client.CreateObjectReference<ICircuitWatcher>(first));
        await grain.WatchAsync("door-b", cluster.Client.CreateObjectReference<ICircuitWatcher>(second));

        // Within the watches' lifetime of a minute: breaks of 20 s.
        var changes = new List<CircuitView> { await grain.OpenAsync(Now.AddSeconds(20)) };
        cluster.Time.Advance(TimeSpan.FromSeconds(20));
        changes.Add((await grain.ClaimProbeAsync("door-a", Now.AddSeconds(10))).View);
        changes.Add(await grain.OpenAsync(Now.AddSeconds(20)));
        cluster.Time.Advance(TimeSpan.FromSeconds(20));
        changes.Add((await grain.ClaimProbeAsync("door-b", Now.AddSeconds(10))).View);
        changes.Add(await grain.CloseAsync());
        await grain.ReportAsync(Batch("p", 0, 1, minimumThroughput: 2));
        changes.Add(await grain.ReportAsync(Batch("p", 0, 1, minimumThroughput: 2)));

        Assert.Equal(ClosedView(key, 0), current);
        Assert.Equal(
            [CircuitState.Open, CircuitState.HalfOpen, CircuitState.Open, CircuitState.HalfOpen, CircuitState.Closed, CircuitState.Open],
            changes.Select(c => c.State));
        Assert.Equal(changes.OrderBy(c => c.Version), changes);
        // Pushes are one-way, so they may arrive in any order; their versions put them back in order (the mirror keeps the newest).
        Assert.Equal(changes, (await first.ReceivedAsync(changes.Count)).OrderBy(c => c.Version));
        Assert.Equal(changes, (await second.ReceivedAsync(changes.Count)).OrderBy(c => c.Version));
    }

    [Fact]
    public async Task WatchAsync_RenewedWithinItsLifetime_KeepsReceiving()
    {
        var key = NewKey();
        var grain = Grain(key);
        var recorder = new CircuitRecorder();
        var watcher = cluster.Client.CreateObjectReference<ICircuitWatcher>(recorder);
        await grain.WatchAsync("door-a", watcher);

        cluster.Time.Advance(TimeSpan.FromSeconds(50));
        await grain.WatchAsync("door-a", watcher);
        cluster.Time.Advance(TimeSpan.FromSeconds(50));
        var opened = await grain.OpenAsync(Now.AddSeconds(30));

        Assert.Equal([opened], await recorder.ReceivedAsync(1));
    }

    [Fact]
    public async Task DeactivateAsync_HalfOpenCircuit_SameStateAfterReactivation()
    {
        var key = NewKey();
        var grain = Grain(key);
        await grain.OpenAsync(Now.AddSeconds(30));
        cluster.Time.Advance(TimeSpan.FromSeconds(30));
        var claim = await grain.ClaimProbeAsync("door-a", Now.AddSeconds(10));

        await cluster.Cluster.DeactivateAsync(grain);
        var reactivated = await grain.GetAsync();

        Assert.True(claim.Won);
        Assert.Equal(claim.View, reactivated);
        Assert.Equal(new ProbeClaim(false, claim.View), await grain.ClaimProbeAsync("door-b", Now.AddSeconds(10)));
    }

    [Fact]
    public async Task DeactivateAsync_OpenCircuit_StaysOpen()
    {
        var key = NewKey();
        var grain = Grain(key);
        var opened = await grain.OpenAsync(Now.AddSeconds(30));

        await cluster.Cluster.DeactivateAsync(grain);

        Assert.Equal(opened, await grain.GetAsync());
    }

    [Fact]
    public async Task GetAsync_ClosedAndQuietForTheSamplingWindow_ClearsItsStoredState()
    {
        var key = NewKey();
        var grain = Grain(key);
        await grain.OpenAsync(Now.AddSeconds(30));
        var closed = await grain.CloseAsync();

        cluster.Time.Advance(ProviderHealthGrain.QuietAfter - TimeSpan.FromSeconds(1));
        await grain.GetAsync();
        var beforeQuiet = await ReadStoredAsync(grain);
        cluster.Time.Advance(TimeSpan.FromSeconds(1));
        var stillActive = await grain.GetAsync();
        var afterQuiet = await ReadStoredAsync(grain);
        await cluster.Cluster.DeactivateAsync(grain);
        var reactivated = await grain.GetAsync();
        var reopened = await grain.OpenAsync(Now.AddSeconds(30));

        Assert.Equal((true, CircuitState.Closed, closed.Version), beforeQuiet);
        Assert.Equal(closed, stillActive);
        Assert.False(afterQuiet.RecordExists);
        Assert.Equal(ClosedView(key, 0), reactivated);
        Assert.True(reopened.Version > closed.Version, "a new activation's versions must stay above the cleared one's");
    }

    private async Task<(bool RecordExists, CircuitState State, long Version)> ReadStoredAsync(IProviderHealthGrain grain)
    {
        var storage = cluster.Cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(GrainStorage.Name);
        var state = new GrainState<ProviderHealthState>(new ProviderHealthState());
        await storage.ReadStateAsync("circuit", grain.GetGrainId(), state);
        return (state.RecordExists, state.State!.State, state.State.Version);
    }
}
