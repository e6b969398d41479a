using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Switchyard.Grains.Tests.Infrastructure;
using Switchyard.State;

namespace Switchyard.Grains.Tests;

/// <summary>Spans, exchanges and state reads shared by the virtual-key grain tests.</summary>
internal static class VirtualKeyTestKit
{
    /// <summary>December 2026's dollar budget.</summary>
    public static readonly QuotaSpan Budget = new(
        QuotaMeter.CostMicros, new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public static readonly QuotaSpan Concurrency = new(QuotaMeter.Concurrent, DateTimeOffset.UnixEpoch, null);

    public static IVirtualKeyGrain VirtualKey(this GrainCluster cluster, string entityId) =>
        cluster.Client.GetGrain<IVirtualKeyGrain>(GovernedEntityKey.Of(GovernedKind.VirtualKey, entityId));

    public static LeaseExchange Ask(string holder, long sequence, QuotaSpan span, long limit, long need, long prefetch = 0) =>
        new(holder, sequence, [], [new GrantAsk(span, limit, need, prefetch)], null);

    public static LeaseExchange Report(string holder, long sequence, QuotaSpan span, long returned, long spent) =>
        new(holder, sequence, [new LeaseTotals(span, returned, spent, false)], [], null);

    /// <summary>A renewal that names the span, so its standing comes back.</summary>
    public static LeaseExchange Renew(string holder, long sequence, QuotaSpan span) => Report(holder, sequence, span, 0, 0);

    public static async Task<LeaseStanding> StandingAsync(this IVirtualKeyGrain grain, LeaseExchange exchange)
    {
        var reply = await grain.ExchangeAsync(exchange);
        return Assert.Single(reply.Standings);
    }

    public static async Task<QuotaStanding> UsageOfAsync(this IVirtualKeyGrain grain, QuotaSpan span) =>
        Assert.Single(await grain.UsageAsync(), standing => standing.Span == span);

    /// <summary>The grain's ledger as storage holds it, read with a live silo's grain storage serializer.</summary>
    public static VirtualKeyLedger StoredLedger(this GrainCluster cluster, IVirtualKeyGrain grain)
    {
        var data = cluster.Storage.Peek("ledger", grain.GetGrainId()) ?? throw new InvalidOperationException("No stored ledger.");
        var silo = cluster.Cluster.Silos.First(silo => silo.IsActive);
        return silo.ServiceProvider.GetRequiredService<IGrainStorageSerializer>().Deserialize<VirtualKeyLedger>(data)
            ?? throw new InvalidOperationException("The stored ledger is empty.");
    }

    public static LeaseRecord? StoredLease(this GrainCluster cluster, IVirtualKeyGrain grain, QuotaSpan span, string holder) =>
        cluster.StoredLedger(grain).Accounts.TryGetValue(VirtualKeyLedger.KeyOf(span), out var account)
        && account.Leases.TryGetValue(holder, out var lease)
            ? lease
            : null;
}
