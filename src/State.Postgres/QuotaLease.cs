namespace Switchyard.State.Postgres;

/// <summary>
/// What this replica holds of one quota (DESIGN.md §5a): <see cref="Granted"/> leased from the bank row (part of its
/// <c>reserved</c>), of which requests in flight hold <see cref="InFlight"/> and settled spend not yet checkpointed is
/// <see cref="Settled"/>; the rest is the local balance requests are admitted from without a round trip. Every field is
/// read and written under the bank's one lock; bank I/O for the quota is serialised by <see cref="Io"/>.
/// </summary>
internal sealed class QuotaLease(QuotaWindow window, DateTimeOffset now)
{
    public QuotaWindow Window { get; } = window;

    /// <summary>The <c>quota_leases</c> row this replica keeps for the quota while it holds some of it.</summary>
    public Guid LeaseId { get; } = Guid.NewGuid();

    /// <summary>Held by whoever talks to the bank about this quota (lease, checkpoint, return), so those never overlap.</summary>
    public SemaphoreSlim Io { get; } = new(1, 1);

    /// <summary>What the bank row counts as this replica's (its lease's granted).</summary>
    public long Granted { get; set; }

    /// <summary>Unused balance on its way back to the bank: not admitted from while the return is in flight.</summary>
    public long Returning { get; set; }

    public long InFlight { get; set; }

    public long Settled { get; set; }

    /// <summary>The bank row's used and reserved as last seen (every round trip about this quota refreshes them).</summary>
    public long BankUsed { get; set; }

    public long BankReserved { get; set; }

    /// <summary>Until when the lease may be used (local clock, from before the statement that set it was sent).</summary>
    public DateTimeOffset ValidUntil { get; set; } = now;

    public DateTimeOffset LastReservedAt { get; set; } = now;

    public DateTimeOffset UpdatedAt { get; set; } = now;

    /// <summary>Units reserved per second, smoothed at each checkpoint: the basis of the next lease's size.</summary>
    public double Rate { get; set; }

    public long UnitsSinceTick { get; set; }

    /// <summary>The last grant and when: a slice used up within a lease lifetime makes the next one twice as big (slow start, before a rate is known).</summary>
    public long LastGrant { get; set; }

    public DateTimeOffset LastGrantAt { get; set; } = DateTimeOffset.MinValue;

    public DateTimeOffset RateSince { get; set; } = now;

    /// <summary>Odd while a round trip about this quota is between its snapshot and its result; bumped at both ends.</summary>
    public long Epoch { get; set; }

    /// <summary>Settlements waiting for the checkpoint that tells their exact place in the bank's used.</summary>
    public List<SettleWaiter> Waiters { get; } = [];

    /// <summary>Out of the table: whoever still holds this object must look the quota up again.</summary>
    public bool Removed { get; set; }

    public bool IsConcurrency => Window.Meter == QuotaMeter.Concurrent;

    /// <summary>What requests may still be admitted from without asking the bank (negative: this replica owes it).</summary>
    public long Balance => Granted - Returning - InFlight - Settled;

    /// <summary>Balance usable now: concurrency slots only while the lease is valid, since the janitor may hand out expired ones of a silent replica.</summary>
    public long Usable(DateTimeOffset now) => IsConcurrency && now >= ValidUntil ? Math.Min(0, Balance) : Balance;

    /// <summary>Used + reserved as the cluster sees it: everyone else's share as last seen, plus this replica's in flight and settled.</summary>
    public long Taken => Saturate((Int128)BankUsed + BankReserved - Granted + InFlight + Settled);

    public long UsedView => Saturate((Int128)BankUsed + Settled);

    public static long Saturate(Int128 value) => value < 0 ? 0 : value > long.MaxValue ? long.MaxValue : (long)value;
}

/// <summary>One settlement's place in the quota's settled spend since the last checkpoint, and what it reports if no checkpoint answers.</summary>
internal sealed class SettleWaiter(long offset, long amount, QuotaChange fallback)
{
    public long Offset { get; set; } = offset;

    public long Amount { get; } = amount;

    public QuotaChange Fallback { get; } = fallback;

    public TaskCompletionSource<QuotaChange> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
