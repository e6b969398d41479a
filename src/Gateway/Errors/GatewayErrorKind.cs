namespace Switchyard.Gateway.Errors;

/// <summary>
/// Every way the gateway itself refuses a request. A closed set: each kind has one status and one error type in
/// <see cref="ErrorTable"/>, so a new refusal picks a kind instead of a number.
/// </summary>
public enum GatewayErrorKind
{
    /// <summary>The body, a header or a field is wrong (a 400).</summary>
    InvalidRequest,

    /// <summary>The config is invalid; the exception's errors list each problem (a 400).</summary>
    InvalidConfig,

    /// <summary>No usable API key: missing, unknown, revoked, expired, or of an archived workspace (a 401).</summary>
    Unauthenticated,

    /// <summary>The key may not do this: its scopes, allowed providers or models, or another workspace's config (a 403).</summary>
    Forbidden,

    /// <summary>The body did not arrive in time (a 408).</summary>
    RequestTimeout,

    /// <summary>A budget cannot cover the request's worst case, or cannot bound it (a 412).</summary>
    BudgetExceeded,

    /// <summary>The body is larger than the gateway accepts (a 413).</summary>
    RequestTooLarge,

    /// <summary>A rate limit or a concurrency cap is full (a 429).</summary>
    RateLimited,

    /// <summary>This host cannot do what the request needs: it lacks or cannot use its master key (a 500).</summary>
    HostMisconfigured,

    /// <summary>The quota authority cannot be reached, so a hard limit fails closed (a 503).</summary>
    LimitsUnavailable,
}
