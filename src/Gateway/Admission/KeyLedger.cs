using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchyard.Gateway.Pipeline;
using Switchyard.Gateway.Upstream;
using Switchyard.State;

namespace Switchyard.Gateway.Admission;

/// <summary>
/// The pipeline's admission and settlement (docs/architecture.md): admits a call against the rate limits, concurrency
/// caps and budgets of every level that governs it (workspace, API key, virtual key), by reserving from the
/// <see cref="IQuotaBank"/>, and settles each reservation to what really happened once the answer is written.
/// </summary>
/// <remarks>
/// Two moments: <see cref="AdmitAsync"/> runs before routing and holds the request's own rate limits and concurrency
/// at the workspace and key; <see cref="ReserveSpendAsync"/> runs before each target is called, once the provider and
/// model (so the price) and the virtual key are known, and holds the worst-case spend at every level plus the virtual
/// key's own limits. A target that fails has its hold released before the next one is tried.
/// </remarks>
internal sealed partial class KeyLedger
{
    private const long Unlimited = long.MaxValue;

    private readonly IQuotaBank _bank;
    private readonly ModelPrices _prices;
    private readonly BudgetAlerts _alerts;
    private readonly TimeProvider _time;
    private readonly GatewayOptions _options;
    private readonly ILogger<KeyLedger> _logger;

    // The latest budget claim settled per quota window: what an alert needs (owner, cap, thresholds) when the bank reports
    // that the spend it carried was recorded. One entry per governed entity and period; ended periods are dropped.
    private readonly ConcurrentDictionary<QuotaWindow, HeldClaim> _alerting = new();

    public KeyLedger(IQuotaBank bank, ModelPrices prices, BudgetAlerts alerts, TimeProvider time, IOptions<GatewayOptions> options, ILogger<KeyLedger> logger)
    {
        _logger = logger;
        _bank = bank;
        _prices = prices;
        _alerts = alerts;
        _time = time;
        _options = options.Value;
        _bank.SpendRecorded += OnSpendRecorded;
    }

    /// <summary>Holds the request's rate limits and concurrency at the workspace and API key; 429 when one is full.</summary>
    public async ValueTask AdmitAsync(GatewayCall call)
    {
        if (call.Workspace is not { } workspace)
        {
            return;
        }

        var key = call.ApiKey;
        if (!HasRateLimits(workspace.Limits) && (key is null || !HasRateLimits(key.Limits)))
        {
            return; // the common case: nothing to count, no body to measure
        }

        var now = _time.GetUtcNow();
        var claims = new List<HeldClaim>();
        AddRateClaims(claims, Governed(workspace), workspace.Limits, call, now);
        if (key is not null)
        {
            AddRateClaims(claims, Governed(key), key.Limits, call, now);
        }

        call.Holds.Add(await HoldAsync(claims, price: null, call, now));
    }

    /// <summary>
    /// Holds the worst-case spend of calling <paramref name="request"/> at every level that has a budget (412 when one
    /// cannot cover it), and the virtual key's own rate limits and concurrency (429). Null when nothing governs the call.
    /// </summary>
    public async ValueTask<QuotaHold?> ReserveSpendAsync(GatewayCall call, UpstreamRequest request)
    {
        var workspace = call.Workspace;
        var virtualKey = request.VirtualKey;
        var budgeted = workspace?.Limits.Usage is not null || call.ApiKey?.Limits.Usage is not null || virtualKey?.Limits.Usage is not null;
        if (!budgeted && (virtualKey is null || !HasRateLimits(virtualKey.Limits)))
        {
            return null; // the common case: no budget anywhere and no limits on the virtual key
        }

        var now = _time.GetUtcNow();
        var claims = new List<HeldClaim>();
        var model = request.Call.Model;
        var price = budgeted ? _prices.For(workspace, request.ProviderSlug, model) : null;
        var inputTokens = budgeted ? call.PromptTokens.UpperBound : 0;
        var outputTokens = call.Operation == Providers.ApiOperation.Embeddings ? 0
            : call.Body.MaxTokens ?? _prices.MaxOutputTokens(request.ProviderSlug, model) ?? _options.UnknownModelMaxOutputTokens;
        var worst = new Worst(inputTokens + outputTokens, price?.Micros(inputTokens, outputTokens));

        if (workspace is not null)
        {
            AddBudgetClaims(claims, Governed(workspace), workspace.Limits, worst, request, now);
        }

        if (call.ApiKey is { } key)
        {
            AddBudgetClaims(claims, Governed(key), key.Limits, worst, request, now);
        }

        if (virtualKey is not null)
        {
            var governed = Governed(virtualKey);
            AddBudgetClaims(claims, governed, virtualKey.Limits, worst, request, now);
            AddRateClaims(claims, governed, virtualKey.Limits, call, now);
        }

        return claims.Count == 0 ? null : await HoldAsync(claims, price, call, now);
    }

