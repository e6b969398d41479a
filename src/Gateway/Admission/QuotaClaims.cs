using Switchyard.Gateway.Errors;
using Switchyard.Gateway.Pipeline;
using Switchyard.Gateway.Upstream;
using Switchyard.State;

namespace Switchyard.Gateway.Admission;

/// <summary>The claims a governed record's limits make on a call: its rate windows and concurrency, or its budgets.</summary>
internal static class QuotaClaims
{
    private const long Unlimited = long.MaxValue;

    public static bool HasRateLimits(Limits limits) => limits.Rates.Count > 0 || limits.MaxConcurrentRequests is not null;

    public static void AddRateClaims(List<HeldClaim> claims, GovernedLimit owner, Limits limits, GatewayCall call, DateTimeOffset now)
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

    public static void AddBudgetClaims(List<HeldClaim> claims, GovernedLimit owner, Limits limits, Worst worst, UpstreamRequest request, DateTimeOffset now)
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
                throw new GatewayException(GatewayErrorKind.BudgetExceeded,
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

    public static GovernedLimit Governed(Workspace workspace) => new(GovernedKind.Workspace, workspace.Id, workspace.Slug, workspace.Id);

    public static GovernedLimit Governed(ApiKey key) => new(GovernedKind.ApiKey, key.Id, key.Name, key.WorkspaceId);

    public static GovernedLimit Governed(VirtualKey key) => new(GovernedKind.VirtualKey, key.Id, key.Slug, key.WorkspaceId);
}

/// <summary>A target call's worst case: tokens in and out, and their cost when the price is known.</summary>
internal readonly record struct Worst(long Tokens, long? Micros);
