using Switchyard.Gateway.Health;

namespace Switchyard.Gateway;

/// <summary>Data-path settings, bound from the configuration section <c>Switchyard:Gateway</c>.</summary>
public sealed class GatewayOptions
{
    public const string Section = "Switchyard:Gateway";

    /// <summary>Largest request body accepted; bigger is a 413. Default 32 MiB (inline images are large).</summary>
    public long MaxRequestBodyBytes { get; set; } = 32 * 1024 * 1024;

    /// <summary>Deepest JSON nesting accepted in a request body or config; deeper is a 400. Default 64.</summary>
    public int MaxJsonDepth { get; set; } = 64;

    /// <summary>Most retries a config's <c>retry.attempts</c> may ask for; more is a 400. Default 10 (Portkey declares 5 and enforces none).</summary>
    public int MaxRetryAttempts { get; set; } = 10;

    /// <summary>First retry back-off; later ones grow exponentially with jitter. Default 1 s (Portkey's first wait).</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest single back-off. Default 30 s.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest Retry-After the gateway will wait for, and the total it will spend waiting on Retry-After per target; longer returns the 429 at once. Default 60 s (Portkey's limit).</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Per-attempt timeout when neither the config nor <c>x-portkey-request-timeout</c> sets one. Default 10 minutes.</summary>
    public TimeSpan DefaultRequestTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Longest silence allowed between two events of an upstream stream before it is ended with an error event. Default 120 s.</summary>
    public TimeSpan StreamIdleTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>
    /// Whether every data-path request must present a Switchyard API key. Default false: the embedded default runs
    /// keyless for a first try; the host turns it on when it runs on PostgreSQL. Presented keys are always checked.
    /// </summary>
    public bool RequireApiKey { get; set; }

    /// <summary>
    /// Comma-separated host names or IP literals a custom host may name although the SSRF rules would refuse them
    /// (Portkey's <c>TRUSTED_CUSTOM_HOSTS</c>), e.g. a vLLM server at <c>10.0.0.5</c>. Exact host text, no scheme, port
    /// or wildcard. Default: loopback only, <c>localhost,127.0.0.1,::1</c>; Portkey also trusts <c>host.docker.internal</c>,
    /// Switchyard does not, because that name reaches the container host's private services.
    /// </summary>
    public string TrustedCustomHosts { get; set; } = "localhost,127.0.0.1,::1";

    /// <summary><see cref="TrustedCustomHosts"/> as a list.</summary>
    public IReadOnlyList<string> TrustedHosts => TrustedCustomHosts.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>
    /// Output tokens assumed for a budget reservation when the request sets no <c>max_tokens</c> and the model catalog
    /// does not know the model's output limit. Default 4096.
    /// </summary>
    public int UnknownModelMaxOutputTokens { get; set; } = 4096;

    /// <summary>How long a cached answer lives when the config's <c>cache</c> sets no <c>max_age</c>. Default 1 day (Portkey's default).</summary>
    public TimeSpan CacheDefaultMaxAge { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Where budget alerts are POSTed when a budget names no <c>alert_webhook_url</c> of its own. Default none.</summary>
    public string? AlertWebhookUrl { get; set; }

    /// <summary>How many times one alert is tried before it is dropped (and logged as an error). Default 6.</summary>
    public int AlertDeliveryAttempts { get; set; } = 6;

    /// <summary>The first wait between alert delivery attempts; it doubles each time up to 5 minutes. Default 1 s.</summary>
    public TimeSpan AlertRetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// On SIGTERM, how long requests and streams in flight may take to finish before the process exits anyway
    /// (the host's shutdown timeout). Default 30 s.
    /// </summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Circuit-breaker defaults (<c>Switchyard:Gateway:CircuitBreaker:*</c>); off unless a config or <see cref="CircuitBreakerOptions.Enabled"/> turns them on.</summary>
    public CircuitBreakerOptions CircuitBreaker { get; set; } = new();
}
