using static Switchyard.State.Tests.Contracts.StoreSamples;

namespace Switchyard.State.Tests.Contracts;

/// <summary>
/// The <see cref="IQuotaBank"/> contract. The invariant: used + reserved + amount ≤ limit for every claim admitted,
/// whatever the concurrency; a set of claims is all or nothing; <see cref="QuotaDecision.Taken"/> is used + reserved
/// after the reservation (admitted) or as found (refused). Each test uses entity ids of its own.
/// </summary>
public abstract class QuotaBankContract
{
    protected abstract IStoreBackend Backend { get; }

    private IQuotaBank Quotas => Backend.Quotas;

    public static QuotaWindow Window(string entityId, QuotaMeter meter = QuotaMeter.CostMicros, int period = 0) =>
        meter == QuotaMeter.Concurrent
            ? new QuotaWindow(GovernedKind.ApiKey, entityId, meter, DateTimeOffset.UnixEpoch, null)
            : new QuotaWindow(GovernedKind.ApiKey, entityId, meter, Now.AddMonths(period), Now.AddMonths(period + 1));

    public static string NewEntity() => $"key_{Guid.NewGuid():N}";

    private async Task<QuotaUsage> UsageOf(QuotaWindow window) =>
        Assert.Single(await Quotas.UsageAsync(window.Kind, window.EntityId, default), u => u.Window.Meter == window.Meter && u.Window.Start == window.Start);