    /// <summary>Gives a failed target's hold back: requests stay counted, nothing was spent.</summary>
    public void Release(QuotaHold hold) => Settle(hold, usage: null, answered: false);

    /// <summary>
    /// Settles every hold the call still has to the usage the provider reported. Without a report, a call the provider
    /// answered (a stream the client abandoned, a provider that sends no usage) is charged its worst case; one it never
    /// answered is charged nothing. In memory: the bank delivers it to the grain in the background.
    /// </summary>
    public void Settle(GatewayCall call)
    {
        var answered = call.ProviderAnswered;
        foreach (var hold in call.Holds)
        {
            Settle(hold, call.Usage, answered);
        }

        call.Holds.Clear();
    }

    private void Settle(QuotaHold hold, TokenUsage? usage, bool answered)
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

    private async ValueTask<QuotaHold> HoldAsync(List<HeldClaim> claims, TokenPrice? price, GatewayCall call, DateTimeOffset now)
    {
        QuotaDecision decision;
        try
        {
            decision = await _bank.ReserveAsync(claims.ConvertAll(held => held.Claim), call.Aborted);
        }
        catch (QuotaBankUnavailableException ex)
        {
            // The entity's grain cannot be reached (its silo died or froze and it is moving) and this front door's leases
            // cannot cover a hard limit: fail closed.
            LogBankUnavailable(_logger, ex);
            throw new GatewayException(503,
                "Limits cannot be checked right now (the quota authority is unreachable while the cluster recovers), so a request under a hard budget or rate limit is refused. Retry shortly.")
            {
                Headers = [new("retry-after", "1")],
            };
        }

        if (!decision.Admitted)
        {
            throw Refusal(claims[decision.RefusedIndex], decision.Taken[decision.RefusedIndex], now);
        }

        RateLimitHeaders.Note(call, claims, decision.Taken, now);
        return new QuotaHold(claims, price);
    }

    private static bool HasRateLimits(Limits limits) => limits.Rates.Count > 0 || limits.MaxConcurrentRequests is not null;

    private static void AddRateClaims(List<HeldClaim> claims, GovernedLimit owner, Limits limits, GatewayCall call, DateTimeOffset now)
    {
        foreach (var rate in limits.Rates)
        {
            var tokens = rate.Kind == RateLimitKind.Tokens ? call.PromptTokens.Estimate + (call.Body.MaxTokens ?? 0) : 0;
            var (start, end) = QuotaCalendar.RateWindow(rate.Unit, now);
            var requests = rate.Kind == RateLimitKind.Requests;
            var window = new QuotaWindow(owner.Kind, owner.Id, requests ? QuotaMeter.Requests : QuotaMeter.Tokens, start, end);
            claims.Add(new HeldClaim(new QuotaClaim(window, rate.Value, requests ? 1 : tokens), requests ? SettleRule.Keep : SettleRule.Tokens, owner, null, null));
        }

        if (limits.MaxConcurrentRequests is { } concurrent)
        {
            var window = new QuotaWindow(owner.Kind, owner.Id, QuotaMeter.Concurrent, QuotaCalendar.Forever, null);
            claims.Add(new HeldClaim(new QuotaClaim(window, concurrent, 1), SettleRule.Release, owner, null, null));
        }
    }

