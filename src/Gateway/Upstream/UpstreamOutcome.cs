using Switchyard.Providers.Streaming;

namespace Switchyard.Gateway.Upstream;

/// <summary>How an attempt at a target ended, as retry, fallback and the response writer read it (YARP's forwarder-error idea).</summary>
internal enum OutcomeKind
{
    /// <summary>The provider answered with a status (2xx or not).</summary>
    Response,

    /// <summary>No answer within the request timeout: a 408 <c>timeout_error</c>.</summary>
    Timeout,

    /// <summary>Connection refused, reset, DNS failure, or the body broke off: a 502.</summary>
    Network,

    /// <summary>The provider said 2xx but sent a body that is not what it promised: a 502.</summary>
    InvalidResponse,

    /// <summary>The target's circuit breaker is open, so it was not called: a 503.</summary>
    CircuitOpen,
}

/// <summary>The result of one attempt (or, after retries, of the last one). Owns the upstream response until disposed.</summary>
internal sealed class UpstreamOutcome : IAsyncDisposable
{
    private UpstreamOutcome(OutcomeKind kind, int statusCode)
    {
        Kind = kind;
        StatusCode = statusCode;
    }

    public OutcomeKind Kind { get; }

    /// <summary>The status the client will see: the provider's, or 408/502 for gateway-detected failures.</summary>
    public int StatusCode { get; }

    public bool IsSuccess => Kind == OutcomeKind.Response && StatusCode is >= 200 and < 300;

    public HttpResponseMessage? Response { get; private init; }

    /// <summary>The whole body, for answers that are not streams.</summary>
    public byte[]? Body { get; private init; }

    /// <summary>For a stream: the reader, already past <see cref="FirstEvent"/>.</summary>
    public IEventStreamReader? Events { get; private init; }

    public StreamEvent? FirstEvent { get; private init; }

    /// <summary>What the provider asked us to wait before retrying (Retry-After, retry-after-ms, x-ms-retry-after-ms).</summary>
    public TimeSpan? RetryAfter { get; private init; }

    /// <summary>The answer came from the cache: no provider was called, and there is no upstream response to relay.</summary>
    public Caching.CachedReply? Cached { get; private init; }

    /// <summary>Why the attempt failed, for gateway-detected failures; never contains secrets.</summary>
    public string? Problem { get; private init; }

    public static UpstreamOutcome Answered(HttpResponseMessage response, byte[] body) =>
        new(OutcomeKind.Response, (int)response.StatusCode) { Response = response, Body = body, RetryAfter = RetryAfterHeader.Read(response) };

    public static UpstreamOutcome Streaming(HttpResponseMessage response, IEventStreamReader events, StreamEvent firstEvent) =>
        new(OutcomeKind.Response, (int)response.StatusCode) { Response = response, Events = events, FirstEvent = firstEvent };

    public static UpstreamOutcome FromCache(Caching.CachedReply reply) =>
        new(OutcomeKind.Response, 200) { Cached = reply };

    public static UpstreamOutcome TimedOut(TimeSpan timeout) =>
        new(OutcomeKind.Timeout, 408) { Problem = $"Request exceeded the timeout sent in the request: {(long)timeout.TotalMilliseconds}ms" };

    public static UpstreamOutcome Failed(string problem) =>
        new(OutcomeKind.Network, 502) { Problem = problem };

    /// <summary>The target was skipped because its circuit is open; <paramref name="closesIn"/> is how long until a probe may be sent.</summary>
    public static UpstreamOutcome CircuitOpen(string problem, TimeSpan closesIn) =>
        new(OutcomeKind.CircuitOpen, 503) { Problem = problem, RetryAfter = closesIn > TimeSpan.Zero ? closesIn : TimeSpan.Zero };

    public static UpstreamOutcome Invalid(string problem) =>
        new(OutcomeKind.InvalidResponse, 502) { Problem = problem };

    public async ValueTask DisposeAsync()
    {
        if (Events is not null)
        {
            await Events.DisposeAsync();
        }

        Response?.Dispose();
    }
}
