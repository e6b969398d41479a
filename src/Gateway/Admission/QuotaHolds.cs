using System.Globalization;
using Microsoft.Extensions.Logging;
using Switchyard.Gateway.Errors;
using Switchyard.Gateway.Pipeline;
using Switchyard.State;

namespace Switchyard.Gateway.Admission;

/// <summary>
/// Reserves a call's claims from the <see cref="IQuotaBank"/> all together, or refuses the call with the limit that
/// is full: 412 for a budget, 429 for a rate limit or concurrency cap, 503 when the bank cannot be reached.
/// </summary>
internal sealed partial class QuotaHolds(IQuotaBank bank, ILogger<QuotaHolds> logger)
{
    public async ValueTask<QuotaHold> HoldAsync(List<HeldClaim> claims, TokenPrice? price, GatewayCall call, DateTimeOffset now)
    {
        QuotaDecision decision;
        try
        {
            decision = await bank.ReserveAsync(claims.ConvertAll(held => held.Claim), call.Aborted);
        }
        catch (QuotaBankUnavailableException ex)
        {
            // The entity's grain cannot be reached (its silo died or froze and it is moving) and this front door's leases
            // cannot cover a hard limit: fail closed.
            LogBankUnavailable(logger, ex);
            throw new GatewayException(GatewayErrorKind.LimitsUnavailable,
                "Limits cannot be checked right now (the quota authority is unreachable while the cluster recovers), so a request under a hard budget or rate limit is refused. Retry shortly.")
            {
                Headers = [new(GatewayHeaders.RetryAfter, "1")],
            };
        }

        if (!decision.Admitted)
        {
            throw Refusal(claims[decision.RefusedIndex], decision.Taken[decision.RefusedIndex], now);
        }

        RateLimitHeaders.Note(call, claims, decision.Taken, now);
        return new QuotaHold(claims, price);
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
                return new GatewayException(GatewayErrorKind.BudgetExceeded,
                    $"Budget exhausted for the {owner.Describe()}: {unit(taken)} of its{period} budget of {unit(cap!.Value)} is spent or reserved, "
                    + $"and this request may cost up to {unit(claim.Amount)}.{reset}")
                {
                    Headers = window.End is { } periodEnd ? [new(GatewayHeaders.BudgetReset, periodEnd.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture))] : [],
                };
            case QuotaMeter.Concurrent:
                return new GatewayException(GatewayErrorKind.RateLimited, $"Too many concurrent requests for the {owner.Describe()}: at most {claim.Limit} may be in flight at once.")
                {
                    Headers = [new(GatewayHeaders.RetryAfter, "1")],
                };
            default:
                var kind = window.Meter == QuotaMeter.Requests ? "requests" : "tokens";
                var retryAfter = RateLimitHeaders.Seconds(window.End!.Value - now);
                var message = claim.Amount > claim.Limit
                    ? $"Rate limit exceeded for the {owner.Describe()}: this request alone needs about {claim.Amount} tokens, more than its limit of {claim.Limit} tokens {Per(window)}. Lower max_tokens or raise the limit."
                    : $"Rate limit exceeded for the {owner.Describe()}: {claim.Limit} {kind} {Per(window)}. Retry after {retryAfter} s.";
                return new GatewayException(GatewayErrorKind.RateLimited, message)
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "The quota bank is unavailable; a hard limit fails closed")]
    private static partial void LogBankUnavailable(ILogger logger, Exception exception);
}
