namespace Switchyard.State;

/// <summary>The three kinds of record that carry limits: a request is admitted only if every level admits it.</summary>
public enum GovernedKind
{
    Workspace,
    ApiKey,
    VirtualKey,
}

/// <summary>What a quota counts.</summary>
public enum QuotaMeter
{
    /// <summary>Budget spend in micro-dollars (1 USD = 1,000,000).</summary>
    CostMicros,

    /// <summary>Budget spend in tokens (a <c>usage_limits</c> of type <c>tokens</c>).</summary>
    BudgetTokens,

    /// <summary>Requests in a rate-limit window.</summary>
    Requests,

    /// <summary>Tokens in a rate-limit window.</summary>
    Tokens,

    /// <summary>Requests in flight. Not windowed: its window starts at the Unix epoch and never ends; a settled claim adds nothing to used.</summary>
    Concurrent,
}

/// <summary>
/// One quota a request draws from: one entity's budget period or rate-limit window. A new period or window is a new
/// quota (a new row in the spend ledger): nothing is ever zeroed. <see cref="End"/> is null for budgets without a period
/// and for concurrency.
/// </summary>
public sealed record QuotaWindow(GovernedKind Kind, string EntityId, QuotaMeter Meter, DateTimeOffset Start, DateTimeOffset? End);

/// <summary>
/// Asks to reserve <see cref="Amount"/> from a quota whose cap is <see cref="Limit"/> (the cap comes from the entity's
/// current limits, so raising a budget admits on the next request). A claim without a hard cap passes
/// <see cref="long.MaxValue"/>: it is never refused and the bank holds nothing for it, so its settlement reserves 0.
/// </summary>
public readonly record struct QuotaClaim(QuotaWindow Window, long Limit, long Amount)
{
    public bool IsHard => Limit != long.MaxValue;
}

/// <summary>The answer to a set of claims: all were reserved, or none was and <see cref="RefusedIndex"/> names the first that did not fit.</summary>
/// <param name="RefusedIndex">-1 when admitted; otherwise the index of the first claim that would have gone past its limit.</param>
/// <param name="Taken">Per claim, used + reserved after this reservation (admitted) or as found (refused): the basis of <c>remaining</c> headers.</param>
public sealed record QuotaDecision(int RefusedIndex, IReadOnlyList<long> Taken)
{
    public bool Admitted => RefusedIndex < 0;
}

/// <summary>
/// Ends a reservation: <see cref="Reserved"/> is given back and <see cref="Actual"/> is added to used (0 releases it
/// without charge; the worst case if the real figure is unknown).
/// </summary>
public readonly record struct QuotaSettlement(QuotaWindow Window, long Reserved, long Actual);

/// <summary>A quota's standing: settled use, what is reserved by requests in flight, and when it last changed.</summary>
public sealed record QuotaUsage(QuotaWindow Window, long Used, long Reserved, DateTimeOffset UpdatedAt);

/// <summary>What one settlement did to a quota's settled use, so the caller can tell which alert thresholds it crossed.</summary>
public readonly record struct QuotaChange(QuotaWindow Window, long UsedBefore, long UsedAfter);

/// <summary>
/// The quota bank under the key ledger. Invariant: for every quota, what is settled plus what is reserved never exceeds
/// the limit a claim carried, whatever the concurrency and however many front doors share the quota. Each governed
/// entity's virtual-key grain is the authority; a front door holds leases (slices of quota) from it and admits from them
/// in memory, settles in memory, and exchanges with the grain in the background (docs/architecture.md, Leases).
/// </summary>
public interface IQuotaBank
{
    /// <summary>All or nothing: reserves every claim if each fits (used + reserved + amount ≤ limit), otherwise none.</summary>
    /// <exception cref="QuotaBankUnavailableException">A hard claim needs more than this front door holds and the authority cannot be reached.</exception>
    ValueTask<QuotaDecision> ReserveAsync(IReadOnlyList<QuotaClaim> claims, CancellationToken cancellationToken);

    /// <summary>
    /// Settles reservations made by <see cref="ReserveAsync"/>, in memory: never refuses (spend already happened) and never
    /// waits. The authority records it in the background; <see cref="SpendRecorded"/> reports when it has.
    /// </summary>
    void Settle(IReadOnlyList<QuotaSettlement> settlements);

    /// <summary>
    /// Raised, per settlement, when the authority has recorded budget spend (<see cref="QuotaMeter.CostMicros"/>,
    /// <see cref="QuotaMeter.BudgetTokens"/>) this front door settled: the quota's settled use right before and after that
    /// settlement's amount, so each alert threshold is crossed by exactly one settlement cluster-wide. Handlers must be
    /// quick and not throw.
    /// </summary>
    event Action<QuotaChange>? SpendRecorded;

    /// <summary>Every quota of one entity (newest windows first): the spend ledger as the admin API shows it.</summary>
    Task<IReadOnlyList<QuotaUsage>> UsageAsync(GovernedKind kind, string entityId, CancellationToken cancellationToken);

    /// <summary>
    /// An entity's limits changed (an admin raised, lowered or removed them, or revoked the entity): tells its authority,
    /// which tells every front door holding a lease on it to give the unused part back, so the next request everywhere
    /// is admitted against the new limits.
    /// </summary>
    Task LimitsChangedAsync(GovernedKind kind, string entityId, CancellationToken cancellationToken);

    /// <summary>Delivers every settlement and gives back every unused balance (graceful shutdown).</summary>
    Task FlushAsync(CancellationToken cancellationToken);
}

/// <summary>
/// The quota bank cannot answer a claim that needs it: a hard claim (its limit below <see cref="long.MaxValue"/>) asked
/// for more than this process holds locally while the bank's database was unreachable. Such a claim fails closed (the
/// request is not admitted); claims without a hard cap are still admitted and counted locally.
/// </summary>
public sealed class QuotaBankUnavailableException : Exception
{
    public QuotaBankUnavailableException()
        : this("The quota bank is unavailable.")
    {
    }

    public QuotaBankUnavailableException(string message)
        : base(message)
    {
    }

    public QuotaBankUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Settled spend recorded before quotas were kept in virtual-key grains (the stores' <c>quota_usage</c> table): a grain
/// reads its entity's rows once, when it first activates with no state, so existing installs keep their spend.
/// </summary>
public interface ISettledSpendArchive
{
    /// <summary>Every stored quota window of the entity with its settled use (reserved is always 0).</summary>
    Task<IReadOnlyList<QuotaUsage>> ReadAsync(GovernedKind kind, string entityId, CancellationToken cancellationToken);
}
