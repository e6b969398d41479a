namespace Switchyard.State;

/// <summary>How often a budget's spend starts again. Periods are calendar-aligned in the budget's time zone.</summary>
public enum BudgetPeriod
{
    /// <summary>One budget for the entity's whole life.</summary>
    None,
    Daily,
    Weekly,
    Monthly,
}

/// <summary>
/// A spend cap (Portkey's <c>usage_limits</c>): USD and/or tokens per period, alert thresholds (percent of the cap),
/// and whether it is hard (refuse past it) or soft (alert only).
/// </summary>
public sealed record UsageLimits(
    decimal? CostLimitUsd,
    long? TokenLimit,
    BudgetPeriod Period,
    string TimeZone,
    IReadOnlyList<int> AlertThresholds,
    bool Hard)
{
    /// <summary>Where threshold alerts are POSTed (a Switchyard extension); null uses the host's default webhook, if any.</summary>
    public string? AlertWebhookUrl { get; init; }
}

public enum RateLimitKind
{
    Requests,
    Tokens,
}

/// <summary>Portkey's <c>rpm</c>/<c>rph</c>/<c>rpd</c> windows.</summary>
public enum RateLimitUnit
{
    PerMinute,
    PerHour,
    PerDay,
}

/// <summary>One rate limit (Portkey's <c>rate_limits[]</c> item): so many requests or tokens per window.</summary>
public sealed record RateLimit(RateLimitKind Kind, RateLimitUnit Unit, long Value);

/// <summary>The limits any governed entity (workspace, API key, virtual key) may carry.</summary>
public sealed record Limits(UsageLimits? Usage, IReadOnlyList<RateLimit> Rates, int? MaxConcurrentRequests)
{
    public static Limits None { get; } = new(null, [], null);
}

/// <summary>A team: the tenant boundary. Every other record belongs to exactly one workspace.</summary>
public sealed record Workspace(
    string Id,
    string Slug,
    string Name,
    string? Description,
    IReadOnlyDictionary<string, string> DefaultMetadata,
    Limits Limits,
    bool Archived,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    /// <summary>
    /// Prices this workspace pays instead of the model catalog's (negotiated rates, fine-tunes, self-hosted models),
    /// keyed by <c>provider/model</c> or by <c>model</c> for any provider.
    /// </summary>
    public IReadOnlyDictionary<string, ModelPriceOverride> PriceOverrides { get; init; } = NoPriceOverrides;

    public static IReadOnlyDictionary<string, ModelPriceOverride> NoPriceOverrides { get; } = new Dictionary<string, ModelPriceOverride>();

    /// <summary>What the request log keeps of this workspace's calls (bodies) and for how long.</summary>
    public LogPolicy Logging { get; init; } = LogPolicy.Default;
}

/// <summary>A workspace's own price for a model, in USD per million tokens.</summary>
public sealed record ModelPriceOverride(decimal InputPerMillion, decimal OutputPerMillion);

/// <summary>
/// What an API key is for. Workspace keys call the gateway (and, with admin scopes, the admin API for their own
/// workspace); organisation keys call the admin API across workspaces with their scopes and cannot call the gateway.
/// </summary>
public enum ApiKeyType
{
    Workspace,
    Organisation,
}

/// <summary>
/// A key clients present (<c>Authorization: Bearer sk-sy-…</c> or <c>x-portkey-api-key</c>). Only its hash is stored;
/// <see cref="Hint"/> is the masked form shown in reads (<c>sk-sy-ab…yz</c>).
/// </summary>
public sealed record ApiKey(
    string Id,
    string WorkspaceId,
    string Name,
    string? Description,
    string KeyHash,
    string Hint,
    IReadOnlyList<string> Scopes,
    IReadOnlyList<string>? AllowedModels,
    IReadOnlyList<string>? AllowedProviders,
    string? DefaultConfigSlug,
    IReadOnlyDictionary<string, string> DefaultMetadata,
    Limits Limits,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    /// <summary>Workspace key (the default) or organisation (admin) key.</summary>
    public ApiKeyType Type { get; init; } = ApiKeyType.Workspace;
}

/// <summary>A provider secret sealed with AES-GCM under the master key: nonce, ciphertext and tag, and which master key sealed it.</summary>
public sealed record SealedSecret(string KeyId, byte[] Nonce, byte[] Ciphertext, byte[] Tag);

/// <summary>
/// A vaulted provider credential named by a slug (<c>x-portkey-virtual-key</c>, <c>virtual_key</c>, <c>"@slug/model"</c>).
/// The secret is never returned by a read; <see cref="Hint"/> is its masked form. Rotating the secret keeps the slug.
/// </summary>
public sealed record VirtualKey(
    string Id,
    string WorkspaceId,
    string Slug,
    string Name,
    string Provider,
    SealedSecret Secret,
    string Hint,
    IReadOnlyDictionary<string, string> ProviderOptions,
    string? Note,
    Limits Limits,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>A saved routing config, validated on save and versioned: each update is a new version; the slug names the latest.</summary>
public sealed record SavedConfig(
    string Id,
    string WorkspaceId,
    string Slug,
    string Name,
    string ConfigJson,
    int Version,
    bool IsDefault,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);
