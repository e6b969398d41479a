namespace Switchyard.Gateway.Pipeline;

/// <summary>
/// Every header name the gateway reads or writes: Portkey's request interface (docs/gateway.md lists them), Switchyard's
/// own, and the standard ones. Compared case-insensitively, written in lower case as HTTP/2 sends them.
/// </summary>
public static class GatewayHeaders
{
    /// <summary>The prefix of every Portkey header; a provider's answer never relays one, and a target never forwards one.</summary>
    public const string PortkeyPrefix = "x-portkey-";

    public const string Provider = "x-portkey-provider";
    public const string Config = "x-portkey-config";
    public const string CustomHost = "x-portkey-custom-host";
    public const string Metadata = "x-portkey-metadata";
    public const string TraceId = "x-portkey-trace-id";
    public const string RequestTimeout = "x-portkey-request-timeout";
    public const string ForwardHeaders = "x-portkey-forward-headers";
    public const string ApiKey = "x-portkey-api-key";
    public const string VirtualKey = "x-portkey-virtual-key";
    public const string RequestId = "x-portkey-request-id";
    public const string OpenAiOrganization = "x-portkey-openai-organization";
    public const string OpenAiProject = "x-portkey-openai-project";
    public const string OpenAiBeta = "x-portkey-openai-beta";
    public const string CacheForceRefresh = "x-portkey-cache-force-refresh";
    public const string CacheNamespace = "x-portkey-cache-namespace";

    /// <summary><c>false</c> keeps the call's bodies out of the request log, whatever the workspace's policy.</summary>
    public const string Debug = "x-portkey-debug";

    public const string LastUsedOptionIndex = "x-portkey-last-used-option-index";
    public const string RetryAttemptCount = "x-portkey-retry-attempt-count";
    public const string CacheStatus = "x-portkey-cache-status";
    public const string GatewayException = "x-portkey-gateway-exception";

    /// <summary>Milliseconds the gateway itself spent on the request, upstream waits and retry back-off excluded.</summary>
    public const string Overhead = "x-switchyard-overhead-ms";

    /// <summary>When the budget period that refused a request starts over.</summary>
    public const string BudgetReset = "x-switchyard-budget-reset";

    /// <summary>The cache key of a cached call's answer, for invalidating that one entry (<c>POST /v1/cache/invalidate</c>).</summary>
    public const string CacheKey = "x-switchyard-cache-key";

    /// <summary><c>estimated</c> on a token count the gateway computed itself instead of asking the provider.</summary>
    public const string TokenCount = "x-switchyard-token-count";

    /// <summary>A provider credential in Anthropic's style, or the client's credential for the target.</summary>
    public const string XApiKey = "x-api-key";

    public const string Authorization = "Authorization";
    public const string ContentType = "content-type";
    public const string ContentLength = "content-length";
    public const string CacheControl = "cache-control";
    public const string RetryAfter = "retry-after";
    public const string UserAgent = "user-agent";

    /// <summary>W3C trace context: the client's trace and span, which the request log keeps as the call's parent.</summary>
    public const string TraceParent = "traceparent";

    /// <summary>Tells nginx in front of the gateway not to buffer a stream.</summary>
    public const string AccelBuffering = "x-accel-buffering";
}