    [Fact]
    public async Task Reserve_200ConcurrentClaimsOfOneAgainstLimit10_AdmitsExactly10()
    {
        var window = Window(NewEntity(), QuotaMeter.Requests);

        var decisions = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ =>
            Task.Run(async () => await Quotas.ReserveAsync([new QuotaClaim(window, 10, 1)], default))));

        Assert.Equal(10, decisions.Count(d => d.Admitted));
        Assert.All(decisions.Where(d => !d.Admitted), d => Assert.Equal((0, 10L), (d.RefusedIndex, d.Taken[0])));
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), decisions.Where(d => d.Admitted).Select(d => d.Taken[0]).Order());
        var usage = await UsageOf(window);
        Assert.Equal((0L, 10L), (usage.Used, usage.Reserved));
    }

    [Fact]
    public async Task Reserve_SecondClaimDoesNotFit_NothingIsReservedAndTakenIsAsFound()
    {
        var budget = Window(NewEntity());
        var rate = Window(NewEntity(), QuotaMeter.Tokens);
        await Quotas.ReserveAsync([new QuotaClaim(budget, 1000, 200)], default);
        await Quotas.ReserveAsync([new QuotaClaim(rate, 100, 70)], default);

        var decision = await Quotas.ReserveAsync([new QuotaClaim(budget, 1000, 300), new QuotaClaim(rate, 100, 31)], default);

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

        var decision = await Quotas.ReserveAsync([new QuotaClaim(a, 10, 11), new QuotaClaim(b, 10, 11)], default);

        Assert.Equal(0, decision.RefusedIndex);
        Assert.Equal([0L, 0L], decision.Taken);
    }

    [Fact]
    public async Task Reserve_ExactlyToTheLimit_IsAdmittedAndOneMoreIsNot()
    {
        var window = Window(NewEntity());

        var full = await Quotas.ReserveAsync([new QuotaClaim(window, 500, 500)], default);
        var over = await Quotas.ReserveAsync([new QuotaClaim(window, 500, 1)], default);

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
        await Quotas.ReserveAsync([new QuotaClaim(budget, 10_000, 1_000)], default);
        await Quotas.SettleAsync([new QuotaSettlement(budget, 1_000, 400)], default);

        var decision = await Quotas.ReserveAsync(
            [new QuotaClaim(budget, 10_000, 2_500), new QuotaClaim(tokens, 1_000, 300), new QuotaClaim(requests, 60, 1)], default);

        Assert.True(decision.Admitted);
        Assert.Equal([2_900L, 300L, 1L], decision.Taken);
    }

    [Fact]
    public async Task Settle_MovesReservedToUsedAndReturnsBeforeAndAfter()
    {
        var window = Window(NewEntity());
        await Quotas.ReserveAsync([new QuotaClaim(window, 1_000, 100)], default);

        var first = await Quotas.SettleAsync([new QuotaSettlement(window, 100, 60)], default);
        await Quotas.ReserveAsync([new QuotaClaim(window, 1_000, 50)], default);
        var second = await Quotas.SettleAsync([new QuotaSettlement(window, 50, 70)], default);

        Assert.Equal((0L, 60L), (Assert.Single(first).UsedBefore, first[0].UsedAfter));
        Assert.Equal((60L, 130L), (Assert.Single(second).UsedBefore, second[0].UsedAfter));
        Assert.Equal(window, second[0].Window);
        var usage = await UsageOf(window);
        Assert.Equal((130L, 0L), (usage.Used, usage.Reserved));
    }

    [Fact]
    public async Task Settle_ActualZero_ReleasesWithoutCharge()
    {
        var window = Window(NewEntity());
        await Quotas.ReserveAsync([new QuotaClaim(window, 10, 10)], default);

        var change = Assert.Single(await Quotas.SettleAsync([new QuotaSettlement(window, 10, 0)], default));

        Assert.Equal((0L, 0L), (change.UsedBefore, change.UsedAfter));
        var usage = await UsageOf(window);
        Assert.Equal((0L, 0L), (usage.Used, usage.Reserved));
        Assert.True((await Quotas.ReserveAsync([new QuotaClaim(window, 10, 10)], default)).Admitted);
    }

    [Fact]
    public async Task Settle_MoreThanReserved_IsChargedInFullAndNeverRefused()
    {
        var window = Window(NewEntity());
        await Quotas.ReserveAsync([new QuotaClaim(window, 100, 100)], default);

        var change = Assert.Single(await Quotas.SettleAsync([new QuotaSettlement(window, 100, 150)], default));

        Assert.Equal((0L, 150L), (change.UsedBefore, change.UsedAfter));
        var refused = await Quotas.ReserveAsync([new QuotaClaim(window, 100, 1)], default);
        Assert.Equal([150L], refused.Taken);
        Assert.False(refused.Admitted);
    }

    [Fact]
    public async Task Reserve_LimitLongMaxValue_IsNeverRefused()
    {
        var window = Window(NewEntity(), QuotaMeter.Tokens);

        var big = await Quotas.ReserveAsync([new QuotaClaim(window, long.MaxValue, long.MaxValue / 2)], default);
        var more = await Quotas.ReserveAsync([new QuotaClaim(window, long.MaxValue, long.MaxValue / 2)], default);
        var last = await Quotas.ReserveAsync([new QuotaClaim(window, long.MaxValue, 1)], default);

        Assert.True(big.Admitted);
        Assert.True(more.Admitted);
        Assert.True(last.Admitted);
        Assert.Equal([long.MaxValue], last.Taken);
    }

    [Fact]
    public async Task Reserve_NewWindow_IsANewRowAndTheOldOneIsUntouched()
    {
        var entity = NewEntity();
        var january = Window(entity);
        var february = Window(entity, period: 1);
        await Quotas.ReserveAsync([new QuotaClaim(january, 100, 100)], default);
        await Quotas.SettleAsync([new QuotaSettlement(january, 100, 100)], default);

        var decision = await Quotas.ReserveAsync([new QuotaClaim(february, 100, 40)], default);
        await Quotas.SettleAsync([new QuotaSettlement(february, 40, 30)], default);

        Assert.True(decision.Admitted);
        Assert.Equal([40L], decision.Taken);
        var usage = await Quotas.UsageAsync(GovernedKind.ApiKey, entity, default);
        Assert.Equal([february.Start, january.Start], usage.Select(u => u.Window.Start));
        Assert.Equal([30L, 100L], usage.Select(u => u.Used));
        Assert.Equal(february.End, usage[0].Window.End);
        Assert.Equal(january.End, usage[1].Window.End);
    }

    [Fact]
    public async Task Concurrent_ReserveToLimitThenSettle_FreesTheSlotAndChargesNothing()
    {
        var window = Window(NewEntity(), QuotaMeter.Concurrent);

        var first = await Quotas.ReserveAsync([new QuotaClaim(window, 2, 1)], default);
        var second = await Quotas.ReserveAsync([new QuotaClaim(window, 2, 1)], default);
        var third = await Quotas.ReserveAsync([new QuotaClaim(window, 2, 1)], default);
        var inFlight = await UsageOf(window);
        var change = Assert.Single(await Quotas.SettleAsync([new QuotaSettlement(window, 1, 1)], default));
        var fourth = await Quotas.ReserveAsync([new QuotaClaim(window, 2, 1)], default);

        Assert.Equal([true, true, false, true], new[] { first, second, third, fourth }.Select(d => d.Admitted));
        Assert.Equal([2L], third.Taken);
        Assert.Equal((0L, 2L), (inFlight.Used, inFlight.Reserved));
        Assert.Equal((0L, 0L), (change.UsedBefore, change.UsedAfter));
        Assert.Equal([2L], fourth.Taken);
    }

    [Fact]
    public async Task Reserve_ConcurrencyAndBudgetTogether_AllOrNothingAcrossBoth()
    {
        var entity = NewEntity();
        var budget = Window(entity);
        var concurrent = Window(entity, QuotaMeter.Concurrent);

        var budgetRefuses = await Quotas.ReserveAsync([new QuotaClaim(concurrent, 1, 1), new QuotaClaim(budget, 10, 11)], default);
        var admitted = await Quotas.ReserveAsync([new QuotaClaim(concurrent, 1, 1), new QuotaClaim(budget, 10, 5)], default);
        var concurrencyRefuses = await Quotas.ReserveAsync([new QuotaClaim(budget, 10, 1), new QuotaClaim(concurrent, 1, 1)], default);

        Assert.Equal(1, budgetRefuses.RefusedIndex);
        Assert.Equal([0L, 0L], budgetRefuses.Taken);
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
        await Quotas.ReserveAsync([new QuotaClaim(mine, 10, 1), new QuotaClaim(other, 10, 2)], default);

        var usage = Assert.Single(await Quotas.UsageAsync(GovernedKind.ApiKey, mine.EntityId, default));

        Assert.Equal(1, usage.Reserved);
        Assert.Empty(await Quotas.UsageAsync(GovernedKind.ApiKey, NewEntity(), default));
        Assert.Empty(await Quotas.UsageAsync(GovernedKind.Workspace, mine.EntityId, default));
    }

    [Fact]
    public async Task Reserve_NegativeAmount_Throws()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Quotas.ReserveAsync([new QuotaClaim(Window(NewEntity()), 10, -1)], default));
    }

    [Fact]
    public async Task Flush_Always_Succeeds()
    {
        var window = Window(NewEntity());
        await Quotas.ReserveAsync([new QuotaClaim(window, 10, 5)], default);
        await Quotas.SettleAsync([new QuotaSettlement(window, 5, 5)], default);

        await Quotas.FlushAsync(default);

        Assert.Equal(5, (await UsageOf(window)).Used);
    }
}
