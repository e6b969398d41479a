namespace Switchyard.Gateway.Routing;

/// <summary>A node's <c>retry</c>: how often a target is called again, and on which statuses.</summary>
/// <param name="Attempts">Retries after the first call (total calls = 1 + attempts).</param>
/// <param name="OnStatusCodes">Statuses that are retried; <see cref="DefaultStatusCodes"/> when the config leaves them out.</param>
/// <param name="UseRetryAfterHeader">Honour the provider's Retry-After headers on a 429 (wire: <c>use_retry_after_header</c> or <c>use_retry_after_headers</c>).</param>
public sealed record RetrySettings(int Attempts, IReadOnlyList<int> OnStatusCodes, bool UseRetryAfterHeader)
{
    /// <summary>Portkey OSS's <c>RETRY_STATUS_CODES</c>; the hosted docs add 529, OSS does not.</summary>
    public static IReadOnlyList<int> DefaultStatusCodes { get; } = [429, 500, 502, 503, 504];
}
