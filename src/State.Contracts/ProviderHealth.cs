namespace Switchyard.State;

/// <summary>The cluster-wide state of one target's circuit.</summary>
public enum CircuitState
{
    /// <summary>Calls go through (the usual state; also every target no replica ever opened).</summary>
    Closed,

    /// <summary>Calls are skipped without a network call until <see cref="CircuitStatus.OpenUntil"/>.</summary>
    Open,

    /// <summary>The break is over and one replica (<see cref="CircuitStatus.ProbeOwner"/>) sends one probe; everyone else keeps skipping until its outcome is published.</summary>
    HalfOpen,
}

/// <summary>What a replica knows about a target's circuit.</summary>
/// <param name="TargetKey">The target's key: provider, base URL and virtual key slug or credential hash, never a credential.</param>
/// <param name="OpenUntil">When the break ends and a probe may be sent; null when closed.</param>
/// <param name="ProbeOwner">The replica sending the probe of a half-open circuit.</param>
/// <param name="ProbeExpiresAt">When the probe's claim lapses, so another replica may probe if the owner died.</param>
public sealed record CircuitStatus(
    string TargetKey,
    CircuitState State,
    DateTimeOffset? OpenUntil,
    string? ProbeOwner,
    DateTimeOffset? ProbeExpiresAt)
{
    public static CircuitStatus ClosedFor(string targetKey) => new(targetKey, CircuitState.Closed, null, null, null);

    /// <summary>Whether a call to the target must be skipped at <paramref name="now"/> without trying to claim the probe.</summary>
    public bool Blocks(DateTimeOffset now) => State switch
    {
        CircuitState.Open => OpenUntil is not { } until || now < until,
        CircuitState.HalfOpen => ProbeExpiresAt is not { } expires || now < expires,
        _ => false,
    };
}

/// <summary>
/// The breaker policy a call's outcome was judged by (a target's <c>cb_config</c> over the gateway's defaults). Outcomes
/// are summed per <see cref="Signature"/>, so targets of one key with different settings are sampled apart.
/// </summary>
/// <param name="Signature">Names the policy: equal settings give equal signatures.</param>
/// <param name="FailureRatio">Share of failed calls in the sampling window that opens the circuit.</param>
/// <param name="MinimumThroughput">Calls the sampling window must hold before the ratio counts.</param>
/// <param name="SamplingDuration">The window the ratio is measured over.</param>
/// <param name="BreakDuration">How long a circuit opened by these outcomes skips its target.</param>
public sealed record CircuitThresholds(
    string Signature,
    double FailureRatio,
    int MinimumThroughput,
    TimeSpan SamplingDuration,
    TimeSpan BreakDuration);

/// <summary>
/// Provider health shared by every replica: which targets' circuits are open. Each replica samples its own calls (a
/// local breaker) and publishes an opened circuit here; every replica then skips the target until the break ends, and
/// exactly one replica at a time probes it. Replicas also hand every sampled outcome to <see cref="Record"/>, so
/// failures spread thinly over many replicas can open a circuit that no single replica's breaker would.
/// </summary>
/// <remarks>
/// <see cref="Get"/> is on the hot path of every call and answers from memory, and <see cref="Record"/> only counts in
/// memory; the other members reach the shared state. Times are the replicas' own clocks (<see cref="TimeProvider"/>),
/// so replicas must keep them in step (NTP).
/// </remarks>
public interface IProviderHealth
{
    /// <summary>The last known cluster-wide state of <paramref name="targetKey"/>, from memory (no I/O); closed when unknown.</summary>
    CircuitStatus Get(string targetKey);

    /// <summary>
    /// The cluster-wide state of <paramref name="targetKey"/> before a call to it: from memory, except the first time this
    /// process uses the key, when it waits (briefly) for the cluster's answer, so a circuit opened elsewhere is honoured
    /// from a front door's first call on.
    /// </summary>
    ValueTask<CircuitStatus> CurrentAsync(string targetKey, CancellationToken cancellationToken);

    /// <summary>Every circuit known not to be closed, for metrics and tests.</summary>
    IReadOnlyList<CircuitStatus> NotClosed();

    /// <summary>Opens the circuit everywhere until <paramref name="openUntil"/> (also after a failed probe); any probe claim is dropped.</summary>
    Task PublishOpenAsync(string targetKey, DateTimeOffset openUntil, CancellationToken cancellationToken);

    /// <summary>Closes the circuit everywhere (a probe succeeded).</summary>
    Task PublishClosedAsync(string targetKey, CancellationToken cancellationToken);

    /// <summary>
    /// Claims the probe of a circuit whose break has ended (it becomes half-open, owned by this replica until
    /// <paramref name="probeExpiresAt"/>). Only one claimant wins while a claim is live; false for every other one, and
    /// when the circuit is closed or still within its break.
    /// </summary>
    Task<bool> TryClaimProbeAsync(string targetKey, DateTimeOffset now, DateTimeOffset probeExpiresAt, CancellationToken cancellationToken);

    /// <summary>
    /// Counts one sampled outcome of a call to <paramref name="targetKey"/> (a failure by <paramref name="thresholds"/>'
    /// rules, or not) toward the cluster-wide failure ratio. Never blocks and never throws: implementations send the
    /// counts in batches.
    /// </summary>
    void Record(string targetKey, CircuitThresholds thresholds, bool failure);

    /// <summary>Raised when a circuit's known state changes (published here or by another replica); handlers must be quick and not throw.</summary>
    event Action<CircuitStatus>? Changed;
}
