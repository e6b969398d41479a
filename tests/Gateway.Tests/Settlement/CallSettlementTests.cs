using Switchyard.Gateway.Admission;
using Switchyard.Gateway.Pipeline;
using Switchyard.Gateway.Tests.Admission;
using Switchyard.State;
using static Switchyard.Gateway.Tests.Admission.QuotaWorld;

namespace Switchyard.Gateway.Tests.Settlement;

/// <summary>Every hold of a call settled once, to the usage reported, the worst case, or nothing.</summary>
public sealed class CallSettlementTests
{
    private static readonly TokenPrice Gpt4o = new(2.50m, 10.00m);
    private static readonly GovernedLimit Owner = new(GovernedKind.Workspace, "ws-1", "team", "ws-1");

    private readonly QuotaWorld _world = new();

    private static QuotaWindow Window(QuotaMeter meter) => new(GovernedKind.Workspace, "ws-1", meter, Now, Now.AddMonths(1));

    /// <summary>One claim of each settle rule, each reserving <paramref name="amount"/> (1 for requests and concurrency).</summary>
    private static QuotaHold Hold(long amount = 1_000, long limit = 1_000_000) => new(
    [
        new HeldClaim(new QuotaClaim(Window(QuotaMeter.Requests), 10, 1), SettleRule.Keep, Owner, null, null),
        new HeldClaim(new QuotaClaim(Window(QuotaMeter.Concurrent), 10, 1), SettleRule.Release, Owner, null, null),
        new HeldClaim(new QuotaClaim(Window(QuotaMeter.BudgetTokens), limit, amount), SettleRule.Tokens, Owner, null, null),
        new HeldClaim(new QuotaClaim(Window(QuotaMeter.CostMicros), limit, amount), SettleRule.Cost, Owner, null, null),
    ], Gpt4o);

    private (long Requests, long Concurrent, long Tokens, long Micros) Actuals()
    {
        var settled = _world.Bank.Settled;
        long Of(QuotaMeter meter) => settled.Single(s => s.Window.Meter == meter).Actual;
        return (Of(QuotaMeter.Requests), Of(QuotaMeter.Concurrent), Of(QuotaMeter.BudgetTokens), Of(QuotaMeter.CostMicros));
    }

    private static GatewayCall CallHolding(QuotaHold hold, bool answered, TokenUsage? usage)
    {
        var call = Call(Workspace(Limits.None));
        call.Holds.Add(hold);
        call.ProviderAnswered = answered;
        call.Usage = usage;
        return call;
    }

    [Fact]
    public void Settle_ReportedUsage_ChargesItAtTheHoldsPrice()
    {
        var call = CallHolding(Hold(), answered: true, new TokenUsage(1_000, 500, 1_500));

        _world.Settlement.Settle(call);

        Assert.Equal((1, 0, 1_500, 7_500), Actuals()); // 1,000 × $2.50/M + 500 × $10/M = 7,500 micro-dollars
    }

    [Fact]
    public void Settle_AnsweredWithoutUsage_ChargesTheWorstCase()
    {
        _world.Settlement.Settle(CallHolding(Hold(amount: 4_321), answered: true, usage: null));

        Assert.Equal((1, 0, 4_321, 4_321), Actuals());
    }

    [Fact]
    public void Settle_NeverAnswered_ChargesNothingButTheRequest()
    {
        _world.Settlement.Settle(CallHolding(Hold(), answered: false, usage: null));

        Assert.Equal((1, 0, 0, 0), Actuals());
    }

    [Fact]
    public void Settle_HardClaims_GiveBackWhatTheyReserved()
    {
        _world.Settlement.Settle(CallHolding(Hold(amount: 800), answered: false, usage: null));

        Assert.All(_world.Bank.Settled, s => Assert.Equal(s.Window.Meter is QuotaMeter.Requests or QuotaMeter.Concurrent ? 1 : 800, s.Reserved));
    }

    [Fact]
    public void Settle_ClaimWithoutAHardCap_ReservedNothingSoGivesNothingBack()
    {
        var soft = new QuotaHold([new HeldClaim(new QuotaClaim(Window(QuotaMeter.BudgetTokens), long.MaxValue, 900), SettleRule.Tokens, Owner, null, null)], null);

        _world.Settlement.Settle(soft, new TokenUsage(10, 20, 30), answered: true);

        Assert.Equal(new QuotaSettlement(Window(QuotaMeter.BudgetTokens), 0, 30), Assert.Single(_world.Bank.Settled));
    }

    [Fact]
    public void Settle_SameHoldTwice_SettlesOnce()
    {
        var hold = Hold();
        var call = CallHolding(hold, answered: true, usage: null);

        _world.Settlement.Settle(hold, usage: null, answered: false);
        _world.Settlement.Settle(call);
        _world.Settlement.Settle(hold, new TokenUsage(1, 1, 2), answered: true);

        Assert.Equal(1, _world.Bank.SettleCalls);
        Assert.Equal((1, 0, 0, 0), Actuals());
    }

    [Fact]
    public void Settle_Call_ClearsItsHolds()
    {
        var call = CallHolding(Hold(), answered: true, usage: null);
        call.Holds.Add(Hold());

        _world.Settlement.Settle(call);

        Assert.Empty(call.Holds);
        Assert.Equal(2, _world.Bank.SettleCalls);
    }
}
