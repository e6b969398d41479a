using Switchyard.Grains;

namespace Switchyard.State.Orleans.Quotas;

/// <summary>
/// What this front door holds of one quota. The grain's figures are cumulative per lease: <see cref="Allotted"/> (granted
/// less what the grain reclaimed), and this front door's <see cref="Returned"/> (reservations of settled requests and
/// unused balance given back) and <see cref="Spent"/>; the <c>Sent</c> pair is what the grain has acknowledged. What
/// requests may still be admitted from is <see cref="Balance"/>. Every field is read and written under the bank's lock.
/// </summary>
internal sealed class HeldLease(QuotaWindow window, DateTimeOffset now)
{
    public QuotaWindow Window { get; } = window;

    public QuotaSpan Span { get; } = new(window.Meter, window.Start, window.End);

    /// <summary>The entity's link this lease belongs to (set once, when the lease is created).</summary>
    public LeasedQuotaBank.EntityLink? Link { get; init; }

    public long Allotted { get; set; }

    /// <summary>The quota's cap as the latest hard claim on it gave it (the entity's current limits); 0 before one.</summary>
    public long Limit { get; set; }

    public long Returned { get; set; }

    public long Spent { get; set; }

    public long SentReturned { get; set; }

    public long SentSpent { get; set; }

    /// <summary>Reserved by requests admitted from this lease and not yet settled.</summary>
    public long InFlight { get; set; }

    /// <summary>The quota's settled use and all leases' outstanding, as the grain last reported them.</summary>
    public long BankUsed { get; set; }

    public long BankOutstanding { get; set; }

    /// <summary>Until when the balance may be admitted from (this front door's clock, from when the last accepted exchange was sent).</summary>
    public DateTimeOffset ValidUntil { get; set; } = DateTimeOffset.MinValue;

    public DateTimeOffset LastReservedAt { get; set; } = now;

    public DateTimeOffset UpdatedAt { get; set; } = now;

    /// <summary>Units reserved per second, smoothed at each checkpoint: the basis of the next grant's prefetch.</summary>
    public double Rate { get; set; }

    public long UnitsSinceTick { get; set; }

    public DateTimeOffset RateSince { get; set; } = now;

    /// <summary>The last grant and when: a slice used up within a lease lifetime asks for twice as much next (before a rate is known).</summary>
    public long LastGrant { get; set; }

    public DateTimeOffset LastGrantAt { get; set; } = DateTimeOffset.MinValue;

    /// <summary>
    /// Budget settlements the grain has not confirmed yet, each as its amount and the lease's cumulative spend once it was
    /// added: the grain's reply places each one exactly inside the quota's used, for alerts.
    /// </summary>
    public List<(long End, long Amount)> PendingSpend { get; } = [];

    public bool IsConcurrency => Window.Meter == QuotaMeter.Concurrent;

    public bool IsBudget => Window.Meter is QuotaMeter.CostMicros or QuotaMeter.BudgetTokens;

    public long Balance => Allotted - Returned - InFlight;

    /// <summary>What may be admitted now: nothing beyond what is already owed once the lease is no longer valid.</summary>
    public long Usable(DateTimeOffset now) => now < ValidUntil ? Balance : Math.Min(0, Balance);

    /// <summary>Something the grain has not acknowledged yet.</summary>
    public bool Unsent => Returned != SentReturned || Spent != SentSpent;

    /// <summary>Granted and not given back, as the grain counts it for this front door.</summary>
    public long HeldAtGrain => Math.Max(0, Allotted - SentReturned);

    /// <summary>Settled plus reserved as the cluster sees it: the others' share as last reported, plus this front door's own.</summary>
    public long Taken => Saturate((Int128)BankUsed + (Spent - SentSpent) + Math.Max(0, BankOutstanding - HeldAtGrain) + InFlight);

    public static long Saturate(Int128 value) => value < 0 ? 0 : value > long.MaxValue ? long.MaxValue : (long)value;
}
