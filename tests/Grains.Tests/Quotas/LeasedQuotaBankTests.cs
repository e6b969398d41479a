using Switchyard.Grains.Tests.Infrastructure;
using Switchyard.State;
using Switchyard.State.Orleans.Quotas;

namespace Switchyard.Grains.Tests.Quotas;

/// <summary>
/// The front door's <see cref="IQuotaBank"/> on virtual-key grains. The invariant: used + reserved + amount ≤ limit for
/// every claim admitted, whatever the concurrency and however many front doors; a set of claims is all or nothing;
/// <see cref="QuotaDecision.Taken"/> is used + reserved after the reservation (admitted) or as found (refused). Each test
/// uses entity ids of its own.
/// </summary>
public sealed class LeasedQuotaBankTests(LeaseCluster cluster) : IClassFixture<LeaseCluster>, IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly List<LeasedQuotaBank> _banks = [];
    private LeasedQuotaBank _quotas = null!;

    public Task InitializeAsync()
    {
        _quotas = NewBank();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        cluster.Faults.Unreachable = false;
        cluster.Faults.LoseReplies(0);
        foreach (var bank in _banks)
        {
            await bank.DisposeAsync();
        }
    }

    private LeasedQuotaBank NewBank()
    {
        var bank = cluster.Bank();
        _banks.Add(bank);
        return bank;
    }

    private static QuotaWindow Window(string entityId, QuotaMeter meter = QuotaMeter.CostMicros, int period = 0) =>
        meter == QuotaMeter.Concurrent
            ? new QuotaWindow(GovernedKind.ApiKey, entityId, meter, DateTimeOffset.UnixEpoch, null)
            : new QuotaWindow(GovernedKind.ApiKey, entityId, meter, Now.AddMonths(period), Now.AddMonths(period + 1));

    private static string NewEntity() => $"key_{Guid.NewGuid():N}";

    private async Task<QuotaUsage> UsageOf(QuotaWindow window, LeasedQuotaBank? bank = null) =>
        Assert.Single(await (bank ?? _quotas).UsageAsync(window.Kind, window.EntityId, default), u => u.Window.Meter == window.Meter && u.Window.Start == window.Start);

    /// <summary>Settles, then makes the bank deliver at once (a usage read does) and returns what the grain recorded.</summary>
    private async Task<List<QuotaChange>> SettleAsync(params QuotaSettlement[] settlements)
    {
        var changes = new List<QuotaChange>();
        void Record(QuotaChange change)
        {
            lock (changes)
            {
                changes.Add(change);
            }
        }

        _quotas.SpendRecorded += Record;
        try
        {
            _quotas.Settle(settlements);
            await _quotas.UsageAsync(settlements[0].Window.Kind, settlements[0].Window.EntityId, default);
        }
        finally
        {
            _quotas.SpendRecorded -= Record;
        }

        return changes;
    }

    [Fact]
    public async Task Reserve_200ConcurrentClaimsOfOneAgainstLimit10_AdmitsExactly10()
    {
        var window = Window(NewEntity(), QuotaMeter.Requests);

        var decisions = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ =>
            Task.Run(async () => await _quotas.ReserveAsync([new QuotaClaim(window, 10, 1)], default))));

        Assert.Equal(10, decisions.Count(d => d.Admitted));
        Assert.All(decisions.Where(d => !d.Admitted), d => Assert.Equal((0, 10L), (d.RefusedIndex, d.Taken[0])));
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), decisions.Where(d => d.Admitted).Select(d => d.Taken[0]).Order());
        var usage = await UsageOf(window);
        Assert.Equal((0L, 10L), (usage.Used, usage.Reserved));
    }

    [Fact]
    public async Task Reserve_300ConcurrentClaimsOverThreeFrontDoors_AdmitsExactlyTheLimit()
    {
        var window = Window(NewEntity(), QuotaMeter.Requests);
        var banks = new[] { _quotas, NewBank(), NewBank() };

        var decisions = await Task.WhenAll(Enumerable.Range(0, 300).Select(i =>
            Task.Run(async () => await banks[i % 3].ReserveAsync([new QuotaClaim(window, 25, 1)], default))));

        Assert.Equal(25, decisions.Count(d => d.Admitted));
        Assert.All(decisions.Where(d => !d.Admitted), d => Assert.Equal(0, d.RefusedIndex));
    }

    [Fact]
    public async Task Reserve_SecondClaimDoesNotFit_NothingIsReservedAndTakenIsAsFound()
    {
        var budget = Window(NewEntity());
        var rate = Window(NewEntity(), QuotaMeter.Tokens);
        await _quotas.ReserveAsync([new QuotaClaim(budget, 1000, 200)], default);
        await _quotas.ReserveAsync([new QuotaClaim(rate, 100, 70)], default);

        var decision = await _quotas.ReserveAsync([new QuotaClaim(budget, 1000, 300), new QuotaClaim(rate, 100, 31)], default);

        Assert.False(decision.Admitted);
        Assert.Equal(1, decision.RefusedIndex);
        Assert.Equal([200L, 70L], decision.Taken);
        Assert.Equal(200, (await UsageOf(budget)).Reserved);
        Assert.Equal(70, (await UsageOf(rate)).Reserved);
    }

    [Fact]
    public async Task Reserve_FirstOfSeveralDoesNotFit_RefusedIndexIsTheFirst()
    {
        var a = Window(NewEntity());
        var b = Window(NewEntity());

        var decision = await _quotas.ReserveAsync([new QuotaClaim(a, 10, 11), new QuotaClaim(b, 10, 11)], default);

        Assert.Equal(0, decision.RefusedIndex);
        Assert.Equal([0L, 0L], decision.Taken);
    }

    [Fact]
    public async Task Reserve_ExactlyToTheLimit_IsAdmittedAndOneMoreIsNot()
    {
        var window = Window(NewEntity());

        var full = await _quotas.ReserveAsync([new QuotaClaim(window, 500, 500)], default);
        var over = await _quotas.ReserveAsync([new QuotaClaim(window, 500, 1)], default);

        Assert.True(full.Admitted);
        Assert.Equal([500L], full.Taken);
        Assert.Equal(0, over.RefusedIndex);
        Assert.Equal([500L], over.Taken);
    }

    [Fact]
    public async Task Reserve_SeveralQuotas_TakenIsUsedPlusReservedAfterForEach()
    {
        var budget = Window(NewEntity());
        var tokens = Window(NewEntity(), QuotaMeter.Tokens);
        var requests = Window(NewEntity(), QuotaMeter.Requests);
        await _quotas.ReserveAsync([new QuotaClaim(budget, 10_000, 1_000)], default);
        await SettleAsync(new QuotaSettlement(budget, 1_000, 400));

        var decision = await _quotas.ReserveAsync(
            [new QuotaClaim(budget, 10_000, 2_500), new QuotaClaim(tokens, 1_000, 300), new QuotaClaim(requests, 60, 1)], default);

        Assert.True(decision.Admitted);
        Assert.Equal([2_900L, 300L, 1L], decision.Taken);
    }

    [Fact]
    public async Task Settle_MovesReservedToUsed_AndTheGrainReportsBeforeAndAfter()
    {
        var window = Window(NewEntity());
        await _quotas.ReserveAsync([new QuotaClaim(window, 1_000, 100)], default);

        var first = await SettleAsync(new QuotaSettlement(window, 100, 60));
        await _quotas.ReserveAsync([new QuotaClaim(window, 1_000, 50)], default);
        var second = await SettleAsync(new QuotaSettlement(window, 50, 70));

        Assert.Equal((0L, 60L), (Assert.Single(first).UsedBefore, first[0].UsedAfter));
        Assert.Equal((60L, 130L), (Assert.Single(second).UsedBefore, second[0].UsedAfter));
        Assert.Equal(window, second[0].Window);
        var usage = await UsageOf(window);
        Assert.Equal((130L, 0L), (usage.Used, usage.Reserved));
    }

    [Fact]
    public async Task Settle_TwoInOneDelivery_EachIsPlacedAtItsOwnOffset()
    {
        var window = Window(NewEntity());
        await _quotas.ReserveAsync([new QuotaClaim(window, 1_000, 100), new QuotaClaim(window, 1_000, 100)], default);

        var changes = await SettleAsync(new QuotaSettlement(window, 100, 60), new QuotaSettlement(window, 100, 70));

        Assert.Equal([(0L, 60L), (60L, 130L)], changes.Select(c => (c.UsedBefore, c.UsedAfter)));
    }

    [Fact]
    public async Task Settle_RequestsMeter_RaisesNoSpendEvent_ButIsCounted()
    {
        var window = Window(NewEntity(), QuotaMeter.Requests);
        await _quotas.ReserveAsync([new QuotaClaim(window, 10, 1)], default);

        Assert.Empty(await SettleAsync(new QuotaSettlement(window, 1, 1)));

        Assert.Equal((1L, 0L), ((await UsageOf(window)).Used, (await UsageOf(window)).Reserved));
    }

    [Fact]
    public async Task Settle_ActualZero_ReleasesWithoutCharge()
    {
        var window = Window(NewEntity());
        await _quotas.ReserveAsync([new QuotaClaim(window, 10, 10)], default);

        Assert.Empty(await SettleAsync(new QuotaSettlement(window, 10, 0)));

        var usage = await UsageOf(window);
        Assert.Equal((0L, 0L), (usage.Used, usage.Reserved));
        Assert.True((await _quotas.ReserveAsync([new QuotaClaim(window, 10, 10)], default)).Admitted);
    }

    [Fact]
    public async Task Settle_MoreThanReserved_IsChargedInFullAndNeverRefused()
    {
        var window = Window(NewEntity());
        await _quotas.ReserveAsync([new QuotaClaim(window, 100, 100)], default);

        var change = Assert.Single(await SettleAsync(new QuotaSettlement(window, 100, 150)));

        Assert.Equal((0L, 150L), (change.UsedBefore, change.UsedAfter));
        var refused = await _quotas.ReserveAsync([new QuotaClaim(window, 100, 1)], default);
        Assert.Equal([150L], refused.Taken);
        Assert.False(refused.Admitted);
    }

    [Fact]
    public async Task Reserve_NoHardCap_IsNeverRefused_AndItsSpendIsRecorded()
    {
        var window = Window(NewEntity(), QuotaMeter.BudgetTokens);

        var big = await _quotas.ReserveAsync([new QuotaClaim(window, long.MaxValue, long.MaxValue / 2)], default);
        var more = await _quotas.ReserveAsync([new QuotaClaim(window, long.MaxValue, long.MaxValue / 2)], default);
        var changes = await SettleAsync(new QuotaSettlement(window, 0, 1_234));

        Assert.True(big.Admitted);
        Assert.True(more.Admitted);
        Assert.Equal((0L, 1_234L), (Assert.Single(changes).UsedBefore, changes[0].UsedAfter));
    }

    [Fact]
    public async Task Reserve_NewWindow_IsANewRowAndTheOldOneIsUntouched()
    {
        var entity = NewEntity();
        var january = Window(entity);
        var february = Window(entity, period: 1);
        await _quotas.ReserveAsync([new QuotaClaim(january, 100, 100)], default);
        await SettleAsync(new QuotaSettlement(january, 100, 100));

        var decision = await _quotas.ReserveAsync([new QuotaClaim(february, 100, 40)], default);
        await SettleAsync(new QuotaSettlement(february, 40, 30));

        Assert.True(decision.Admitted);
        Assert.Equal([40L], decision.Taken);
        var usage = await _quotas.UsageAsync(GovernedKind.ApiKey, entity, default);
        Assert.Equal([february.Start, january.Start], usage.Select(u => u.Window.Start));
        Assert.Equal([30L, 100L], usage.Select(u => u.Used));
        Assert.Equal(february.End, usage[0].Window.End);
        Assert.Equal(january.End, usage[1].Window.End);
    }

    [Fact]
    public async Task Concurrent_ReserveToLimitThenSettle_FreesTheSlotAndChargesNothing()
    {
        var window = Window(NewEntity(), QuotaMeter.Concurrent);

        var first = await _quotas.ReserveAsync([new QuotaClaim(window, 2, 1)], default);
        var second = await _quotas.ReserveAsync([new QuotaClaim(window, 2, 1)], default);
        var third = await _quotas.ReserveAsync([new QuotaClaim(window, 2, 1)], default);
        var inFlight = await UsageOf(window);
        Assert.Empty(await SettleAsync(new QuotaSettlement(window, 1, 0)));
        var fourth = await _quotas.ReserveAsync([new QuotaClaim(window, 2, 1)], default);

        Assert.Equal([true, true, false, true], new[] { first, second, third, fourth }.Select(d => d.Admitted));
        Assert.Equal([2L], third.Taken);
        Assert.Equal((0L, 2L), (inFlight.Used, inFlight.Reserved));
        Assert.Equal([2L], fourth.Taken);
    }

    [Fact]
    public async Task Reserve_ConcurrencyAndBudgetTogether_AllOrNothingAcrossBoth()
    {
        var entity = NewEntity();
        var budget = Window(entity);
        var concurrent = Window(entity, QuotaMeter.Concurrent);

        var budgetRefuses = await _quotas.ReserveAsync([new QuotaClaim(concurrent, 1, 1), new QuotaClaim(budget, 10, 11)], default);
        var admitted = await _quotas.ReserveAsync([new QuotaClaim(concurrent, 1, 1), new QuotaClaim(budget, 10, 5)], default);
        var concurrencyRefuses = await _quotas.ReserveAsync([new QuotaClaim(budget, 10, 1), new QuotaClaim(concurrent, 1, 1)], default);

        Assert.Equal(1, budgetRefuses.RefusedIndex);
        Assert.Equal([1L, 5L], admitted.Taken);
        Assert.Equal(1, concurrencyRefuses.RefusedIndex);
        Assert.Equal([5L, 1L], concurrencyRefuses.Taken);
        Assert.Equal(5, (await UsageOf(budget)).Reserved);
    }

    [Fact]
    public async Task Usage_OtherEntityAndUnknownEntity_AreApart()
    {
        var mine = Window(NewEntity());
        var other = Window(NewEntity());
        await _quotas.ReserveAsync([new QuotaClaim(mine, 10, 1), new QuotaClaim(other, 10, 2)], default);

        var usage = Assert.Single(await _quotas.UsageAsync(GovernedKind.ApiKey, mine.EntityId, default));

        Assert.Equal(1, usage.Reserved);
        Assert.Empty(await _quotas.UsageAsync(GovernedKind.ApiKey, NewEntity(), default));
        Assert.Empty(await _quotas.UsageAsync(GovernedKind.Workspace, mine.EntityId, default));
    }

    [Fact]
    public async Task Reserve_NegativeAmount_Throws()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await _quotas.ReserveAsync([new QuotaClaim(Window(NewEntity()), 10, -1)], default));
    }

    [Fact]
    public async Task Flush_ReturnsEveryUnusedBalance_AndDeliversSpend()
    {
        var window = Window(NewEntity());
        await _quotas.ReserveAsync([new QuotaClaim(window, 10, 5)], default);
        _quotas.Settle([new QuotaSettlement(window, 5, 5)]);

        await _quotas.FlushAsync(default);

        var usage = await UsageOf(window, NewBank());
        Assert.Equal((5L, 0L), (usage.Used, usage.Reserved));
    }

    [Fact]
    public async Task Settle_RepliesLostOnPurpose_SpendIsCountedExactlyOnce()
    {
        var window = Window(NewEntity());
        await _quotas.ReserveAsync([new QuotaClaim(window, 1_000, 100)], default);
        _quotas.Settle([new QuotaSettlement(window, 100, 60)]);

        // The grain applies the delivery but its reply never arrives; the next delivery carries the same totals again.
        cluster.Faults.LoseReplies(1);
        await _quotas.CheckpointAsync(default);
        var exchanges = _quotas.Exchanges;
        var usage = await UsageOf(window);

        Assert.Equal((60L, 0L), (usage.Used, usage.Reserved));
        Assert.Equal(exchanges + 1, _quotas.Exchanges);
    }

    [Fact]
    public async Task Refill_GrantedButTheReplyLost_TheNextCheckpointLearnsIt_AndItGoesBack()
    {
        var window = Window(NewEntity());
        cluster.Faults.LoseReplies(1);

        // The grain grants and writes the 100; this front door never hears of it and refuses the request (fail closed).
        await Assert.ThrowsAsync<QuotaBankUnavailableException>(async () => await _quotas.ReserveAsync([new QuotaClaim(window, 1_000, 100)], default));
        var stranded = await UsageOf(window, NewBank());
        await _quotas.CheckpointAsync(default);
        await _quotas.FlushAsync(default);

        Assert.Equal(100, stranded.Reserved);
        Assert.Equal((0L, 0L), ((await UsageOf(window, NewBank())).Used, (await UsageOf(window, NewBank())).Reserved));
    }

    [Fact]
    public async Task Reserve_GrainUnreachable_HardClaimBeyondTheLeaseFailsClosed_SoftOnesServe_SpendIsKeptAndDelivered()
    {
        var window = Window(NewEntity());
        var soft = Window(NewEntity(), QuotaMeter.Tokens);
        await _quotas.ReserveAsync([new QuotaClaim(window, 1_000, 100)], default);
        cluster.Faults.Unreachable = true;

        await Assert.ThrowsAsync<QuotaBankUnavailableException>(async () => await _quotas.ReserveAsync([new QuotaClaim(window, 1_000, 500)], default));
        var served = await _quotas.ReserveAsync([new QuotaClaim(soft, long.MaxValue, 50)], default);
        _quotas.Settle([new QuotaSettlement(window, 100, 90), new QuotaSettlement(soft, 0, 40)]);
        await _quotas.CheckpointAsync(default);

        cluster.Faults.Unreachable = false;
        await _quotas.CheckpointAsync(default);
        var reader = NewBank();
        Assert.True(served.Admitted);
        Assert.Equal(90, (await UsageOf(window, reader)).Used);
        Assert.Equal(40, (await UsageOf(soft, reader)).Used);
    }

    [Fact]
    public async Task LimitsChanged_AnotherFrontDoorHoldsALease_ItGivesTheUnusedPartBack()
    {
        var window = Window(NewEntity(), QuotaMeter.Requests);
        var holder = NewBank();
        for (var i = 0; i < 2; i++)
        {
            // A slice used up within a lease lifetime makes the next ask twice as big: the second grant is 1 + 2.
            await holder.ReserveAsync([new QuotaClaim(window, 1_000, 1)], default);
        }

        var before = await UsageOf(window, _quotas);
        await _quotas.LimitsChangedAsync(window.Kind, window.EntityId, default);

        var after = before;
        await Eventually.TryUntilAsync(async () => (after = await UsageOf(window, _quotas)).Reserved == 2, TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(20));

        Assert.Equal(4, before.Reserved);
        Assert.Equal(2, after.Reserved);
    }

    [Fact]
    public async Task Steady_1000RequestsOnOneFrontDoor_TakeFewGrainExchanges()
    {
        var window = Window(NewEntity(), QuotaMeter.Requests);
        var requests = 0;
        for (var i = 0; i < 1_000; i++)
        {
            if ((await _quotas.ReserveAsync([new QuotaClaim(window, 1_000_000, 1)], default)).Admitted)
            {
                requests++;
            }
        }

        Assert.Equal(1_000, requests);
        Assert.InRange(_quotas.Exchanges, 1, 12);
    }

    [Fact]
    public async Task Steady_GovernedTrafficAtAThousandASecond_TakesAFewExchangesPerThousandRequests()
    {
        // The benchmark's governed load: a workspace budget and rpm, a key budget, rpm and tpm; 1,000 requests a second
        // on the silos' fake clock, every one settled; exchanges counted over 8 s after 2 s of slow start.
        var bank = new LeasedQuotaBank(cluster.Client, new LeaseOptions(), cluster.Time, Microsoft.Extensions.Logging.Abstractions.NullLogger<LeasedQuotaBank>.Instance);
        _banks.Add(bank);
        var workspace = NewEntity();
        var key = NewEntity();
        QuotaClaim[] Claims(DateTimeOffset now)
        {
            var minute = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero);
            QuotaWindow Budget(GovernedKind kind, string id) => new(kind, id, QuotaMeter.CostMicros, Now, Now.AddMonths(1));
            QuotaWindow Rate(GovernedKind kind, string id, QuotaMeter meter) => new(kind, id, meter, minute, minute.AddMinutes(1));
            return
            [
                new QuotaClaim(Budget(GovernedKind.Workspace, workspace), 1_000_000_000_000, 1_400),
                new QuotaClaim(Rate(GovernedKind.Workspace, workspace, QuotaMeter.Requests), 1_000_000_000, 1),
                new QuotaClaim(Budget(GovernedKind.ApiKey, key), 1_000_000_000_000, 1_400),
                new QuotaClaim(Rate(GovernedKind.ApiKey, key, QuotaMeter.Requests), 1_000_000_000, 1),
                new QuotaClaim(Rate(GovernedKind.ApiKey, key, QuotaMeter.Tokens), 1_000_000_000, 30),
            ];
        }

        long counted = 0;
        long requests = 0;
        for (var millisecond = 0; millisecond < 10_000; millisecond++)
        {
            var claims = Claims(cluster.Time.GetUtcNow());
            Assert.True((await bank.ReserveAsync(claims, default)).Admitted);
            bank.Settle([.. claims.Select(c => new QuotaSettlement(c.Window, c.Amount, c.Window.Meter == QuotaMeter.CostMicros ? 1_100 : c.Amount))]);
            if (millisecond == 2_000)
            {
                counted = bank.Exchanges;
            }

            if (millisecond >= 2_000)
            {
                requests++;
            }

            cluster.Time.Advance(TimeSpan.FromMilliseconds(1));
            if (millisecond % 50 == 0)
            {
                // Let the deliveries and checkpoints the clock just released run before the next requests.
                await Task.Delay(1);
            }
        }

        var perThousand = (bank.Exchanges - counted) * 1_000.0 / requests;
        Console.WriteLine($"{bank.Exchanges - counted} exchanges for {requests} governed requests: {perThousand:0.0} per 1,000");
        Assert.InRange(perThousand, 0.1, 15);
    }
}
