namespace Switchyard.Gateway;

/// <summary>
/// A request the gateway refuses before or instead of calling a provider (bad input, bad config, routing failure).
/// Written as Portkey's gateway error shape <c>{"status":"failure","message":…,"errors":[…]}</c>; it stops a fallback chain.
/// </summary>
public sealed class GatewayException : Exception
{
    public GatewayException(int statusCode, string message, IReadOnlyList<string>? errors = null)
        : base(message)
    {
        StatusCode = statusCode;
        Errors = errors ?? [];
    }

    public int StatusCode { get; }

    public IReadOnlyList<string> Errors { get; }

    /// <summary>Response headers that go with the refusal (<c>Retry-After</c> and the rate-limit headers of a 429).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];
}
