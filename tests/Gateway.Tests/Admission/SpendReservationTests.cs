using System.Net;
using Switchyard.Gateway.Errors;
using Switchyard.Gateway.Pipeline;
using Switchyard.Gateway.Tests.Health;
using Switchyard.Gateway.Upstream;
using Switchyard.State;
using static Switchyard.Gateway.Tests.Admission.QuotaWorld;

namespace Switchyard.Gateway.Tests.Admission;

/// <summary>Each target's worst-case spend at every level with a budget, and the virtual key's own limits; kept or given back after the attempt.</summary>
public sealed class SpendReservationTests
{
    private readonly QuotaWorld _world = new();

    private static UpstreamRequest Request(string model = "gpt-4o", VirtualKey? virtualKey = null)
    {
        var request = CircuitTestKit.Request(virtualKey: virtualKey);
        return request with { Call = request.Call with { Model = model } };
    }

    private static UpstreamOutcome Answer(int status) => UpstreamOutcome.Answered(new HttpResponseMessage((HttpStatusCode)status), "{}"u8.ToArray());

    [Fact]
    public async Task ReserveAsync_NothingGoverned_HoldsNothing()
    {
        var hold = await _world.Reservation.ReserveAsync(Call(Workspace(Limits.None), ApiKey(Limits.None)), Request());

        Assert.Null(hold);
        Assert.Equal(0, _world.Bank.SettleCalls);
    }

    [Fact]
    public async Task ReserveAsync_TokenBudget_HoldsThePromptBoundPlusMaxTokens()
    {
        var call = Call(Workspace(Budget(tokens: 100_000)), maxTokens: 500);

        var hold = await _world.Reservation.ReserveAsync(call, Request());

        var claim = Assert.Single(hold!.Claims).Claim;
        Assert.Equal(QuotaMeter.BudgetTokens, claim.Window.Meter);
        Assert.Equal(call.PromptTokens.UpperBound + 500, claim.Amount);
        Assert.Equal(100_000, claim.Limit);
        Assert.Equal(claim.Amount, _world.Bank.Standing(claim.Window).Reserved);
    }

    [Fact]
    public async Task ReserveAsync_BudgetThatCannotCoverTheWorstCase_Is412WithItsReset()
    {
        var workspace = Workspace(Budget(usd: 0.01m));
        var call = Call(workspace, maxTokens: 2_000); // 2,000 output tokens of gpt-4o alone are $0.02

        var refusal = await Assert.ThrowsAsync<GatewayException>(() => _world.Reservation.ReserveAsync(call, Request()).AsTask());

        Assert.Equal(GatewayErrorKind.BudgetExceeded, refusal.Kind);
        Assert.Equal(412, refusal.StatusCode);
        Assert.StartsWith("Budget exhausted for the workspace 'team': $0.00 of its monthly budget of $0.01", refusal.Message, StringComparison.Ordinal);
        Assert.Contains(new KeyValuePair<string, string>(GatewayHeaders.BudgetReset, "2026-06-01T00:00:00Z"), refusal.Headers);
    }

    [Fact]
    public async Task ReserveAsync_HardUsdBudgetAndUnpricedModel_Is412()
    {
        var call = Call(Workspace(Budget(usd: 100m)));

        var refusal = await Assert.ThrowsAsync<GatewayException>(() => _world.Reservation.ReserveAsync(call, Request(model: "model-nobody-prices")).AsTask());

        Assert.Equal(412, refusal.StatusCode);
        Assert.Contains("knows no price for model 'model-nobody-prices'", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReserveAsync_VirtualKeysRateLimit_Is429()
    {
        var virtualKey = QuotaWorld.VirtualKey(Rates(new RateLimit(RateLimitKind.Requests, RateLimitUnit.PerMinute, 1)));
        await _world.Reservation.ReserveAsync(Call(Workspace(Limits.None)), Request(virtualKey: virtualKey));

        var refusal = await Assert.ThrowsAsync<GatewayException>(() =>
            _world.Reservation.ReserveAsync(Call(Workspace(Limits.None)), Request(virtualKey: virtualKey)).AsTask());

        Assert.Equal(429, refusal.StatusCode);
        Assert.Contains("virtual key 'openai-prod'", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Conclude_FailedAttempt_GivesTheHoldBackAtOnce()
    {
        var call = Call(Workspace(Budget(tokens: 100_000)), maxTokens: 500);
        var hold = await _world.Reservation.ReserveAsync(call, Request());
        await using var failed = Answer(503);

        _world.Reservation.Conclude(call, hold, failed);

        var settled = Assert.Single(_world.Bank.Settled);
        Assert.Equal(hold!.Claims[0].Claim.Amount, settled.Reserved);
        Assert.Equal(0, settled.Actual);
        Assert.Equal((0, 0), _world.Bank.Standing(settled.Window));
        Assert.Empty(call.Holds);
        Assert.False(call.ProviderAnswered);
    }

    [Fact]
    public async Task Conclude_Success_KeepsTheHoldForSettlement()
    {
        var call = Call(Workspace(Budget(tokens: 100_000)), maxTokens: 500);
        var hold = await _world.Reservation.ReserveAsync(call, Request());
        await using var answered = Answer(200);

        _world.Reservation.Conclude(call, hold, answered);

        Assert.Same(hold, Assert.Single(call.Holds));
        Assert.True(call.ProviderAnswered);
        Assert.Empty(_world.Bank.Settled);
    }
}
