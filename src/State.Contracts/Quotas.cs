namespace Switchyard.State;

/// <summary>The three kinds of record that carry limits (DESIGN.md §5): a request is admitted only if every level admits it.</summary>
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
/// <see cref="long.MaxValue"/>: it is counted but never refused.
/// </summary>
public readonly record struct QuotaClaim(QuotaWindow Window, long Limit, long Amount);

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
/// The quota bank under the key ledger (DESIGN.md §5 and §5a). Invariant: for every quota, used + reserved never exceeds
/// the limit a claim carried, whatever the concurrency. The embedded bank keeps the numbers in process memory (exact,
/// one process) and writes settled use to SQLite in small batches; the PostgreSQL bank leases slices of each quota to
/// replicas with atomic statements that never grant past the limit, and admits from the local slice in memory.
/// </summary>
public interface IQuotaBank
{
    /// <summary>All or nothing: reserves every claim if each fits (used + reserved + amount ≤ limit), otherwise none.</summary>
    ValueTask<QuotaDecision> ReserveAsync(IReadOnlyList<QuotaClaim> claims, CancellationToken cancellationToken);

    /// <summary>Settles reservations made by <see cref="ReserveAsync"/>. Never refuses: spend already happened.</summary>
    ValueTask<IReadOnlyList<QuotaChange>> SettleAsync(IReadOnlyList<QuotaSettlement> settlements, CancellationToken cancellationToken);

    /// <summary>Every quota row of one entity (newest windows first): the spend ledger as the admin API shows it.</summary>
    Task<IReadOnlyList<QuotaUsage>> UsageAsync(GovernedKind kind, string entityId, CancellationToken cancellationToken);

    /// <summary>
    /// An entity's limits changed (an admin raised, lowered or removed them): give back whatever this process holds of
    /// its quotas, so the next request is admitted against the new caps at once. The embedded bank holds nothing
    /// beyond the bank itself; the cluster bank returns the entity's unused lease balances.
    /// </summary>
    Task LimitsChangedAsync(GovernedKind kind, string entityId, CancellationToken cancellationToken);

    /// <summary>Makes everything settled so far durable (graceful shutdown; the embedded bank otherwise lags ≤ ~100 ms).</summary>
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
