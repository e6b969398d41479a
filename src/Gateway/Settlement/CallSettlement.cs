using System.Collections.Concurrent;
using Switchyard.Gateway.Admission;
using Switchyard.Gateway.Pipeline;
using Switchyard.State;

namespace Switchyard.Gateway.Settlement;

/// <summary>
/// Settles every hold a call still has to the usage the provider reported, once the call is over, whatever happened.
/// In memory: the bank delivers it in the background, and tells back when spend was recorded so budget alerts fire.
/// </summary>
internal sealed class CallSettlement
{
    private readonly IQuotaBank _bank;
    private readonly BudgetAlerts _alerts;
    private readonly TimeProvider _time;
    private readonly ModelPrices _prices;

    // The latest budget claim settled per quota window: what an alert needs (owner, cap, thresholds) when the bank reports
    // that the spend it carried was recorded. One entry per governed entity and period; ended periods are dropped.
    private readonly ConcurrentDictionary<QuotaWindow, HeldClaim> _alerting = new();

    public CallSettlement(IQuotaBank bank, BudgetAlerts alerts, TimeProvider time, ModelPrices prices)
    {
        _bank = bank;
        _alerts = alerts;
        _time = time;
        _prices = prices;
        _bank.SpendRecorded += OnSpendRecorded;
    }

    /// <summary>
    /// Prices the call for its log (the answering target's price and the usage it reported; nothing for a cache hit or
    /// a call no provider answered, nor when the provider reported no usage).
    /// Without a report, a call the provider answered (a stream the client abandoned, a provider that sends no usage) is
    /// charged its worst case; one it never answered is charged nothing. A cached answer reached no provider: its usage
    /// is what the provider once reported, so it is charged nothing either.
    /// </summary>
    public void Settle(GatewayCall call)
    {
        var answered = call.ProviderAnswered;
        var usage = call.ServedFromCache ? null : call.Usage;
        call.CostMicros = answered && usage is { } used && call.Provider is { } provider
            ? _prices.For(call.Workspace, provider, call.ModelUsed)?.Micros(used.PromptTokens, used.CompletionTokens) ?? 0
            : 0;
        foreach (var hold in call.Holds)
        {
            Settle(hold, usage, answered);
        }

        call.Holds.Clear();
    }

    public void Settle(QuotaHold hold, TokenUsage? usage, bool answered)
    {
        if (!hold.TryClaimSettlement())
        {
            return;
        }

        var settlements = new QuotaSettlement[hold.Claims.Count];
        for (var i = 0; i < settlements.Length; i++)
        {
            var held = hold.Claims[i];
            var (claim, rule, _, _, _) = held;
            var actual = rule switch
            {
                SettleRule.Keep => claim.Amount,
                SettleRule.Release => 0,
                SettleRule.Tokens => usage is { } u ? u.TotalTokens : answered ? claim.Amount : 0,
                _ => usage is { } u ? hold.Price?.Micros(u.PromptTokens, u.CompletionTokens) ?? 0 : answered ? claim.Amount : 0,
            };

            // A claim without a hard cap was counted, not held: nothing reserved to give back.
            settlements[i] = new QuotaSettlement(claim.Window, claim.IsHard ? claim.Amount : 0, actual);
            if (held is { AlertCap: > 0, Budget: not null } && actual > 0)
            {
                _alerting[claim.Window] = held;
            }
        }

        _bank.Settle(settlements);
    }

    private void OnSpendRecorded(QuotaChange change)
    {
        if (!_alerting.TryGetValue(change.Window, out var held))
        {
            return;
        }

        var now = _time.GetUtcNow();
        _alerts.Observe(held, change, now);
        if (_alerting.Count > 1024)
        {
            foreach (var (window, _) in _alerting)
            {
                if (window.End is { } end && end < now)
                {
                    _alerting.TryRemove(window, out _);
                }
            }
        }
    }
}
