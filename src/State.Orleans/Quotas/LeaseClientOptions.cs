namespace Switchyard.State.Orleans.Quotas;

/// <summary>How a front door holds and refreshes its quota leases (docs/state.md, <i>Quota leases</i>).</summary>
public sealed class LeaseClientOptions
{
    /// <summary>How long a lease lives at the grain without renewal; must match the silos' setting. Default 5 s.</summary>
    public TimeSpan LeaseLifetime { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long after a lease expired the grain takes back a budget's or rate limit's outstanding part; must match the
    /// silos' setting. Until then this front door may keep admitting from what it holds while the grain is unreachable.
    /// Default 15 min.
    /// </summary>
    public TimeSpan ReclaimAfter { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The same for concurrency slots; must match the silos' setting. Default 1 s.</summary>
    public TimeSpan ConcurrencyReclaimAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How far the clocks of front doors and silos may disagree; leases are used only this long short of their end. Default 1 s.</summary>
    public TimeSpan ClockSkewAllowance { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often settled spend is delivered, leases renewed and idle ones returned. Default 1 s.</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How soon budget spend is delivered after a settlement (settlements meanwhile ride along), so alert thresholds and
    /// admin reads follow within this. Default 50 ms.
    /// </summary>
    public TimeSpan SettleDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>After the grain failed to answer, how long claims beyond what this front door holds fail at once instead of waiting on it again. Default 1 s.</summary>
    public TimeSpan RetryAfterFailure { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Throws, naming the option, when a value cannot work.</summary>
    public LeaseClientOptions Validate()
    {
        if (LeaseLifetime <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(LeaseLifetime), LeaseLifetime, "LeaseLifetime must be positive.");
        }

        if (CheckpointInterval <= TimeSpan.Zero || CheckpointInterval * 2 > LeaseLifetime)
        {
            throw new ArgumentOutOfRangeException(nameof(CheckpointInterval), CheckpointInterval, "CheckpointInterval must be positive and at most half of LeaseLifetime (leases are renewed at checkpoints).");
        }

        if (ReclaimAfter < TimeSpan.Zero || ConcurrencyReclaimAfter < TimeSpan.Zero || ClockSkewAllowance < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ReclaimAfter), "ReclaimAfter, ConcurrencyReclaimAfter and ClockSkewAllowance must not be negative.");
        }

        if (SettleDelay < TimeSpan.Zero || RetryAfterFailure < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(SettleDelay), "SettleDelay and RetryAfterFailure must not be negative.");
        }

        return this;
    }
}
