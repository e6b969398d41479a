using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Switchyard.Gateway.Admission;
using Switchyard.Gateway.Pipeline;
using Switchyard.Gateway.Settlement;
using Switchyard.Gateway.Tests.Pipeline;
using Switchyard.Providers.Catalog;
using Switchyard.State;

namespace Switchyard.Gateway.Tests.Admission;

/// <summary>The admission and settlement steps over one <see cref="InMemoryQuotaBank"/>, on a clock the test holds.</summary>
internal sealed class QuotaWorld
{
    public static readonly DateTimeOffset Now = new(2026, 5, 1, 12, 0, 30, TimeSpan.Zero);

    public QuotaWorld()
    {
        var options = Options.Create(new GatewayOptions());
        var holds = new QuotaHolds(Bank, NullLogger<QuotaHolds>.Instance);
        var prices = new ModelPrices(ModelCatalog.Default);
        Settlement = new CallSettlement(Bank, new BudgetAlerts(options, NullLogger<BudgetAlerts>.Instance, Time), Time, prices);
        Admission = new RateAdmission(holds, Time);
        Reservation = new SpendReservation(holds, Settlement, prices, Time, options);
    }

    public FakeTimeProvider Time { get; } = new(Now);

    public InMemoryQuotaBank Bank { get; } = new();

    public RateAdmission Admission { get; }

    public SpendReservation Reservation { get; }

    public CallSettlement Settlement { get; }

    public static Workspace Workspace(Limits limits) =>
        new("ws-1", "team", "team", null, new Dictionary<string, string>(), limits, false, Now, Now);

    public static ApiKey ApiKey(Limits limits) =>
        new("key-1", "ws-1", "app", null, "hash", "sk-…", [], null, null, null, new Dictionary<string, string>(), limits, null, null, Now, Now);

    public static VirtualKey VirtualKey(Limits limits) =>
        new("vk-1", "ws-1", "openai-prod", "openai-prod", "openai", new SealedSecret("k", [], [], []), "sk-…", new Dictionary<string, string>(), null, limits, null, Now, Now);

    public static Limits Rates(params RateLimit[] rates) => new(null, rates, null);

    public static Limits Budget(decimal? usd = null, long? tokens = null, bool hard = true, BudgetPeriod period = BudgetPeriod.Monthly) =>
        new(new UsageLimits(usd, tokens, period, "UTC", [], hard), [], null);

    /// <summary>A chat call of the workspace (and key), as authentication would have left it.</summary>
    public static GatewayCall Call(Workspace? workspace, ApiKey? key = null, int? maxTokens = null, RecordingResponse? response = null)
    {
        var call = TestCalls.Chat(TestCalls.ChatBody("gpt-4o", maxTokens), response: response);
        call.Workspace = workspace;
        call.ApiKey = key;
        return call;
    }
}
