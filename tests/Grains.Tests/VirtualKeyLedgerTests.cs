using Microsoft.Extensions.Options;
using Switchyard.State;
using static Switchyard.Grains.Tests.VirtualKeyTestKit;

namespace Switchyard.Grains.Tests;

/// <summary>The arithmetic of <see cref="VirtualKeyLedger"/> without a cluster: limits at the edges, reclaim and prune times, validation.</summary>
public sealed class VirtualKeyLedgerTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private static readonly LeaseOptions Options = new();

    private static readonly QuotaSpan Window = new(QuotaMeter.Requests, Start, Start + TimeSpan.FromMinutes(1));

    [Fact]
    public void Exchange_LimitLongMaxValue_GrantsWithoutOverflow()
    {
        var ledger = new VirtualKeyLedger();
        ledger.Exchange(Report("spender", 1, Budget, 0, long.MaxValue - 10), Start, Options);

        var near = Assert.Single(ledger.Exchange(Ask("A", 1, Budget, long.MaxValue, need: 4, prefetch: long.MaxValue), Start, Options).Reply.Standings);
        var over = Assert.Single(ledger.Exchange(Ask("B", 1, Budget, long.MaxValue, need: 7), Start, Options).Reply.Standings);

        Assert.Equal(4 + 3, near.Granted); // ⌊0.5 × 6 / 1⌋
        Assert.True(over.Refused);
        Assert.Equal(long.MaxValue - 10, over.Used);
        Assert.Equal(7, over.Outstanding);
    }

    [Fact]
    public void Exchange_HugeRestAndFractionOne_GrantsEverythingLeftExactly()
    {
        var ledger = new VirtualKeyLedger();
        var options = new LeaseOptions { SliceFraction = 1 };

        var standing = Assert.Single(ledger.Exchange(Ask("A", 1, Budget, long.MaxValue, need: 1, prefetch: long.MaxValue), Start, options).Reply.Standings);

        Assert.Equal(long.MaxValue, standing.Granted);
        Assert.Equal(long.MaxValue, standing.Outstanding);
    }

    [Fact]
    public void Exchange_SpendPastLongMaxValue_SaturatesUsed()
    {
        var ledger = new VirtualKeyLedger();
        ledger.Exchange(Report("A", 1, Budget, 0, long.MaxValue), Start, Options);

        var standing = Assert.Single(ledger.Exchange(Report("B", 1, Budget, 0, 5), Start, Options).Reply.Standings);

        Assert.Equal(long.MaxValue, standing.Used);
        Assert.Equal(long.MaxValue, standing.UsedBefore);
    }

    [Theory]
    [InlineData(-1, 0, 0)]
    [InlineData(0, -1, 0)]
    [InlineData(0, 0, -1)]
    public void Exchange_NegativeAsk_ThrowsBeforeReclaimingOrApplying(long limit, long need, long prefetch)
    {
        var ledger = new VirtualKeyLedger();
        ledger.Exchange(Ask("A", 1, Concurrency, 10, 2), Start, Options);
        var late = Start + TimeSpan.FromMinutes(1);

        Assert.Throws<ArgumentException>(() => ledger.Exchange(
            new LeaseExchange("B", 1, [new LeaseTotals(Budget, 0, 50, false)], [new GrantAsk(Budget, limit, need, prefetch)], null), late, Options));

        Assert.Equal(0, ledger.Accounts[VirtualKeyLedger.KeyOf(Concurrency)].Leases["A"].Reclaimed);
        Assert.False(ledger.Accounts.ContainsKey(VirtualKeyLedger.KeyOf(Budget)));
        Assert.False(ledger.Holders.ContainsKey("B"));
    }

    [Fact]
    public void Exchange_NegativeTotals_Throws()
    {
        var ledger = new VirtualKeyLedger();

        Assert.Throws<ArgumentException>(() => ledger.Exchange(Report("A", 1, Budget, -1, 0), Start, Options));
    }

    [Fact]
    public void Exchange_ExpiredHolder_NotCountedLiveInTheShare()
    {
        var ledger = new VirtualKeyLedger();
        ledger.Exchange(Ask("A", 1, Budget, 1_000, 10, 1_000), Start, Options);

        var b = Assert.Single(ledger.Exchange(Ask("B", 1, Budget, 1_000, 10, 1_000), Start + Options.LeaseLifetime + TimeSpan.FromTicks(1), Options).Reply.Standings);

        Assert.Equal(10 + 242, b.Granted); // A holds 505 but no longer renews: ⌊0.5 × 485 / 1⌋
    }

    [Fact]
    public void Exchange_Closing_KeepsTheLeaseSoARetryCountsOnce()
    {
        var ledger = new VirtualKeyLedger();
        ledger.Exchange(Ask("A", 1, Budget, 1_000, 100), Start, Options);
        var closing = new LeaseExchange("A", 2, [new LeaseTotals(Budget, 100, 40, true)], [], null);

        ledger.Exchange(closing, Start, Options);
        var retried = Assert.Single(ledger.Exchange(closing with { Sequence = 3 }, Start, Options).Reply.Standings);

        Assert.Equal(new LeaseStanding(Budget, 100, 0, false, 40, 0, 40, 100, 40), retried);
    }

    [Fact]
    public void Exchange_GrantAfterReturningReclaimedQuota_FillsTheOverlapFirst()
    {
        var ledger = new VirtualKeyLedger();
        ledger.Exchange(Ask("A", 1, Budget, 1_000, 100), Start, Options);
        var back = Start + Options.LeaseLifetime + Options.ReclaimAfter + TimeSpan.FromTicks(1);
        ledger.Exchange(Report("A", 2, Budget, returned: 100, spent: 60), back, Options);

        var again = Assert.Single(ledger.Exchange(Ask("A", 3, Budget, 1_000, 10), back, Options).Reply.Standings);

        // Returned and reclaimed both cover the same 100, so the lease owes 100 and a new grant counts nothing outstanding
        // until it is paid: the quota stays safe, and the front door (Granted − Returned − Reclaimed = −90) admits nothing.
        Assert.Equal(new LeaseStanding(Budget, Granted: 110, Reclaimed: 100, Refused: false, Used: 60, Outstanding: 0, UsedBefore: 60, Returned: 100, Spent: 60), again);
    }

    [Fact]
    public void Exchange_PureRenewal_ChangesNothingToWrite()
    {
        var ledger = new VirtualKeyLedger();
        ledger.Exchange(Ask("A", 1, Budget, 1_000, 100), Start, Options);

        var outcome = ledger.Exchange(Renew("A", 2, Budget), Start + TimeSpan.FromSeconds(4), Options);

        Assert.False(outcome.Changed);
        Assert.Equal(Start + TimeSpan.FromSeconds(9), ledger.Holders["A"].ExpiresAt);
    }

    [Fact]
    public void Reclaim_AtGraceExactlyAndOneTickLater_OnlyTheLaterReclaims()
    {
        var ledger = new VirtualKeyLedger();
        ledger.Exchange(new LeaseExchange("A", 1, [], [new GrantAsk(Concurrency, 10, 2, 0), new GrantAsk(Window, 10, 3, 0)], null), Start, Options);
        var concurrencyDue = Start + Options.LeaseLifetime + Options.ConcurrencyReclaimAfter;
        var windowDue = Start + Options.LeaseLifetime + Options.ReclaimAfter;

        var atGrace = ledger.Reclaim(concurrencyDue, Options);
        var concurrency = ledger.Reclaim(concurrencyDue + TimeSpan.FromTicks(1), Options);
        var windowAtGrace = ledger.Reclaim(windowDue, Options);
        var window = ledger.Reclaim(windowDue + TimeSpan.FromTicks(1), Options);

        Assert.Equal(new ReclaimOutcome(0, 0), atGrace);
        Assert.Equal(new ReclaimOutcome(1, 2), concurrency);
        Assert.Equal(new ReclaimOutcome(0, 0), windowAtGrace);
        Assert.Equal(new ReclaimOutcome(1, 3), window);
    }

    [Fact]
    public void Prune_EndedRateWindowAndIdleHolder_RemovedButBudgetKept()
    {
        var ledger = new VirtualKeyLedger();
        ledger.Exchange(new LeaseExchange("A", 1, [new LeaseTotals(Window, 3, 3, false), new LeaseTotals(Budget, 0, 700, false)], [], null), Start, Options);
        var windowGone = Window.End!.Value + Options.RateWindowRetention + TimeSpan.FromTicks(1);

        var atRetention = ledger.Prune(Window.End.Value + Options.RateWindowRetention, Options);
        var afterRetention = ledger.Prune(windowGone, Options);
        var holderKept = ledger.Prune(Start + Options.ForgetHolderAfter, Options);
        var holderForgotten = ledger.Prune(Start + Options.ForgetHolderAfter + TimeSpan.FromTicks(1), Options);

        Assert.Equal((false, true, false, true), (atRetention, afterRetention, holderKept, holderForgotten));
        var budget = Assert.Single(ledger.Accounts).Value;
        Assert.Equal(700, budget.Used);
        Assert.Empty(budget.Leases);
        Assert.Empty(ledger.Holders);
    }

    [Fact]
    public void Prune_WindowOrHolderStillHoldingSomething_Kept()
    {
        var ledger = new VirtualKeyLedger();
        ledger.Exchange(Ask("A", 1, Window, 10, 4), Start, Options);
        var muchLater = Start + TimeSpan.FromDays(30);

        // Reclaim is what frees an expired holder's lease; prune alone never drops outstanding quota.
        var pruned = ledger.Prune(muchLater, Options);

        Assert.False(pruned);
        Assert.Equal(4, ledger.Accounts[VirtualKeyLedger.KeyOf(Window)].Leases["A"].Outstanding());
        Assert.True(ledger.Holders.ContainsKey("A"));
    }

    [Fact]
    public void ExtendHolders_StoredExpiryEarlier_MovedToTheGivenTime()
    {
        var ledger = new VirtualKeyLedger();
        ledger.Exchange(Ask("A", 1, Budget, 1_000, 10), Start, Options);
        ledger.Exchange(Ask("B", 1, Budget, 1_000, 10), Start + TimeSpan.FromMinutes(1), Options);

        ledger.ExtendHolders(Start + TimeSpan.FromSeconds(30));

        Assert.Equal(Start + TimeSpan.FromSeconds(30), ledger.Holders["A"].ExpiresAt);
        Assert.Equal(Start + TimeSpan.FromMinutes(1) + Options.LeaseLifetime, ledger.Holders["B"].ExpiresAt);
    }

    [Fact]
    public void Validate_SliceFractionAboveOne_ThrowsNamingTheOption()
    {
        var failure = Assert.Throws<OptionsValidationException>(() => new LeaseOptions { SliceFraction = 1.5 }.Validate());

        Assert.Equal(["LeaseOptions.SliceFraction must be from 0 to 1."], failure.Failures);
    }

    [Fact]
    public void Validate_CheckpointLongerThanAThirdOfTheLifetime_ThrowsNamingTheOption()
    {
        var failure = Assert.Throws<OptionsValidationException>(() => new LeaseOptions { LeaseLifetime = TimeSpan.FromSeconds(2) }.Validate());

        Assert.Equal(["LeaseOptions.CheckpointInterval must be greater than zero and at most a third of LeaseLifetime (held leases are renewed at checkpoints)."], failure.Failures);
    }

    [Fact]
    public void Validate_ZeroLeaseLifetime_ThrowsNamingTheOption()
    {
        var failure = Assert.Throws<OptionsValidationException>(() => new LeaseOptions { LeaseLifetime = TimeSpan.Zero }.Validate());

        Assert.Equal(["LeaseOptions.LeaseLifetime must be greater than zero."], failure.Failures);
    }

    [Fact]
    public void Validate_Defaults_Pass() => new LeaseOptions().Validate();
}
