namespace Switchyard.State.Postgres;

/// <summary>How the cluster quota bank leases quota to this replica (DESIGN.md §5a; docs/state.md, <i>Quota leases</i>).</summary>
public sealed class QuotaLeaseOptions
{
    /// <summary>
    /// How long a lease lives without renewal, and how old a replica's heartbeat may be before it counts as dead.
    /// Default 5 s. Leases in use are renewed at every checkpoint; an unused one is returned after this long idle.
    /// </summary>
    public TimeSpan LeaseLifetime { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often settled spend is checkpointed to the bank and the heartbeat written. Default 1 s.</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The most one lease may take of what a quota has left, divided among the live replicas. Default 0.5: a replica
    /// never takes more than half of what remains over the number of live replicas, whatever its rate.
    /// </summary>
    public double SliceFraction { get; init; } = 0.5;

    /// <summary>
    /// How far replicas' clocks may disagree: the janitor reclaims a dead replica's concurrency slots only this long
    /// after their lease expired. Default 1 s.
    /// </summary>
    public TimeSpan ClockSkewAllowance { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>After the database failed to answer, how long claims beyond local balances fail at once instead of waiting on it again. Default 1 s.</summary>
    public TimeSpan RetryAfterFailure { get; init; } = TimeSpan.FromSeconds(1);

    internal QuotaLeaseOptions Validated()
    {
        if (LeaseLifetime <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(LeaseLifetime), LeaseLifetime, "QuotaLeaseOptions.LeaseLifetime must be positive.");
        }

        if (CheckpointInterval <= TimeSpan.Zero || CheckpointInterval >= LeaseLifetime)
        {
            throw new ArgumentOutOfRangeException(nameof(CheckpointInterval), CheckpointInterval,
                "QuotaLeaseOptions.CheckpointInterval must be positive and shorter than LeaseLifetime (leases in use are renewed at each checkpoint).");
        }

        if (SliceFraction is not (> 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(SliceFraction), SliceFraction, "QuotaLeaseOptions.SliceFraction must be in (0, 1].");
        }

        if (ClockSkewAllowance < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ClockSkewAllowance), ClockSkewAllowance, "QuotaLeaseOptions.ClockSkewAllowance must not be negative.");
        }

        if (RetryAfterFailure < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RetryAfterFailure), RetryAfterFailure, "QuotaLeaseOptions.RetryAfterFailure must not be negative.");
        }

        return this;
    }
}
