using Switchyard.State;

namespace Switchyard.Gateway.Telemetry;

/// <summary>
/// What the front door's quota bank knows that metrics show: leases granted to it, and the budget left per governed
/// key it holds a budget lease for. The host adapts its bank to this (the gateway does not know how quotas are held).
/// </summary>
public interface IQuotaGauge
{
    /// <summary>Lease grants (an exchange that raised a lease's allotment) since the process started.</summary>
    long LeaseGrants { get; }

    /// <summary>The budgets of the current windows this front door holds leases on, with what is left of each.</summary>
    IReadOnlyList<BudgetStanding> Budgets();
}

/// <summary>One budget of one governed key: its cap less its settled and reserved spend as this front door sees it.</summary>
/// <param name="Meter"><see cref="QuotaMeter.CostMicros"/> (micro-dollars) or <see cref="QuotaMeter.BudgetTokens"/>.</param>
public sealed record BudgetStanding(GovernedKind Kind, string EntityId, QuotaMeter Meter, long Remaining);
