using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Switchyard.Gateway.Admission;
using Switchyard.Gateway.Settlement;
using Switchyard.State;

namespace Switchyard.Gateway.Tests.Settlement;

public sealed class BudgetAlertsTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-22T12:00:00Z");
    private static readonly QuotaWindow Window = new(GovernedKind.ApiKey, "key-1", QuotaMeter.CostMicros, Now.AddDays(-21), Now.AddDays(9));

    private static (BudgetAlerts Alerts, QuotaHold Hold) Budget(params int[] thresholds)
    {
        var alerts = new BudgetAlerts(Options.Create(new GatewayOptions { AlertWebhookUrl = "https://hooks.example/budget" }), NullLogger<BudgetAlerts>.Instance, TimeProvider.System);
        var budget = new UsageLimits(10m, null, BudgetPeriod.Monthly, "UTC", thresholds, Hard: false);
        var owner = new GovernedLimit(GovernedKind.ApiKey, "key-1", "ci-bot", "ws-1");
        var hold = new QuotaHold([new HeldClaim(new QuotaClaim(Window, 10_000_000, 1_000_000), SettleRule.Cost, owner, 10_000_000, budget)], price: null);
        return (alerts, hold);
    }

    [Fact]
    public void Observe_OneSettlementCrossingEveryThreshold_AlertsEachOnce_InTheirOrder_TheCapLast()
    {
        var (alerts, hold) = Budget(100, 50, 50, 75);

        alerts.Observe(hold.Claims[0], new QuotaChange(Window, 4_000_000, 10_000_000), Now);

        Assert.Equal(3, alerts.Pending);
        Assert.Equal([50, 75, 100], Drain(alerts).Select(a => a.ThresholdPercent));
    }

    [Fact]
    public void Observe_SpendUpToJustBelowAMark_DoesNotAlert_ReachingItDoes()
    {
        var (alerts, hold) = Budget(50);

        alerts.Observe(hold.Claims[0], new QuotaChange(Window, 0, 4_999_999), Now);
        Assert.Equal(0, alerts.Pending);

        alerts.Observe(hold.Claims[0], new QuotaChange(Window, 4_999_999, 5_000_000), Now);
        var alert = Assert.Single(Drain(alerts));
        Assert.Equal(("budget.threshold", 50, 5m), (alert.Type, alert.ThresholdPercent, alert.Used));
    }

    [Fact]
    public void Observe_ReleasedHold_NothingSpent_NeverAlerts()
    {
        var (alerts, hold) = Budget(50);

        alerts.Observe(hold.Claims[0], new QuotaChange(Window, 9_000_000, 9_000_000), Now);

        Assert.Equal(0, alerts.Pending);
    }

    private static List<BudgetAlert> Drain(BudgetAlerts alerts)
    {
        var drained = new List<BudgetAlert>();
        using var stop = new CancellationTokenSource();
        var handler = new CapturingHandler(drained, () => alerts.Pending == 0 ? stop : null);
        using var client = new HttpClient(handler);
        try
        {
            alerts.DeliverAsync(client, stop.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
        }

        return drained;
    }

    private sealed class CapturingHandler(List<BudgetAlert> drained, Func<CancellationTokenSource?> whenEmpty) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var alert = System.Text.Json.JsonSerializer.Deserialize(await request.Content!.ReadAsStringAsync(cancellationToken), BudgetAlertJsonContext.Default.BudgetAlert)!;
            drained.Add(alert);
            whenEmpty()?.Cancel();
            return new HttpResponseMessage(System.Net.HttpStatusCode.OK);
        }
    }
}
