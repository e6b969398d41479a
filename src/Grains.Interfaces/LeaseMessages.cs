using Switchyard.State;

namespace Switchyard.Grains;

/// <summary>One quota of an entity: a meter's budget period or rate-limit window (concurrency's starts at the epoch and never ends).</summary>
[GenerateSerializer, Immutable, Alias("Switchyard.QuotaSpan")]
public sealed record QuotaSpan(
    [property: Id(0)] QuotaMeter Meter,
    [property: Id(1)] DateTimeOffset Start,
    [property: Id(2)] DateTimeOffset? End);

/// <summary>
/// One front door's message to a virtual-key grain: its lease totals (settled spend and returns) and what it asks to be
/// granted. Every exchange renews all the front door's leases on the grain and registers <see cref="Holder"/> for pushes.
/// </summary>
/// <param name="HolderId">The front door process (a new id per start).</param>
/// <param name="Sequence">Increases with every exchange the front door sends to this grain; older or repeated ones change nothing.</param>
/// <param name="Holder">The front door's observer, told when the entity's limits change; null when it wants no pushes (tests).</param>
[GenerateSerializer, Immutable, Alias("Switchyard.LeaseExchange")]
public sealed record LeaseExchange(
    [property: Id(0)] string HolderId,
    [property: Id(1)] long Sequence,
    [property: Id(2)] LeaseTotals[] Totals,
    [property: Id(3)] GrantAsk[] Asks,
    [property: Id(4)] ILeaseHolder? Holder);

/// <summary>
/// A lease's cumulative totals as the front door knows them: everything it has given back of its grants
/// (<see cref="Returned"/>: the reservations of settled requests and unused balance) and the spend it settled
/// (<see cref="Spent"/>, added to the quota's used). Cumulative, so a lost or repeated message loses or doubles nothing.
/// </summary>
/// <param name="Closing">The front door gives the lease up: once nothing is outstanding the grain forgets it.</param>
[GenerateSerializer, Immutable, Alias("Switchyard.LeaseTotals")]
public sealed record LeaseTotals(
    [property: Id(0)] QuotaSpan Span,
    [property: Id(1)] long Returned,
    [property: Id(2)] long Spent,
    [property: Id(3)] bool Closing);

/// <summary>
/// Asks for at least <see cref="Need"/> more of a quota whose cap is <see cref="Limit"/> (as the front door's catalog
/// snapshot has it), and up to <see cref="Prefetch"/> beyond it for the requests to come.
/// </summary>
[GenerateSerializer, Immutable, Alias("Switchyard.GrantAsk")]
public sealed record GrantAsk(
    [property: Id(0)] QuotaSpan Span,
    [property: Id(1)] long Limit,
    [property: Id(2)] long Need,
    [property: Id(3)] long Prefetch);

/// <summary>The grain's answer: one standing per quota the exchange named.</summary>
/// <param name="Accepted">False when the exchange's sequence was not new: nothing was applied or granted.</param>
[GenerateSerializer, Immutable, Alias("Switchyard.LeaseExchangeReply")]
public sealed record LeaseExchangeReply(
    [property: Id(0)] LeaseStanding[] Standings,
    [property: Id(1)] bool Accepted);

/// <summary>
/// A front door's lease on one quota and the quota's standing, after the exchange. <see cref="Granted"/> and
/// <see cref="Reclaimed"/> are the lease's cumulative totals: what the front door may admit from is
/// <c>Granted − Reclaimed</c> less what it has returned, holds in flight and settled.
/// </summary>
/// <param name="Refused">An ask for this quota needed more than it has left: nothing was granted.</param>
/// <param name="Reclaimed">What the grain took back itself because the front door stopped renewing (cumulative).</param>
/// <param name="Used">The quota's settled use.</param>
/// <param name="Outstanding">What all leases on the quota hold (granted, not yet returned or reclaimed).</param>
/// <param name="UsedBefore">Used before this exchange's spend was added (equal to <paramref name="Used"/> when it added none): the crossing of alert thresholds.</param>
/// <param name="Returned">The lease's cumulative returns as the grain has applied them.</param>
/// <param name="Spent">The lease's cumulative spend as the grain has applied it.</param>
[GenerateSerializer, Immutable, Alias("Switchyard.LeaseStanding")]
public sealed record LeaseStanding(
    [property: Id(0)] QuotaSpan Span,
    [property: Id(1)] long Granted,
    [property: Id(2)] long Reclaimed,
    [property: Id(3)] bool Refused,
    [property: Id(4)] long Used,
    [property: Id(5)] long Outstanding,
    [property: Id(6)] long UsedBefore,
    [property: Id(7)] long Returned,
    [property: Id(8)] long Spent);

/// <summary>A quota as the admin API shows it: settled use, what leases hold, when it last changed.</summary>
[GenerateSerializer, Immutable, Alias("Switchyard.QuotaStanding")]
public sealed record QuotaStanding(
    [property: Id(0)] QuotaSpan Span,
    [property: Id(1)] long Used,
    [property: Id(2)] long Outstanding,
    [property: Id(3)] DateTimeOffset UpdatedAt);
