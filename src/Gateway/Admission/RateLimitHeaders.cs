using System.Globalization;
using Switchyard.Gateway.Pipeline;
using Switchyard.State;

namespace Switchyard.Gateway.Admission;

/// <summary>
/// OpenAI's rate-limit headers (<c>x-ratelimit-limit-requests</c>, <c>-remaining-</c>, <c>-reset-</c>, and the same for
/// tokens), reporting the tightest limit of any level that governs the call. Resets are durations in OpenAI's form
/// (<c>1s</c>, <c>6m0s</c>, <c>1h2m3s</c>).
/// </summary>
internal static class RateLimitHeaders
{
    /// <summary>Records the standing after a reservation and writes the headers for the tightest limit seen so far on this call.</summary>
    public static void Note(GatewayCall call, IReadOnlyList<HeldClaim> claims, IReadOnlyList<long> taken, DateTimeOffset now)
    {
        for (var i = 0; i < claims.Count; i++)
        {
            var claim = claims[i].Claim;
            var meter = claim.Window.Meter;
            if (meter is not (QuotaMeter.Requests or QuotaMeter.Tokens))
            {
                continue;
            }

            var remaining = Math.Max(0, claim.Limit - taken[i]);
            ref var tightest = ref meter == QuotaMeter.Requests ? ref call.Rates.Requests : ref call.Rates.Tokens;
            if (tightest is { } seen && seen.Remaining <= remaining)
            {
                continue;
            }

            tightest = new RateStanding(claim.Limit, remaining, claim.Window.End!.Value);
            Write(call.Response, meter == QuotaMeter.Requests ? RequestHeaders : TokenHeaders, claim.Limit, remaining, claim.Window.End!.Value - now);
        }
    }

    public static IReadOnlyList<KeyValuePair<string, string>> ForRefusal(string kind, long limit, long remaining, TimeSpan reset, int retryAfterSeconds)
    {
        var names = Names(kind);
        return
        [
            new(GatewayHeaders.RetryAfter, retryAfterSeconds.ToString(CultureInfo.InvariantCulture)),
            new(names.Limit, limit.ToString(CultureInfo.InvariantCulture)),
            new(names.Remaining, remaining.ToString(CultureInfo.InvariantCulture)),
            new(names.Reset, Duration(reset)),
        ];
    }

    /// <summary>Whole seconds, rounded up, at least 1: what <c>Retry-After</c> carries.</summary>
    public static int Seconds(TimeSpan span) => Math.Max(1, (int)Math.Ceiling(span.TotalSeconds));

    /// <summary>A reset in OpenAI's duration form, whole seconds rounded up: <c>59s</c>, <c>1m0s</c>, <c>23h59m59s</c>.</summary>
    public static string Duration(TimeSpan span)
    {
        var total = Seconds(span);
        var hours = total / 3600;
        var minutes = total % 3600 / 60;
        var seconds = total % 60;
        return hours > 0 ? $"{hours}h{minutes}m{seconds}s" : minutes > 0 ? $"{minutes}m{seconds}s" : $"{seconds}s";
    }

    // Written on every admitted call that a rate limit governs: the names are built once.
    private static readonly (string Limit, string Remaining, string Reset) RequestHeaders = Names("requests");
    private static readonly (string Limit, string Remaining, string Reset) TokenHeaders = Names("tokens");

    private static (string Limit, string Remaining, string Reset) Names(string kind) =>
        ($"x-ratelimit-limit-{kind}", $"x-ratelimit-remaining-{kind}", $"x-ratelimit-reset-{kind}");

    private static void Write(IClientResponse response, (string Limit, string Remaining, string Reset) names, long limit, long remaining, TimeSpan reset)
    {
        response.SetHeader(names.Limit, limit.ToString(CultureInfo.InvariantCulture));
        response.SetHeader(names.Remaining, remaining.ToString(CultureInfo.InvariantCulture));
        response.SetHeader(names.Reset, Duration(reset));
    }
}

/// <summary>A rate limit's standing after this call's reservation.</summary>
internal readonly record struct RateStanding(long Limit, long Remaining, DateTimeOffset ResetsAt);

/// <summary>The tightest request and token limits seen on one call, so each header reports the level closest to refusing.</summary>
internal struct CallRates
{
    public RateStanding? Requests;
    public RateStanding? Tokens;
}
