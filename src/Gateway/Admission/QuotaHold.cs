using Switchyard.State;

namespace Switchyard.Gateway.Admission;

/// <summary>How a claim is settled once the call is over.</summary>
internal enum SettleRule
{
    /// <summary>Requests: the request happened, the claimed 1 stays used.</summary>
    Keep,

    /// <summary>Concurrency: the request is no longer in flight, nothing stays used.</summary>
    Release,

    /// <summary>Tokens: the provider's real total (the reservation when it reported none after a success; nothing after a failure).</summary>
    Tokens,

    /// <summary>Cost: the real tokens at the model's price (the reservation when unknown after a success; nothing after a failure).</summary>
    Cost,
}

/// <summary>One claim made for a call, with what settling it means and, for budgets, the cap its alerts are measured against.</summary>
internal readonly record struct HeldClaim(QuotaClaim Claim, SettleRule Rule, GovernedLimit Owner, long? AlertCap, UsageLimits? Budget);

/// <summary>The governed record a claim was made for, for messages and alerts.</summary>
internal sealed record GovernedLimit(GovernedKind Kind, string Id, string Name, string? WorkspaceId)
{
    public string Describe() => Kind switch
    {
        GovernedKind.Workspace => $"workspace '{Name}'",
        GovernedKind.ApiKey => $"API key '{Name}'",
        _ => $"virtual key '{Name}'",
    };

    /// <summary>Portkey's level name in error types: <c>workspace</c>, <c>api_key</c>, <c>virtual_key</c>.</summary>
    public string Level => QuotaText.Write(Kind);
}

/// <summary>
/// Claims reserved together for one call (the request's rate limits and concurrency, or one target's spend), settled
/// together exactly once. <see cref="Price"/> prices the real usage of a spend hold.
/// </summary>
internal sealed class QuotaHold(IReadOnlyList<HeldClaim> claims, TokenPrice? price)
{
    private int _settled;

    public IReadOnlyList<HeldClaim> Claims { get; } = claims;

    public TokenPrice? Price { get; } = price;

    /// <summary>True once; later calls return false so a hold is never settled twice.</summary>
    public bool TryClaimSettlement() => Interlocked.Exchange(ref _settled, 1) == 0;
}
