using Orleans.Concurrency;

namespace Switchyard.Grains;

/// <summary>
/// The single authority for one governed entity's quotas (a virtual key, an API key or a workspace; the key is
/// <see cref="GovernedEntityKey"/>): its budgets per period, rate-limit windows and concurrency, the spend settled in each,
/// and the slices of quota (leases) it has handed to front doors. Invariant, per quota: settled use plus every lease's
/// outstanding grant never exceeds the limit the granting ask carried.
/// </summary>
/// <remarks>
/// Front doors never call it per request: they admit from the leases they hold and exchange with the grain in the
/// background (refills, settlements, returns, renewals), one exchange at a time per front door.
/// </remarks>
[Alias("Switchyard.IVirtualKeyGrain")]
public interface IVirtualKeyGrain : IGrainWithStringKey
{
    /// <summary>
    /// Applies a front door's lease totals and grants what it asks for, all written to grain state before the reply.
    /// An exchange whose <see cref="LeaseExchange.Sequence"/> is not above the last one applied from that front door
    /// changes nothing (a retry, duplicate or late message) and is answered with the current standings.
    /// </summary>
    [Alias("Exchange")]
    Task<LeaseExchangeReply> ExchangeAsync(LeaseExchange exchange);

    /// <summary>The entity's limits changed (an admin raised, lowered or removed them, or revoked the entity): every front door holding a lease is told to return it at once.</summary>
    [Alias("LimitsChanged")]
    Task LimitsChangedAsync();

    /// <summary>Every quota of the entity with its settled use and what leases hold outstanding, newest windows first.</summary>
    [Alias("Usage")]
    Task<QuotaStanding[]> UsageAsync();
}

/// <summary>A front door holding leases, told when it must give them back.</summary>
[Alias("Switchyard.ILeaseHolder")]
public interface ILeaseHolder : IGrainObserver
{
    /// <summary>
    /// The limits of the entity <paramref name="entityKey"/> changed: return every unused balance of its leases now and
    /// lease again against the new limits. One-way: a dead front door costs the grain nothing.
    /// </summary>
    [Alias("LimitsChanged")]
    [OneWay]
    Task LimitsChanged(string entityKey);
}
