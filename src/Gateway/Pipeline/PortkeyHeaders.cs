namespace Switchyard.Gateway.Pipeline;

/// <summary>Header names of Portkey's request interface (reference/portkey.md §2, §3), and Switchyard's own.</summary>
public static class PortkeyHeaders
{
    public const string Provider = "x-portkey-provider";
    public const string Config = "x-portkey-config";
    public const string CustomHost = "x-portkey-custom-host";
    public const string Metadata = "x-portkey-metadata";
    public const string TraceId = "x-portkey-trace-id";
    public const string RequestTimeout = "x-portkey-request-timeout";
    public const string ForwardHeaders = "x-portkey-forward-headers";
    public const string ApiKey = "x-portkey-api-key";
    public const string VirtualKey = "x-portkey-virtual-key";
    public const string OpenAiOrganization = "x-portkey-openai-organization";
    public const string OpenAiProject = "x-portkey-openai-project";
    public const string OpenAiBeta = "x-portkey-openai-beta";

    public const string LastUsedOptionIndex = "x-portkey-last-used-option-index";
    public const string RetryAttemptCount = "x-portkey-retry-attempt-count";
    public const string CacheStatus = "x-portkey-cache-status";
    public const string GatewayException = "x-portkey-gateway-exception";

    /// <summary>Milliseconds the gateway itself spent on the request, upstream waits and retry back-off excluded.</summary>
    public const string Overhead = "x-switchyard-overhead-ms";
}
