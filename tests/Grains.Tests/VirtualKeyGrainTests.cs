using Switchyard.Grains.Tests.Infrastructure;
using Switchyard.State;
using static Switchyard.Grains.Tests.VirtualKeyTestKit;

namespace Switchyard.Grains.Tests;

/// <summary>
/// <see cref="VirtualKeyGrain"/> on the two-silo test cluster: persistence before the reply, idempotent exchanges,
/// grants under concurrency, expiry on the fake clock, pushes, reactivation and the archived-spend import. Each test uses
/// an entity of its own; the clock only moves forward, so tests reason from the time they start at.
/// </summary>
public sealed class VirtualKeyGrainTests(GrainCluster cluster) : IClassFixture<GrainCluster>
{
    private static readonly TimeSpan Lifetime = new LeaseOptions().LeaseLifetime;
    private static readonly TimeSpan ReclaimAfter = new LeaseOptions().ReclaimAfter;
    private static readonly TimeSpan ConcurrencyReclaimAfter = new LeaseOptions().ConcurrencyReclaimAfter;
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);

    [Fact]
    public async Task ExchangeAsync_Grant_IsStoredWhenTheReplyArrives()
    {
        var grain = cluster.VirtualKey("stored-grant");
        await grain.UsageAsync();
        var writesBefore = cluster.Storage.WriteCount(grain.GetGrainId());

        var standing = await grain.StandingAsync(Ask("A", 1, Budget, limit: 1_000, need: 100));

        Assert.Equal(100, standing.Granted);
        Assert.Equal(writesBefore + 1, cluster.Storage.WriteCount(grain.GetGrainId()));
        var stored = cluster.StoredLease(grain, Budget, "A");
        Assert.NotNull(stored);
        Assert.Equal(100, stored.Granted);
        Assert.Equal(1, cluster.StoredLedger(grain).Holders["A"].LastSequence);
    }

    [Fact]
    public async Task ExchangeAsync_WriteFails_ThrowsAndNothingIsGranted()
    {
        var grain = cluster.VirtualKey("failed-write");
        await grain.UsageAsync();
        cluster.Storage.FailNextWrites(grain.GetGrainId(), 1);

        var failure = await Assert.ThrowsAsync<OrleansException>(() => grain.ExchangeAsync(Ask("A", 1, Budget, limit: 1_000, need: 100)));

        Assert.IsType<IOException>(failure.InnerException);

        var after = await grain.StandingAsync(Renew("A", 2, Budget));
        Assert.Equal(0, after.Granted);
        Assert.Equal(0, after.Outstanding);
        Assert.Equal(0, (await grain.UsageOfAsync(Budget)).Outstanding);
        Assert.Equal(0, cluster.StoredLease(grain, Budget, "A")!.Granted);
        var retried = await grain.StandingAsync(Ask("A", 3, Budget, limit: 1_000, need: 100));
        Assert.Equal(100, retried.Granted);
        Assert.Equal(100, retried.Outstanding);
    }

    [Fact]
    public async Task ExchangeAsync_SameExchangeTwice_AppliesOnce()
    {
        var grain = cluster.VirtualKey("duplicate");
        await grain.ExchangeAsync(Ask("A", 1, Budget, limit: 1_000, need: 100));
        var exchange = new LeaseExchange("A", 2, [new LeaseTotals(Budget, 30, 20, false)], [new GrantAsk(Budget, 1_000, 50, 0)], null);

        var first = await grain.ExchangeAsync(exchange);
        var writes = cluster.Storage.WriteCount(grain.GetGrainId());
        var second = await grain.ExchangeAsync(exchange);

        Assert.True(first.Accepted);
        Assert.False(second.Accepted);
        var standing = Assert.Single(second.Standings);
        Assert.Equal(new LeaseStanding(Budget, Granted: 150, Reclaimed: 0, Refused: false, Used: 20, Outstanding: 120, UsedBefore: 20, Returned: 30, Spent: 20), standing);
        Assert.Equal(writes, cluster.Storage.WriteCount(grain.GetGrainId()));
        var usage = await grain.UsageOfAsync(Budget);
        Assert.Equal((20L, 120L), (usage.Used, usage.Outstanding));
    }

    [Fact]
    public async Task ExchangeAsync_OlderSequenceAfterNewer_AppliesNothing()
    {
        var grain = cluster.VirtualKey("reordered");
        await grain.ExchangeAsync(Ask("A", 1, Budget, limit: 1_000, need: 100));
        await grain.ExchangeAsync(new LeaseExchange("A", 5, [new LeaseTotals(Budget, 30, 20, false)], [new GrantAsk(Budget, 1_000, 50, 0)], null));

        var late = await grain.ExchangeAsync(new LeaseExchange("A", 4, [new LeaseTotals(Budget, 60, 50, false)], [new GrantAsk(Budget, 1_000, 70, 0)], null));

        Assert.False(late.Accepted);
        Assert.Equal(new LeaseStanding(Budget, 150, 0, false, 20, 120, 20, 30, 20), Assert.Single(late.Standings));
        var usage = await grain.UsageOfAsync(Budget);
        Assert.Equal((20L, 120L), (usage.Used, usage.Outstanding));
    }

    [Fact]
    public async Task ExchangeAsync_ReplyLostThenSameTotalsUnderNextSequence_AppliesOnce()
    {
        var grain = cluster.VirtualKey("lost-reply");
        await grain.ExchangeAsync(Ask("A", 1, Budget, limit: 1_000, need: 100));

        // The front door never sees this reply: it cannot tell whether the grain applied it.
        _ = await grain.ExchangeAsync(new LeaseExchange("A", 2, [new LeaseTotals(Budget, 40, 30, false)], [new GrantAsk(Budget, 1_000, 10, 0)], null));
        var next = await grain.StandingAsync(Report("A", 3, Budget, returned: 40, spent: 30));

        Assert.Equal(new LeaseStanding(Budget, Granted: 110, Reclaimed: 0, Refused: false, Used: 30, Outstanding: 70, UsedBefore: 30, Returned: 40, Spent: 30), next);
        var usage = await grain.UsageOfAsync(Budget);
        Assert.Equal((30L, 70L), (usage.Used, usage.Outstanding));
    }

    [Fact]
    public async Task ExchangeAsync_FortyHoldersAtOnce_NeverGrantPastLimitLessUsed()
    {
        var grain = cluster.VirtualKey("forty");
        await grain.ExchangeAsync(Report("spender", 1, Budget, returned: 0, spent: 100));

        var replies = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => grain.ExchangeAsync(Ask($"H{i}", 1, Budget, limit: 1_000, need: 20, prefetch: 40))));

        var standings = replies.Select(reply => Assert.Single(reply.Standings)).ToArray();
        // Identical asks are granted the same amounts whatever order the grain takes them in: 20 + min(40, ⌊0.5 × (available − 20) / live⌋).
        long[] expected = [60, 60, 60, 60, 60, 60, 57, 48, 43, 38, 35, 32, 30, 28, 26, 25, 24, 23, 22, 22, 21, 21, 20, 20];
        Assert.Equal(expected, standings.Where(s => !s.Refused).Select(s => s.Granted).OrderDescending());
        Assert.Equal(895, standings.Sum(s => s.Granted));
        Assert.Equal(16, standings.Count(s => s.Refused));
        Assert.All(standings.Where(s => s.Refused), s => Assert.Equal(0, s.Granted));
        var usage = await grain.UsageOfAsync(Budget);
        Assert.Equal((100L, 895L), (usage.Used, usage.Outstanding));
    }

    [Fact]
    public async Task ExchangeAsync_NearTheLimit_GrantsExactlyTheNeedThenRefuses()
    {
        var grain = cluster.VirtualKey("near-limit");

        var first = await grain.StandingAsync(Ask("A", 1, Budget, limit: 100, need: 60, prefetch: 100));
        var second = await grain.StandingAsync(Ask("B", 1, Budget, limit: 100, need: 20, prefetch: 100));
        var third = await grain.StandingAsync(Ask("C", 1, Budget, limit: 100, need: 1, prefetch: 100));

        Assert.Equal(80, first.Granted);
        Assert.Equal(20, second.Granted);
        Assert.False(second.Refused);
        Assert.True(third.Refused);
        Assert.Equal(0, third.Granted);
        Assert.Equal(100, third.Outstanding);
    }

    [Fact]
    public async Task ExchangeAsync_NeedAboveAvailable_RefusedAndNothingGranted()
    {
        var grain = cluster.VirtualKey("refused");
        await grain.ExchangeAsync(Report("spender", 1, Budget, returned: 0, spent: 700));
        var writes = cluster.Storage.WriteCount(grain.GetGrainId());

        var standing = await grain.StandingAsync(Ask("A", 1, Budget, limit: 1_000, need: 301, prefetch: 50));

        Assert.Equal(new LeaseStanding(Budget, Granted: 0, Reclaimed: 0, Refused: true, Used: 700, Outstanding: 0, UsedBefore: 700, Returned: 0, Spent: 0), standing);
        Assert.Equal(writes, cluster.Storage.WriteCount(grain.GetGrainId()));
    }

    [Fact]
    public async Task ExchangeAsync_Prefetch_CappedBySliceFractionOfTheRestOverLiveHolders()
    {
        var grain = cluster.VirtualKey("prefetch");

        var a = await grain.StandingAsync(Ask("A", 1, Budget, limit: 1_000, need: 10, prefetch: 1_000));
        var b = await grain.StandingAsync(Ask("B", 1, Budget, limit: 1_000, need: 10, prefetch: 1_000));
        var c = await grain.StandingAsync(Ask("C", 1, Budget, limit: 1_000, need: 10, prefetch: 50));

        Assert.Equal(10 + 495, a.Granted); // ⌊0.5 × 990 / 1⌋
        Assert.Equal(10 + 121, b.Granted); // ⌊0.5 × 485 / 2⌋
        Assert.Equal(10 + 50, c.Granted); // ⌊0.5 × 354 / 3⌋ = 59, capped by the prefetch asked
        Assert.Equal(696, c.Outstanding);
    }

    [Fact]
    public async Task ExchangeAsync_NegativeNeed_ThrowsAndChangesNothing()
    {
        var grain = cluster.VirtualKey("negative");
        await grain.ExchangeAsync(Ask("A", 1, Budget, limit: 1_000, need: 100));

        await Assert.ThrowsAsync<ArgumentException>(() => grain.ExchangeAsync(
            new LeaseExchange("A", 2, [new LeaseTotals(Budget, 100, 100, false)], [new GrantAsk(Budget, 1_000, -5, 0)], null)));

        var standing = await grain.StandingAsync(Renew("A", 2, Budget));
        Assert.Equal(new LeaseStanding(Budget, 100, 0, false, 0, 100, 0, 0, 0), standing);
    }

    [Fact]
    public async Task ExchangeAsync_HolderSilent_ConcurrencyReclaimedAfterLifetimePlusGraceButBudgetNot()
    {
        var grain = cluster.VirtualKey("silent");
        await grain.ExchangeAsync(new LeaseExchange("A", 1, [], [new GrantAsk(Concurrency, 10, 1, 4), new GrantAsk(Budget, 1_000, 100, 0)], null));

        cluster.Time.Advance(Lifetime + ConcurrencyReclaimAfter);
        Assert.Equal(5, (await grain.UsageOfAsync(Concurrency)).Outstanding);

        cluster.Time.Advance(Tick);
        Assert.Equal(0, (await grain.UsageOfAsync(Concurrency)).Outstanding);
        Assert.Equal(100, (await grain.UsageOfAsync(Budget)).Outstanding);

        cluster.Time.Advance(ReclaimAfter - ConcurrencyReclaimAfter - Tick);
        Assert.Equal(100, (await grain.UsageOfAsync(Budget)).Outstanding);

        cluster.Time.Advance(Tick);
        Assert.Equal(0, (await grain.UsageOfAsync(Budget)).Outstanding);
        var reply = await grain.ExchangeAsync(new LeaseExchange("A", 2, [new LeaseTotals(Concurrency, 0, 0, false), new LeaseTotals(Budget, 0, 0, false)], [], null));
        Assert.Equal([5, 100], reply.Standings.Select(s => s.Reclaimed));
        Assert.Equal([0, 0], reply.Standings.Select(s => s.Outstanding));
    }

    [Fact]
    public async Task ExchangeAsync_HolderRenewingEveryLifetime_NeverReclaimed()
    {
        var grain = cluster.VirtualKey("renewing");
        await grain.ExchangeAsync(new LeaseExchange("A", 1, [], [new GrantAsk(Concurrency, 10, 3, 0), new GrantAsk(Budget, 1_000, 100, 0)], null));
        var renewal = (long sequence) => new LeaseExchange("A", sequence, [new LeaseTotals(Concurrency, 0, 0, false), new LeaseTotals(Budget, 0, 0, false)], [], null);

        LeaseExchangeReply reply = null!;
        var end = cluster.Time.GetUtcNow() + ReclaimAfter + TimeSpan.FromMinutes(1);
        for (var sequence = 2; cluster.Time.GetUtcNow() < end; sequence++)
        {
            cluster.Time.Advance(Lifetime);
            reply = await grain.ExchangeAsync(renewal(sequence));
        }

        Assert.Equal([0, 0], reply.Standings.Select(s => s.Reclaimed));
        Assert.Equal([3, 100], reply.Standings.Select(s => s.Outstanding));
    }

    [Fact]
    public async Task ExchangeAsync_HolderBackAfterReclaim_CountsNothingTwice()
    {
        var grain = cluster.VirtualKey("back-after-reclaim");
        await grain.ExchangeAsync(Ask("A", 1, Budget, limit: 1_000, need: 100));
        cluster.Time.Advance(Lifetime + ReclaimAfter + Tick);
        Assert.Equal(0, (await grain.UsageOfAsync(Budget)).Outstanding);

        // It settled 60 of the 100 while frozen and gives the whole grant back.
        var back = await grain.StandingAsync(Report("A", 2, Budget, returned: 100, spent: 60));
        var again = await grain.StandingAsync(Report("A", 3, Budget, returned: 100, spent: 60));
        var rest = await grain.StandingAsync(Ask("B", 1, Budget, limit: 1_000, need: 940, prefetch: 100));
        var over = await grain.StandingAsync(Ask("C", 1, Budget, limit: 1_000, need: 1));

        Assert.Equal(new LeaseStanding(Budget, Granted: 100, Reclaimed: 100, Refused: false, Used: 60, Outstanding: 0, UsedBefore: 0, Returned: 100, Spent: 60), back);
        Assert.Equal(new LeaseStanding(Budget, 100, 100, false, 60, 0, 60, 100, 60), again);
        Assert.Equal(940, rest.Granted);
        Assert.True(over.Refused);
        var usage = await grain.UsageOfAsync(Budget);
        Assert.Equal((60L, 940L), (usage.Used, usage.Outstanding));
    }

    [Fact]
    public async Task Timer_HolderSilent_ReclaimsAndWritesWithoutAnyCall()
    {
        var grain = cluster.VirtualKey("timer-reclaim");
        await grain.ExchangeAsync(Ask("A", 1, Concurrency, limit: 10, need: 2));
        var hold = cluster.Storage.HoldNextWrite(grain.GetGrainId());

        cluster.Time.Advance(Lifetime + Lifetime);
        await hold.WriteStarted.WaitAsync(TimeSpan.FromSeconds(30));
        hold.Release();
        await hold.WriteLanded.WaitAsync(TimeSpan.FromSeconds(30));

        var stored = cluster.StoredLease(grain, Concurrency, "A")!;
        Assert.Equal((2L, 2L), (stored.Granted, stored.Reclaimed));
    }

    [Fact]
    public async Task Timer_RateWindowRetentionPassed_WindowPrunedBudgetsKept()
    {
        var now = cluster.Time.GetUtcNow();
        var window = new QuotaSpan(QuotaMeter.Requests, now - TimeSpan.FromMinutes(1), now);
        var grain = cluster.VirtualKey("prune");
        await grain.ExchangeAsync(new LeaseExchange("A", 1, [new LeaseTotals(window, 0, 7, false), new LeaseTotals(Budget, 0, 500, false)], [], null));
        var hold = cluster.Storage.HoldNextWrite(grain.GetGrainId());

        cluster.Time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        await hold.WriteStarted.WaitAsync(TimeSpan.FromSeconds(30));
        hold.Release();
        await hold.WriteLanded.WaitAsync(TimeSpan.FromSeconds(30));

        var usage = await grain.UsageAsync();
        Assert.Equal(new[] { new QuotaStanding(Budget, 500, 0, now) }, usage);
    }

    [Fact]
    public async Task LimitsChangedAsync_HolderExchangedWithObserver_ObserverIsTold()
    {
        var grain = cluster.VirtualKey("limits");
        var holder = new RecordingLeaseHolder();
        var reference = cluster.Client.CreateObjectReference<ILeaseHolder>(holder);
        try
        {
            await grain.ExchangeAsync(new LeaseExchange("A", 1, [], [new GrantAsk(Budget, 1_000, 10, 0)], reference));

            await grain.LimitsChangedAsync();

            Assert.Equal("virtual_key/limits", await holder.Told.WaitAsync(TimeSpan.FromSeconds(30)));
        }
        finally
        {
            cluster.Client.DeleteObjectReference<ILeaseHolder>(reference);
        }
    }

    [Fact]
    public async Task Reactivation_AfterRenewalsNotWritten_KeepsStateAndDoesNotReclaimLiveHolder()
    {
        var grain = cluster.VirtualKey("reactivated");
        await grain.ExchangeAsync(Ask("A", 1, Concurrency, limit: 10, need: 3));
        await grain.ExchangeAsync(Report("B", 1, Budget, returned: 0, spent: 250));
        var writes = cluster.Storage.WriteCount(grain.GetGrainId());
        cluster.Time.Advance(TimeSpan.FromSeconds(4));
        await grain.ExchangeAsync(Renew("A", 2, Concurrency));
        cluster.Time.Advance(TimeSpan.FromSeconds(4));
        await grain.ExchangeAsync(Renew("A", 3, Concurrency));
        Assert.Equal(writes, cluster.Storage.WriteCount(grain.GetGrainId()));
        Assert.True(cluster.Cluster.TryGetGrainContext(grain.GetGrainId(), out var before));

        await cluster.Cluster.DeactivateAsync(grain);
        await cluster.Cluster.WaitForDeactivationAsync(grain);
        // Past the stored expiry plus grace (written at the first exchange), within the renewed one.
        cluster.Time.Advance(TimeSpan.FromSeconds(4));
        var usage = await grain.UsageAsync();

        Assert.True(cluster.Cluster.TryGetGrainContext(grain.GetGrainId(), out var after));
        Assert.NotEqual(before.ActivationId, after.ActivationId);
        Assert.Equal([(Budget, 250L, 0L), (Concurrency, 0L, 3L)], usage.Select(s => (s.Span, s.Used, s.Outstanding)));
        var renewed = await grain.StandingAsync(Renew("A", 4, Concurrency));
        Assert.Equal(new LeaseStanding(Concurrency, 3, 0, false, 0, 3, 0, 0, 0), renewed);
    }

    [Fact]
    public async Task OnActivateAsync_ArchivedSpend_ImportedOnceAndListedNewestFirst()
    {
        var now = cluster.Time.GetUtcNow();
        var november = new QuotaSpan(QuotaMeter.CostMicros, new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), Budget.Start);
        var tokens = new QuotaSpan(QuotaMeter.BudgetTokens, Budget.Start, Budget.End);
        var window = new QuotaSpan(QuotaMeter.Requests, now - TimeSpan.FromMinutes(1), now);
        var updated = new DateTimeOffset(2026, 12, 6, 10, 0, 0, TimeSpan.Zero);
        QuotaUsage Row(QuotaSpan span, long used) => new(new QuotaWindow(GovernedKind.VirtualKey, "archived", span.Meter, span.Start, span.End), used, 0, updated);
        cluster.Archive.Set(GovernedKind.VirtualKey, "archived", Row(november, 900_000), Row(Budget, 1_250_000), Row(window, 7), Row(tokens, 42_000));
        var grain = cluster.VirtualKey("archived");

        var usage = await grain.UsageAsync();
        await cluster.Cluster.DeactivateAsync(grain);
        await cluster.Cluster.WaitForDeactivationAsync(grain);
        var spent = await grain.StandingAsync(Report("A", 1, Budget, returned: 0, spent: 1_000));

        Assert.Equal(
            new[] { new QuotaStanding(window, 7, 0, updated), new QuotaStanding(tokens, 42_000, 0, updated), new QuotaStanding(Budget, 1_250_000, 0, updated), new QuotaStanding(november, 900_000, 0, updated) },
            usage);
        Assert.Equal((1_250_000L, 1_251_000L), (spent.UsedBefore, spent.Used));
        Assert.Equal(1, cluster.Archive.Reads(GovernedKind.VirtualKey, "archived"));
        Assert.True(cluster.StoredLedger(grain).LegacySpendImported);
    }

    private sealed class RecordingLeaseHolder : ILeaseHolder
    {
        private readonly TaskCompletionSource<string> _told = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<string> Told => _told.Task;

        public Task LimitsChanged(string entityKey)
        {
            _told.TrySetResult(entityKey);
            return Task.CompletedTask;
        }
    }
}
