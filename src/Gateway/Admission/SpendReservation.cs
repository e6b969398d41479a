using Microsoft.Extensions.Options;
using Switchyard.Gateway.Pipeline;
using Switchyard.Gateway.Settlement;
using Switchyard.Gateway.Upstream;
using static Switchyard.Gateway.Admission.QuotaClaims;

namespace Switchyard.Gateway.Admission;

/// <summary>
/// Before each target is called, once its provider and model (so the price) and virtual key are known: holds the
/// worst-case spend at every level that has a budget (412 when one cannot cover it) and the virtual key's own rate
/// limits and concurrency (429). After the attempt, a target that answered keeps its hold for settlement; one that
/// failed gives it back before the next target is tried.
/// </summary>
internal sealed class SpendReservation(QuotaHolds holds, CallSettlement settlement, ModelPrices prices, TimeProvider time, IOptions<GatewayOptions> options)
{
    private readonly GatewayOptions _options = options.Value;

    /// <summary>The hold for calling <paramref name="request"/>; null when nothing governs it.</summary>
    public async ValueTask<QuotaHold?> ReserveAsync(GatewayCall call, UpstreamRequest request)
    {
        var workspace = call.Workspace;
        var virtualKey = request.VirtualKey;
        var budgeted = workspace?.Limits.Usage is not null || call.ApiKey?.Limits.Usage is not null || virtualKey?.Limits.Usage is not null;
        if (!budgeted && (virtualKey is null || !HasRateLimits(virtualKey.Limits)))
        {
            return null; // the common case: no budget anywhere and no limits on the virtual key
        }

        var now = time.GetUtcNow();
        var claims = new List<HeldClaim>();
        var model = request.Call.Model;
        var price = budgeted ? prices.For(workspace, request.ProviderSlug, model) : null;
        var inputTokens = budgeted ? call.PromptTokens.UpperBound : 0;
        var outputTokens = call.Operation == Providers.ApiOperation.Embeddings ? 0
            : call.Body.MaxTokens ?? prices.MaxOutputTokens(request.ProviderSlug, model) ?? _options.UnknownModelMaxOutputTokens;
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

        return claims.Count == 0 ? null : await holds.HoldAsync(claims, price, call, now);
    }

    /// <summary>
    /// The attempt is over: a provider that took the call keeps its hold until the call settles, to the usage it
    /// reports; a failed attempt gives its hold back (requests stay counted, nothing was spent).
    /// </summary>
    public void Conclude(GatewayCall call, QuotaHold? hold, UpstreamOutcome outcome)
    {
        if (outcome.IsSuccess)
        {
            call.ProviderAnswered = true;
            if (hold is not null)
            {
                call.Holds.Add(hold);
            }
        }
        else
        {
            Release(hold);
        }
    }

    /// <summary>The attempt never ended (the client went away, or it threw): nothing was spent.</summary>
    public void Release(QuotaHold? hold)
    {
        if (hold is not null)
        {
            settlement.Settle(hold, usage: null, answered: false);
        }
    }
}
