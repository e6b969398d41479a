using Orleans.Concurrency;
using Switchyard.State;

namespace Switchyard.Grains;

/// <summary>
/// The circuit of one target (provider, base URL and credential fingerprint; the key is the target key) for the whole
/// cluster: closed, open until a time, or half-open with exactly one probe in flight. Front doors report what their own
/// breakers saw (openings, probe outcomes, and outcome counts in small batches), mirror the state the grain pushes to
/// them and skip an open target without a network call.
/// </summary>
[Alias("Switchyard.IProviderHealthGrain")]
public interface IProviderHealthGrain : IGrainWithStringKey
{
    /// <summary>The current state.</summary>
    [Alias("Get")]
    Task<CircuitView> GetAsync();

    /// <summary>Opens the circuit until <paramref name="openUntil"/> (a front door's breaker opened, or a probe failed); any probe claim is dropped.</summary>
    [Alias("Open")]
    Task<CircuitView> OpenAsync(DateTimeOffset openUntil);

    /// <summary>Closes the circuit (a probe succeeded).</summary>
    [Alias("Close")]
    Task<CircuitView> CloseAsync();

    /// <summary>
    /// Claims the probe of a circuit whose break has ended: it becomes half-open, owned by <paramref name="holderId"/>
    /// until <paramref name="probeExpiresAt"/>. True for exactly one claimant while a claim is live.
    /// </summary>
    [Alias("ClaimProbe")]
    Task<ProbeClaim> ClaimProbeAsync(string holderId, DateTimeOffset probeExpiresAt);

    /// <summary>
    /// Outcome counts a front door saw since its last report. The grain sums them over the sampling window across front
    /// doors and opens the circuit when the failure ratio and throughput reach the policy's thresholds.
    /// </summary>
    [Alias("Report")]
    Task<CircuitView> ReportAsync(OutcomeBatch batch);

    /// <summary>Registers <paramref name="watcher"/> for every change of this circuit (renew it before <c>WatchLifetime</c> passes).</summary>
    [Alias("Watch")]
    Task<CircuitView> WatchAsync(string holderId, ICircuitWatcher watcher);
}

/// <summary>A front door mirroring circuits.</summary>
[Alias("Switchyard.ICircuitWatcher")]
public interface ICircuitWatcher : IGrainObserver
{
    /// <summary>A circuit changed. One-way: a dead front door costs the grain nothing, and versions order what arrives.</summary>
    [Alias("Changed")]
    [OneWay]
    Task CircuitChanged(CircuitView view);
}

/// <summary>A circuit's state. <see cref="Version"/> grows with every change, so a watcher keeps only the newest it has seen.</summary>
[GenerateSerializer, Immutable, Alias("Switchyard.CircuitView")]
public sealed record CircuitView(
    [property: Id(0)] string TargetKey,
    [property: Id(1)] CircuitState State,
    [property: Id(2)] DateTimeOffset? OpenUntil,
    [property: Id(3)] string? ProbeOwner,
    [property: Id(4)] DateTimeOffset? ProbeExpiresAt,
    [property: Id(5)] long Version);

/// <summary>Whether a probe claim won, and the circuit after it.</summary>
[GenerateSerializer, Immutable, Alias("Switchyard.ProbeClaim")]
public sealed record ProbeClaim(
    [property: Id(0)] bool Won,
    [property: Id(1)] CircuitView View);

/// <summary>
/// Outcomes of calls to one target seen by one front door since its last report, with the breaker policy they were
/// judged by (targets with different <c>cb_config</c> are summed apart).
/// </summary>
[GenerateSerializer, Immutable, Alias("Switchyard.OutcomeBatch")]
public sealed record OutcomeBatch(
    [property: Id(0)] string PolicySignature,
    [property: Id(1)] int Successes,
    [property: Id(2)] int Failures,
    [property: Id(3)] double FailureRatio,
    [property: Id(4)] int MinimumThroughput,
    [property: Id(5)] TimeSpan SamplingDuration,
    [property: Id(6)] TimeSpan BreakDuration);
