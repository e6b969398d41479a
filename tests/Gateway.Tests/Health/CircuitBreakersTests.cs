using System.Net;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Switchyard.Gateway.Health;
using Switchyard.Gateway.Routing;
using Switchyard.Gateway.Upstream;
using static Switchyard.Gateway.Tests.Health.CircuitTestKit;
using ClusterState = Switchyard.State.CircuitState;

namespace Switchyard.Gateway.Tests.Health;

public sealed class CircuitBreakersTests
{
    // Two calls in a 10 s window, half of them failing, open the circuit for 30 s.
    private static readonly CircuitSettings Tight = new(null, 0.5, 2, 10_000, 30_000, null);

    private static UpstreamOutcome Status(int status) => UpstreamOutcome.Answered(new HttpResponseMessage((HttpStatusCode)status), []);

    [Fact]
    public void For_NoCbConfigAndDefaultsOff_HasNoBreaker()
    {
        var breakers = Breakers(Clock(), out _);

        Assert.Null(breakers.For(Request(), null));
    }

    [Fact]
    public void For_CbConfigEnabledFalse_HasNoBreakerEvenWhenDefaultsAreOn()
    {
        var breakers = Breakers(Clock(), out _, enabledByDefault: true);

        Assert.Null(breakers.For(Request(), Tight with { Enabled = false }));
        Assert.NotNull(breakers.For(Request(), null));
    }

    [Fact]
    public void For_SameTargetAndSettings_OneBreaker()
    {
        var breakers = Breakers(Clock(), out _);

        var first = breakers.For(Request(), Tight);
        var second = breakers.For(Request(), Tight with { FailureStatusCodes = null });

        Assert.Same(first, second);
        Assert.NotSame(first, breakers.For(Request(credential: "sk-another"), Tight));
    }

    [Fact]
    public async Task Pipeline_FailureRatioReached_OpensTheCircuitEverywhereUntilTheBreakEnds()
    {
        var clock = Clock();
        var breakers = Breakers(clock, out var health);
        var circuit = breakers.For(Request(), Tight)!;

        await CallAsync(circuit, () => Status(503));
        Assert.Equal(ClusterState.Closed, health.Get(circuit.Key).State);
        await CallAsync(circuit, () => Status(503));

        var status = health.Get(circuit.Key);
        Assert.Equal(ClusterState.Open, status.State);
        Assert.Equal(clock.GetUtcNow().AddSeconds(30), status.OpenUntil);
        Assert.Equal([CircuitState.Open], breakers.LocalStates(circuit.Key));
        await Assert.ThrowsAsync<BrokenCircuitException>(() => CallAsync(circuit, () => Status(200)));
    }