    private static void AddBudgetClaims(List<HeldClaim> claims, GovernedLimit owner, Limits limits, Worst worst, UpstreamRequest request, DateTimeOffset now)
    {
        if (limits.Usage is not { } usage)
        {
            return;
        }

        var (start, end) = QuotaCalendar.BudgetPeriod(usage, now);
        if (usage.CostLimitUsd is { } usd)
        {
            var cap = (long)Math.Min(long.MaxValue / 2, usd * 1_000_000m);
            if (worst.Micros is null && usage.Hard)
            {
                throw new GatewayException(412,
                    $"Budget check failed for the {owner.Describe()}: Switchyard knows no price for model '{request.Call.Model}' on provider '{request.ProviderSlug}', "
                    + "so it cannot bound this request's cost under a hard USD budget. Add the model to the workspace's price_overrides through the admin API.");
            }

            var window = new QuotaWindow(owner.Kind, owner.Id, QuotaMeter.CostMicros, start, end);
            claims.Add(new HeldClaim(new QuotaClaim(window, usage.Hard ? cap : Unlimited, worst.Micros ?? 0), SettleRule.Cost, owner, cap, usage));
        }

        if (usage.TokenLimit is { } tokenCap)
        {
            var window = new QuotaWindow(owner.Kind, owner.Id, QuotaMeter.BudgetTokens, start, end);
            claims.Add(new HeldClaim(new QuotaClaim(window, usage.Hard ? tokenCap : Unlimited, worst.Tokens), SettleRule.Tokens, owner, tokenCap, usage));
        }
    }

    private static GatewayException Refusal(HeldClaim held, long taken, DateTimeOffset now)
    {
        var (claim, _, owner, cap, budget) = held;
        var window = claim.Window;
        switch (window.Meter)
        {
            case QuotaMeter.CostMicros:
            case QuotaMeter.BudgetTokens:
                var unit = window.Meter == QuotaMeter.CostMicros ? (Func<long, string>)Usd : count => $"{count.ToString("N0", CultureInfo.InvariantCulture)} tokens";
                var period = budget!.Period == BudgetPeriod.None ? "" : $" {budget.Period.ToString().ToLowerInvariant()}";
                var reset = window.End is { } end
                    ? $" The period resets at {end:yyyy-MM-ddTHH:mm:ssZ}."
                    : " The budget has no period: raise it through the admin API to admit more.";
                return new GatewayException(412,
                    $"Budget exhausted for the {owner.Describe()}: {unit(taken)} of its{period} budget of {unit(cap!.Value)} is spent or reserved, "
                    + $"and this request may cost up to {unit(claim.Amount)}.{reset}")
                {
                    Headers = window.End is { } periodEnd ? [new("x-switchyard-budget-reset", periodEnd.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture))] : [],
                };
            case QuotaMeter.Concurrent:
                return new GatewayException(429, $"Too many concurrent requests for the {owner.Describe()}: at most {claim.Limit} may be in flight at once.")
                {
                    Headers = [new("retry-after", "1")],
                };
            default:
                var kind = window.Meter == QuotaMeter.Requests ? "requests" : "tokens";
                var retryAfter = RateLimitHeaders.Seconds(window.End!.Value - now);
                var message = claim.Amount > claim.Limit
                    ? $"Rate limit exceeded for the {owner.Describe()}: this request alone needs about {claim.Amount} tokens, more than its limit of {claim.Limit} tokens {Per(window)}. Lower max_tokens or raise the limit."
                    : $"Rate limit exceeded for the {owner.Describe()}: {claim.Limit} {kind} {Per(window)}. Retry after {retryAfter} s.";
                return new GatewayException(429, message)
                {
                    Headers = RateLimitHeaders.ForRefusal(kind, claim.Limit, Math.Max(0, claim.Limit - taken), window.End!.Value - now, retryAfter),
                };
        }
    }

    private static string Per(QuotaWindow window) => (window.End!.Value - window.Start).TotalMinutes switch
    {
        <= 1 => "per minute",
        <= 60 => "per hour",
        _ => "per day",
    };

    private static string Usd(long micros) => "$" + (micros / 1_000_000m).ToString("0.00####", CultureInfo.InvariantCulture);

    private static GovernedLimit Governed(Workspace workspace) => new(GovernedKind.Workspace, workspace.Id, workspace.Slug, workspace.Id);

    private static GovernedLimit Governed(ApiKey key) => new(GovernedKind.ApiKey, key.Id, key.Name, key.WorkspaceId);

    private static GovernedLimit Governed(VirtualKey key) => new(GovernedKind.VirtualKey, key.Id, key.Slug, key.WorkspaceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The quota bank is unavailable; a hard limit fails closed")]
    private static partial void LogBankUnavailable(ILogger logger, Exception exception);

    /// <summary>A target call's worst case: tokens in and out, and their cost when the price is known.</summary>
    private readonly record struct Worst(long Tokens, long? Micros);
}
