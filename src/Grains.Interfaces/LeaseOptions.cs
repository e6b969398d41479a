using Microsoft.Extensions.Options;

namespace Switchyard.Grains;

/// <summary>
/// How quota leases work, on both sides, bound from <c>Switchyard:Cluster:Leases</c> in silos and front doors alike (so
/// the two agree): how a <see cref="IVirtualKeyGrain"/> hands out, renews, takes back and forgets them, and how a front
/// door holds, delivers and renews them.
/// </summary>
public sealed class LeaseOptions
{
    /// <summary>
    /// How long one exchange keeps all of a front door's leases on an entity alive; also the period of the grain's
    /// reclaim and prune timer. Default 5 s.
    /// </summary>
    public TimeSpan LeaseLifetime { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The share of what a quota has left (after the asked need) that may be prefetched in one grant, split among the
    /// front doors holding live leases on it; 0 grants exactly the need. From 0 to 1. Default 0.5.
    /// </summary>
    public double SliceFraction { get; set; } = 0.5;

    /// <summary>
    /// How long after its leases expired a front door's budget and rate-window leases are reclaimed. Default 15 minutes:
    /// longer than the gateway's default request timeout (<c>GatewayOptions.DefaultRequestTimeout</c>, 10 minutes),
    /// because what a budget lease holds may be reservations of requests still in flight on a front door that stopped
    /// renewing; reclaiming them earlier would let the quota be granted twice over.
    /// </summary>
    public TimeSpan ReclaimAfter { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How long after its leases expired a front door's concurrency leases are reclaimed: a front door that stops
    /// renewing is presumed gone, and its in-flight slots with it. Default 1 s.
    /// </summary>
    public TimeSpan ConcurrencyReclaimAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long after its last exchange a front door's observer is still told that limits changed. Default 1 minute.</summary>
    public TimeSpan ObserverLifetime { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a front door with nothing outstanding may stay silent before the grain forgets it and its lease totals.
    /// Must be at least <see cref="ReclaimAfter"/>: a front door back from a freeze resends its cumulative totals, and
    /// once forgotten they would be counted again. Default 1 day.
    /// </summary>
    public TimeSpan ForgetHolderAfter { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How long after a rate-limit window ended its quota is kept (once nothing is outstanding on it). Default 1 hour.</summary>
    public TimeSpan RateWindowRetention { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Front doors: how far their clocks and the silos' may disagree; a lease is used only this long short of its end. Default 1 s.</summary>
    public TimeSpan ClockSkewAllowance { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Front doors: how often settled spend is delivered, held leases renewed and idle ones returned. Default 1 s; at most a third of <see cref="LeaseLifetime"/>.</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Front doors: how soon budget spend is delivered after a settlement (settlements meanwhile ride along), so alert
    /// thresholds and admin reads follow within this. It bounds the deliveries a busy front door makes per budgeted
    /// entity: at most one per this delay, whatever the request rate. Default 200 ms.
    /// </summary>
    public TimeSpan SettleDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Front doors: after a grain failed to answer, how long claims beyond what is held fail at once instead of waiting on it again. Default 1 s.</summary>
    public TimeSpan RetryAfterFailure { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Throws an <see cref="OptionsValidationException"/> naming every setting out of range.</summary>
    public void Validate()
    {
        var failures = new List<string>();
        if (LeaseLifetime <= TimeSpan.Zero)
        {
            failures.Add($"{nameof(LeaseOptions)}.{nameof(LeaseLifetime)} must be greater than zero.");
        }

        if (!(SliceFraction >= 0 && SliceFraction <= 1))
        {
            failures.Add($"{nameof(LeaseOptions)}.{nameof(SliceFraction)} must be from 0 to 1.");
        }

        if (ReclaimAfter < TimeSpan.Zero)
        {
            failures.Add($"{nameof(LeaseOptions)}.{nameof(ReclaimAfter)} must not be negative.");
        }

        if (ConcurrencyReclaimAfter < TimeSpan.Zero)
        {
            failures.Add($"{nameof(LeaseOptions)}.{nameof(ConcurrencyReclaimAfter)} must not be negative.");
        }

        if (ObserverLifetime <= TimeSpan.Zero)
        {
            failures.Add($"{nameof(LeaseOptions)}.{nameof(ObserverLifetime)} must be greater than zero.");
        }

        if (ForgetHolderAfter < ReclaimAfter || ForgetHolderAfter <= LeaseLifetime)
        {
            failures.Add($"{nameof(LeaseOptions)}.{nameof(ForgetHolderAfter)} must be at least {nameof(ReclaimAfter)} and longer than {nameof(LeaseLifetime)}.");
        }

        if (RateWindowRetention < TimeSpan.Zero)
        {
            failures.Add($"{nameof(LeaseOptions)}.{nameof(RateWindowRetention)} must not be negative.");
        }

        if (CheckpointInterval <= TimeSpan.Zero || (LeaseLifetime > TimeSpan.Zero && CheckpointInterval * 3 > LeaseLifetime))
        {
            failures.Add($"{nameof(LeaseOptions)}.{nameof(CheckpointInterval)} must be greater than zero and at most a third of {nameof(LeaseLifetime)} (held leases are renewed at checkpoints).");
        }

        if (ClockSkewAllowance < TimeSpan.Zero || SettleDelay < TimeSpan.Zero || RetryAfterFailure < TimeSpan.Zero)
        {
            failures.Add($"{nameof(LeaseOptions)}.{nameof(ClockSkewAllowance)}, {nameof(SettleDelay)} and {nameof(RetryAfterFailure)} must not be negative.");
        }

        if (failures.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(LeaseOptions), failures);
        }
    }
}