    [Fact]
    public async Task AdmitAsync_CircuitOpen_SkipsWith503NamingTheTargetAndWhenItMayClose()
    {
        var clock = Clock();
        var breakers = Breakers(clock, out _);
        var circuit = breakers.For(Request(), Tight)!;
        await CallAsync(circuit, () => Status(500));
        await CallAsync(circuit, () => UpstreamOutcome.Failed("connection refused"));

        var (admission, skipped) = await breakers.AdmitAsync(circuit, TimeSpan.FromSeconds(10), default);

        Assert.Equal(CircuitAdmission.Skip, admission);
        Assert.Equal(OutcomeKind.CircuitOpen, skipped!.Kind);
        Assert.Equal(503, skipped.StatusCode);
        Assert.Equal(
            "The circuit breaker of openai at https://api.openai.com/v1 is open after repeated failures, so it was not called. It may close after 2026-05-01T12:00:30.000Z, when one probe is sent.",
            skipped.Problem);
        Assert.Equal(TimeSpan.FromSeconds(30), skipped.RetryAfter);
        Assert.DoesNotContain("sk-secret-credential", circuit.Key, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdmitAsync_BreakOver_OneProbeAtATimeAndItsSuccessClosesTheCircuit()
    {
        var clock = Clock();
        var breakers = Breakers(clock, out var health);
        var circuit = breakers.For(Request(), Tight)!;
        await CallAsync(circuit, () => Status(503));
        await CallAsync(circuit, () => Status(503));
        clock.Advance(TimeSpan.FromSeconds(30));

        var (first, _) = await breakers.AdmitAsync(circuit, TimeSpan.FromSeconds(10), default);
        var (second, skipped) = await breakers.AdmitAsync(circuit, TimeSpan.FromSeconds(10), default);
        Assert.Equal(CircuitAdmission.Probe, first);
        Assert.Equal(CircuitAdmission.Skip, second);
        Assert.StartsWith("The circuit breaker of openai at https://api.openai.com/v1 is half-open", skipped!.Problem, StringComparison.Ordinal);
        Assert.Equal(ClusterState.HalfOpen, health.Get(circuit.Key).State);

        var probe = await CallAsync(circuit, () => Status(200));
        await breakers.ReportProbeAsync(circuit, probe);

        Assert.Equal(ClusterState.Closed, health.Get(circuit.Key).State);
        Assert.Equal([CircuitState.Closed], breakers.LocalStates(circuit.Key));
        Assert.Equal(CircuitAdmission.Pass, (await breakers.AdmitAsync(circuit, TimeSpan.FromSeconds(10), default)).Admission);
    }

    [Fact]
    public async Task ReportProbeAsync_ProbeFails_OpensForAnotherBreak()
    {
        var clock = Clock();
        var breakers = Breakers(clock, out var health);
        var circuit = breakers.For(Request(), Tight)!;
        await CallAsync(circuit, () => Status(503));
        await CallAsync(circuit, () => Status(503));
        clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(CircuitAdmission.Probe, (await breakers.AdmitAsync(circuit, TimeSpan.FromSeconds(10), default)).Admission);

        var probe = await CallAsync(circuit, () => Status(502));
        await breakers.ReportProbeAsync(circuit, probe);

        var status = health.Get(circuit.Key);
        Assert.Equal(ClusterState.Open, status.State);
        Assert.Equal(clock.GetUtcNow().AddSeconds(30), status.OpenUntil);
        Assert.Equal(CircuitAdmission.Skip, (await breakers.AdmitAsync(circuit, TimeSpan.FromSeconds(10), default)).Admission);
    }

    [Fact]
    public async Task ClusterClosed_ByAnotherReplicasProbe_ClosesTheLocalBreaker()
    {
        var clock = Clock();
        var breakers = Breakers(clock, out var health);
        var circuit = breakers.For(Request(), Tight)!;
        await CallAsync(circuit, () => Status(503));
        await CallAsync(circuit, () => Status(503));

        await health.PublishClosedAsync(circuit.Key, default);

        Assert.Equal([CircuitState.Closed], breakers.LocalStates(circuit.Key));
        Assert.Equal(200, (await CallAsync(circuit, () => Status(200))).StatusCode);
    }

    [Fact]
    public async Task AdmitAsync_OpenedByAnotherReplica_SkipsAlthoughThisReplicaSawNoFailure()
    {
        var clock = Clock();
        var breakers = Breakers(clock, out var health);
        var circuit = breakers.For(Request(), Tight)!;

        await health.PublishOpenAsync(circuit.Key, clock.GetUtcNow().AddSeconds(5), default);

        Assert.Equal(CircuitAdmission.Skip, (await breakers.AdmitAsync(circuit, TimeSpan.FromSeconds(10), default)).Admission);
        Assert.Equal([CircuitState.Closed], breakers.LocalStates(circuit.Key));
    }

    [Fact]
    public async Task Pipeline_SampledOutcomes_RecordedForTheClusterWithTheirPolicy()
    {
        var breakers = Breakers(Clock(), out var health);
        var circuit = breakers.For(Request(), Tight with { MinimumThroughput = 100 })!;

        await CallAsync(circuit, () => Status(200));
        await CallAsync(circuit, () => Status(503));
        await CallAsync(circuit, () => Status(404));
        await CallAsync(circuit, () => UpstreamOutcome.Failed("connection refused"));
        await Assert.ThrowsAsync<TimeoutRejectedException>(() => CallAsync(circuit, () => throw new TimeoutRejectedException()));
        await Assert.ThrowsAsync<OperationCanceledException>(() => CallAsync(circuit, () => throw new OperationCanceledException()));

        var thresholds = new State.CircuitThresholds("0.5|100|100000000|300000000|default", 0.5, 100, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30));
        Assert.Equal(
            [
                new RecordedOutcome(circuit.Key, thresholds, false),
                new RecordedOutcome(circuit.Key, thresholds, true),
                new RecordedOutcome(circuit.Key, thresholds, false),
                new RecordedOutcome(circuit.Key, thresholds, true),
                new RecordedOutcome(circuit.Key, thresholds, true),
            ],
            health.Recorded);
    }

    [Fact]
    public async Task Pipeline_OwnBreakerOpen_RefusedCallsAreNotRecorded()
    {
        var breakers = Breakers(Clock(), out var health);
        var circuit = breakers.For(Request(), Tight)!;
        await CallAsync(circuit, () => Status(503));
        await CallAsync(circuit, () => Status(503));

        await Assert.ThrowsAsync<BrokenCircuitException>(() => CallAsync(circuit, () => Status(200)));

        Assert.Equal([true, true], health.Recorded.Select(r => r.Failure));
    }

    [Theory]
    [InlineData(500, true)]
    [InlineData(503, true)]
    [InlineData(599, true)]
    [InlineData(408, true)]
    [InlineData(429, true)]
    [InlineData(400, false)]
    [InlineData(401, false)]
    [InlineData(404, false)]
    [InlineData(200, false)]
    public void IsFailure_DefaultStatuses_5xx408And429(int status, bool failure)
    {
        var circuit = Breakers(Clock(), out _).For(Request(), Tight)!;

        Assert.Equal(failure, circuit.Policy.IsFailure(Status(status)));
    }

    [Fact]
    public void IsFailure_ListedStatuses_OnlyThoseAndTransportErrorsCount()
    {
        var circuit = Breakers(Clock(), out _).For(Request(), Tight with { FailureStatusCodes = [401, 500] })!;

        Assert.True(circuit.Policy.IsFailure(Status(401)));
        Assert.False(circuit.Policy.IsFailure(Status(503)));
        Assert.True(circuit.Policy.IsFailure(UpstreamOutcome.Failed("reset")));
        Assert.True(circuit.Policy.IsFailure(UpstreamOutcome.TimedOut(TimeSpan.FromSeconds(1))));
    }
}
