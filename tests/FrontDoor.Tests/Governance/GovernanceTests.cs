using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Switchyard.FrontDoor.Tests.Admin;
using Switchyard.FrontDoor.Tests.Infrastructure;
using Switchyard.State;

namespace Switchyard.FrontDoor.Tests.Governance;

public sealed class SqliteGovernanceTests(GovernanceFixture fixture) : GovernanceTests<GovernanceFixture>(fixture), IClassFixture<GovernanceFixture>;

public sealed class PostgresGovernanceTests(PostgresGovernanceFixture fixture) : GovernanceTests<PostgresGovernanceFixture>(fixture), IClassFixture<PostgresGovernanceFixture>;

/// <summary>
/// Budgets, rate limits and concurrency caps on the data path, end to end on Kestrel, run on both stores. The fake's
/// usage is deterministic: "hi" with <c>max_tokens: 5</c> is 8 prompt + 3 completion tokens ("You said: hi"), and its
/// worst case as the gateway bounds it is 2 + 4 + 3 = 9 prompt + 5 completion = 14 tokens.
/// </summary>
public abstract class GovernanceTests<TFixture>(TFixture fixture)
    where TFixture : GovernanceFixture
{
    private const string Model = "fake-gpt";
    private const long ActualTokens = 11;

    protected TFixture Fixture { get; } = fixture;

    /// <summary>A workspace (with prices for the fake's model) and a key in it, written straight to the store.</summary>
    private Task<Tenant> NewTenantAsync(Limits? keyLimits = null, Limits? workspaceLimits = null, decimal usdPerMillion = 10_000m) =>
        Tenant.CreateAsync(Fixture, Fixture.Clock, keyLimits, workspaceLimits, usdPerMillion, Model);

    private HttpRequestMessage Chat(Tenant tenant, string fault = "") =>
        Requests.Chat(Model, "hi", extra: ",\"max_tokens\":5").ToFake(Fixture)
            .WithHeader("x-portkey-api-key", tenant.Secret)
            .WithHeader("x-fake-fault", fault)
            .WithHeader("x-portkey-forward-headers", "x-fake-fault");

    /// <summary>
    /// The entity's spend once every call has settled. Settlement follows the last byte of the answer (it is not on the
    /// response's critical path), so a client can read its answer a moment before the ledger shows it.
    /// </summary>
    private async Task<QuotaUsage> SettledSpendAsync(GovernedKind kind, string id)
    {
        var bank = Fixture.Services.GetRequiredService<IQuotaBank>();
        QuotaUsage? spend = null;
        await Eventually.Until(() =>
        {
            spend = bank.UsageAsync(kind, id, default).GetAwaiter().GetResult().SingleOrDefault(u => u.Window.Meter == QuotaMeter.CostMicros);
            return spend is { Reserved: 0 };
        });
        return spend!;
    }

    private static Limits Budget(decimal usd, BudgetPeriod period = BudgetPeriod.None, bool hard = true, int[]? thresholds = null, string? webhook = null) =>
        new(new UsageLimits(usd, null, period, "UTC", thresholds ?? [], hard) { AlertWebhookUrl = webhook }, [], null);

    [Fact]
    public async Task HardCap_200ConcurrentRequests_NeverSpendPastIt()
    {
        // $1 at $0.01 a token: each call reserves $0.14 and costs $0.11.
        var tenant = await NewTenantAsync(keyLimits: Budget(1m));

        var responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(async _ =>
        {
            using var response = await Fixture.Client.SendAsync(Chat(tenant, "latency=20"));
            return (response.StatusCode, Body: await response.JsonAsync());
        }));

        var admitted = responses.Where(r => r.StatusCode == HttpStatusCode.OK).ToList();
        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.PreconditionFailed).ToList();
        Assert.Equal(200, admitted.Count + refused.Count);
        Assert.InRange(admitted.Count, 7, 9);
        Assert.All(admitted, r => Assert.Equal(ActualTokens, r.Body.GetProperty("usage").GetProperty("total_tokens").GetInt64()));
        Assert.All(refused, r => Assert.Contains("Budget exhausted for the API key 'ci-bot'", r.Body.GetProperty("message").GetString()));

        var spend = await SettledSpendAsync(GovernedKind.ApiKey, tenant.Key.Id);
        Assert.Equal(admitted.Count * ActualTokens * 10_000, spend.Used);
        Assert.True(spend.Used <= 1_000_000, $"spent {spend.Used} micro-dollars past a $1 cap");
        Assert.Equal(0, spend.Reserved);
    }

    [Fact]
    public async Task Budget_RaisedThroughTheAdminApi_AdmitsTheNextRequest()
    {
        // $0.10 a token: the worst case of $1.40 does not fit a $1 budget.
        var tenant = await NewTenantAsync(keyLimits: Budget(1m), usdPerMillion: 100_000m);

        using (var refused = await Fixture.Client.SendAsync(Chat(tenant)))
        {
            Assert.Equal(HttpStatusCode.PreconditionFailed, refused.StatusCode);
            var message = (await refused.JsonAsync()).GetProperty("message").GetString();
            Assert.Equal(
                "Budget exhausted for the API key 'ci-bot': $0.00 of its budget of $1.00 is spent or reserved, and this request may cost up to $1.40. "
                + "The budget has no period: raise it through the admin API to admit more.",
                message);
        }

        var admin = new AdminCalls(Fixture.Client, GatewayFixture.AdminToken);
        (await admin.Put($"/v1/api-keys/{tenant.Key.Id}", """{"usage_limits":{"credit_limit":2,"type":"cost"}}""")).Ok();

        using var admitted = await Fixture.Client.SendAsync(Chat(tenant));
        Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
        var spend = await SettledSpendAsync(GovernedKind.ApiKey, tenant.Key.Id);
        Assert.Equal(ActualTokens * 100_000, spend.Used);

        // The admin read shows the same spend from the real bank: $1.10 of $2, still active.
        var usage = (await admin.Get($"/v1/api-keys/{tenant.Key.Id}")).Ok().GetProperty("usage");
        Assert.Equal("active", usage.GetProperty("status").GetString());
        var window = Assert.Single(usage.GetProperty("windows").EnumerateArray(), w => w.GetProperty("meter").GetString() == "cost_usd");
        Assert.Equal(1.1m, window.GetProperty("used").GetDecimal());
        Assert.Equal(0m, window.GetProperty("reserved").GetDecimal());
    }

    [Fact]
    public async Task Budget_WorkspaceMonthly_RefusalNamesTheLevelAndTheReset()
    {
        var tenant = await NewTenantAsync(workspaceLimits: Budget(1m, BudgetPeriod.Monthly), usdPerMillion: 100_000m);
        var now = Fixture.Clock.GetUtcNow();
        var reset = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1);

        using var refused = await Fixture.Client.SendAsync(Chat(tenant));

        Assert.Equal(HttpStatusCode.PreconditionFailed, refused.StatusCode);
        var message = (await refused.JsonAsync()).GetProperty("message").GetString()!;
        Assert.StartsWith($"Budget exhausted for the workspace '{tenant.Workspace.Slug}': $0.00 of its monthly budget of $1.00", message);
        Assert.EndsWith($"The period resets at {reset:yyyy-MM-ddTHH:mm:ssZ}.", message);
        Assert.Equal(reset.ToString("yyyy-MM-ddTHH:mm:ssZ"), refused.Header("x-switchyard-budget-reset"));
    }

    [Fact]
    public async Task RequestRateLimit_AtTheBoundary_AdmitsExactlyTheLimitThenRefusesUntilTheNextWindow()
    {
        var tenant = await NewTenantAsync(keyLimits: new Limits(null, [new RateLimit(RateLimitKind.Requests, RateLimitUnit.PerMinute, 5)], null));
        Fixture.Clock.JumpToNextWindow(TimeSpan.FromMinutes(1));

        for (var i = 1; i <= 5; i++)
        {
            using var ok = await Fixture.Client.SendAsync(Chat(tenant));
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal("5", ok.Header("x-ratelimit-limit-requests"));
            Assert.Equal((5 - i).ToString(), ok.Header("x-ratelimit-remaining-requests"));
            Assert.Equal("1m0s", ok.Header("x-ratelimit-reset-requests"));
        }

        using (var refused = await Fixture.Client.SendAsync(Chat(tenant)))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal("60", refused.Header("retry-after"));
            Assert.Equal("0", refused.Header("x-ratelimit-remaining-requests"));
            Assert.Equal("5", refused.Header("x-ratelimit-limit-requests"));
            Assert.Equal("Rate limit exceeded for the API key 'ci-bot': 5 requests per minute. Retry after 60 s.", (await refused.JsonAsync()).GetProperty("message").GetString());
        }

        Fixture.Clock.JumpToNextWindow(TimeSpan.FromMinutes(1));
        using var next = await Fixture.Client.SendAsync(Chat(tenant));
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal("4", next.Header("x-ratelimit-remaining-requests"));
    }

    [Fact]
    public async Task TokenRateLimit_ReservesTheEstimateAndSettlesToTheRealCount()
    {
        // Each call reserves 1 + 4 + 5 = 10 tokens and really uses 11: 10 | 21 | 32 > 30.
        var tenant = await NewTenantAsync(workspaceLimits: new Limits(null, [new RateLimit(RateLimitKind.Tokens, RateLimitUnit.PerMinute, 30)], null));
        Fixture.Clock.JumpToNextWindow(TimeSpan.FromMinutes(1));

        using (var first = await Fixture.Client.SendAsync(Chat(tenant)))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal("20", first.Header("x-ratelimit-remaining-tokens"));
        }

        using (var second = await Fixture.Client.SendAsync(Chat(tenant)))
        {
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
            Assert.Equal("9", second.Header("x-ratelimit-remaining-tokens"));
        }

        using var third = await Fixture.Client.SendAsync(Chat(tenant));
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.Equal("8", third.Header("x-ratelimit-remaining-tokens"));
        Assert.Equal("30", third.Header("x-ratelimit-limit-tokens"));
    }

    [Fact]
    public async Task Concurrency_OverTheCap_Is429UntilOneFinishes()
    {
        var tenant = await NewTenantAsync(keyLimits: new Limits(null, [], 2));
        var scenario = Requests.NewScenario();

        var slow = Enumerable.Range(0, 2).Select(_ => Fixture.Client.SendAsync(Chat(tenant, $"scenario={scenario};latency=1500"))).ToArray();
        await Eventually.Until(() => Fixture.Fake.Journal.ForScenario(scenario).Count == 2);

        using (var refused = await Fixture.Client.SendAsync(Chat(tenant)))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal("1", refused.Header("retry-after"));
            Assert.Equal("Too many concurrent requests for the API key 'ci-bot': at most 2 may be in flight at once.", (await refused.JsonAsync()).GetProperty("message").GetString());
        }

        foreach (var response in await Task.WhenAll(slow))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            response.Dispose();
        }

        using var after = await Fixture.Client.SendAsync(Chat(tenant));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task FailedCall_ReleasesItsReservation_AndChargesNothing()
    {
        var tenant = await NewTenantAsync(keyLimits: Budget(1m));

        using var failed = await Fixture.Client.SendAsync(Chat(tenant, "status=400"));

        Assert.Equal(HttpStatusCode.BadRequest, failed.StatusCode);
        var spend = await SettledSpendAsync(GovernedKind.ApiKey, tenant.Key.Id);
        Assert.Equal(0, spend.Used);
        Assert.Equal(0, spend.Reserved);
    }

    [Fact]
    public async Task Streaming_SettlesToTheUsageChunk()
    {
        var tenant = await NewTenantAsync(keyLimits: Budget(1m));
        var request = Requests.Chat(Model, "hi", stream: true, extra: ",\"max_tokens\":5").ToFake(Fixture).WithHeader("x-portkey-api-key", tenant.Secret);

        using var response = await Fixture.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.EndsWith("data: [DONE]\n\n", text);
        var spend = await SettledSpendAsync(GovernedKind.ApiKey, tenant.Key.Id);
        Assert.Equal(ActualTokens * 10_000, spend.Used);
    }

    [Fact]
    public async Task SoftBudget_CrossingThresholds_AlertsTheWebhookWithRetries_AndStillAdmits()
    {
        await using var webhook = await AlertReceiver.StartAsync(failFirst: 1);
        // $0.10 a token: the first call ($1.10) crosses 50% and 100% of a soft $1 budget.
        var tenant = await NewTenantAsync(keyLimits: Budget(1m, BudgetPeriod.Daily, hard: false, thresholds: [50], webhook: webhook.Url), usdPerMillion: 100_000m);

        using (var first = await Fixture.Client.SendAsync(Chat(tenant)))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        using (var second = await Fixture.Client.SendAsync(Chat(tenant)))
        {
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        }

        await Eventually.Until(() => webhook.Delivered.Count == 2);
        var alerts = webhook.Delivered.OrderBy(a => a.GetProperty("threshold_percent").GetInt32()).ToList();
        Assert.Equal([50, 100], alerts.Select(a => a.GetProperty("threshold_percent").GetInt32()));
        Assert.Equal(["budget.threshold", "budget.exhausted"], alerts.Select(a => a.GetProperty("type").GetString()));
        Assert.All(alerts, a =>
        {
            Assert.Equal("api_key", a.GetProperty("level").GetString());
            Assert.Equal(tenant.Key.Id, a.GetProperty("entity_id").GetString());
            Assert.Equal(tenant.Workspace.Id, a.GetProperty("workspace_id").GetString());
            Assert.Equal("soft", a.GetProperty("enforcement").GetString());
            Assert.Equal("usd", a.GetProperty("unit").GetString());
            Assert.Equal(1m, a.GetProperty("limit").GetDecimal());
            Assert.Equal(1.1m, a.GetProperty("used").GetDecimal());
        });

        // One delivery failed with a 500 and was retried; the second call crossed nothing new.
        Assert.Equal(3, webhook.Attempts);
        var spend = await SettledSpendAsync(GovernedKind.ApiKey, tenant.Key.Id);
        Assert.Equal(2 * ActualTokens * 100_000, spend.Used);
    }

    [Fact]
    public async Task VirtualKeyLimits_AreChargedAtTheTargetThatUsesIt()
    {
        var tenant = await NewTenantAsync(usdPerMillion: 100_000m);
        var admin = new AdminCalls(Fixture.Client, GatewayFixture.AdminToken);
        var limited = (await admin.Post("/v1/virtual-keys",
            $$"""{"name":"rpm","provider":"openai","key":"sk-vk-1","workspace_id":"{{tenant.Workspace.Id}}","rate_limits":[{"type":"requests","unit":"rpm","value":2}]}""")).Ok().Str("slug");
        var budgeted = (await admin.Post("/v1/virtual-keys",
            $$"""{"name":"budget","provider":"openai","key":"sk-vk-2","workspace_id":"{{tenant.Workspace.Id}}","usage_limits":{"credit_limit":1} }""")).Ok().Str("slug");
        Fixture.Clock.JumpToNextWindow(TimeSpan.FromMinutes(1));

        HttpRequestMessage Via(string slug) => Requests.Chat(Model, "hi", extra: ",\"max_tokens\":5")
            .WithHeader("x-portkey-api-key", tenant.Secret)
            .WithHeader("x-portkey-virtual-key", slug)
            .WithHeader("x-portkey-custom-host", Fixture.FakeBase);

        for (var i = 0; i < 2; i++)
        {
            using var ok = await Fixture.Client.SendAsync(Via(limited));
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using (var refused = await Fixture.Client.SendAsync(Via(limited)))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal($"Rate limit exceeded for the virtual key '{limited}': 2 requests per minute. Retry after 60 s.", (await refused.JsonAsync()).GetProperty("message").GetString());
        }

        using var overBudget = await Fixture.Client.SendAsync(Via(budgeted));
        Assert.Equal(HttpStatusCode.PreconditionFailed, overBudget.StatusCode);
        Assert.StartsWith($"Budget exhausted for the virtual key '{budgeted}': $0.00 of its budget of $1.00", (await overBudget.JsonAsync()).GetProperty("message").GetString());
    }


    /// <summary>A webhook on loopback that records alerts and fails the first N deliveries with a 500.</summary>
    private sealed class AlertReceiver : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private int _attempts;

        private AlertReceiver(WebApplication app) => _app = app;

        public ConcurrentBag<JsonElement> Delivered { get; } = [];

        public int Attempts => Volatile.Read(ref _attempts);

        public string Url => new Uri(new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()), "/alerts").ToString();

        public static async Task<AlertReceiver> StartAsync(int failFirst)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            var receiver = new AlertReceiver(app);
            app.MapPost("/alerts", async (HttpContext context) =>
            {
                if (Interlocked.Increment(ref receiver._attempts) <= failFirst)
                {
                    return Results.StatusCode(500);
                }

                using var document = await JsonDocument.ParseAsync(context.Request.Body);
                receiver.Delivered.Add(document.RootElement.Clone());
                return Results.Ok();
            });
            await app.StartAsync();
            return receiver;
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
