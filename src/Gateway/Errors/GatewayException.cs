namespace Switchyard.Gateway.Errors;

/// <summary>
/// A request the gateway refuses before or instead of calling a provider (bad input, bad config, a limit). It stops a
/// fallback chain; <see cref="ErrorAnswer"/> writes it in the client's dialect.
/// </summary>
public sealed class GatewayException : Exception
{
    public GatewayException(GatewayErrorKind kind, string message, IReadOnlyList<string>? errors = null)
        : base(message)
    {
        Kind = kind;
        Errors = errors ?? [];
    }

    public GatewayErrorKind Kind { get; }

    public int StatusCode => ErrorTable.For(Kind).Status;

    public IReadOnlyList<string> Errors { get; }

    /// <summary>Response headers that go with the refusal (<c>Retry-After</c> and the rate-limit headers of a 429).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];
}
