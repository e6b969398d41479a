using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchyard.State;

/// <summary>
/// The JSON both stores keep in their limits, metadata, provider-option, price-override, log-policy, attempt and string-list columns (text in
/// SQLite, jsonb in PostgreSQL), written and read only here so the two databases hold one shape.
/// </summary>
/// <remarks>
/// <para>
/// Shape: snake_case names and enums by name, so a document reads like Portkey's <c>usage_limits</c>/<c>rate_limits</c>
/// and reordering an enum cannot change what a stored value means. Limits go through <see cref="StoredLimits"/>, a shape
/// owned here, so renaming a property of the contract records cannot silently turn stored values into nulls.
/// </para>
/// <para>
/// Null policy. Writing: a column is never written as a JSON <c>null</c>; an optional allow-list that is null is written
/// as SQL NULL (it means "anything", unlike an empty list, "nothing"); <c>alert_webhook_url</c> is left out when null.
/// Reading: a column holding a JSON <c>null</c> (neither store writes one; PostgreSQL always read it so) reads as the
/// empty value (<see cref="Limits.None"/>, an empty map or list). Inside a document, a property the record requires
/// that is missing or null is corrupt data and throws, since reading it as empty would silently drop a limit.
/// <c>alert_webhook_url</c> may be missing (SQLite left it out) or null (PostgreSQL wrote it): both read as null.
/// </para>
/// </remarks>
internal static class StoredJson
{
    // Stored JSON is never put into a page, so it needs no HTML escaping; keeping non-ASCII text as itself leaves names
    // and metadata readable in the sqlite3 shell (jsonb keeps the characters whatever the escaping).
    private static readonly StoredJsonContext Context = new(new JsonSerializerOptions(StoredJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    private static readonly IReadOnlyDictionary<string, string> EmptyMap = new Dictionary<string, string>();

    public static string WriteLimits(Limits limits) => JsonSerializer.Serialize(StoredLimits.From(limits), Context.StoredLimits);

    public static Limits ReadLimits(string json) => JsonSerializer.Deserialize(json, Context.StoredLimits)?.ToLimits() ?? Limits.None;

    public static string WritePriceOverrides(IReadOnlyDictionary<string, ModelPriceOverride> prices) =>
        JsonSerializer.Serialize(
            prices.ToDictionary(p => p.Key, p => new StoredPriceOverride(p.Value.InputPerMillion, p.Value.OutputPerMillion), StringComparer.Ordinal),
            Context.IReadOnlyDictionaryStringStoredPriceOverride);

    /// <summary>Rows written before price overrides existed hold the column default, <c>{}</c>.</summary>
    public static IReadOnlyDictionary<string, ModelPriceOverride> ReadPriceOverrides(string json) =>
        JsonSerializer.Deserialize(json, Context.IReadOnlyDictionaryStringStoredPriceOverride) is { } stored
            ? stored.ToDictionary(p => p.Key, p => new ModelPriceOverride(p.Value.InputPerMillion, p.Value.OutputPerMillion), StringComparer.Ordinal)
            : Workspace.NoPriceOverrides;

    public static string WriteLogPolicy(LogPolicy policy) =>
        JsonSerializer.Serialize(new StoredLogPolicy(policy.Bodies, policy.RetentionDays), Context.StoredLogPolicy);

    /// <summary>Rows written before log policies existed hold the column default, <c>{}</c>: the default policy.</summary>
    public static LogPolicy ReadLogPolicy(string json) =>
        JsonSerializer.Deserialize(json, Context.StoredLogPolicy) is { } stored
            ? new LogPolicy(stored.Bodies ?? LogPolicy.Default.Bodies, stored.RetentionDays ?? LogPolicy.Default.RetentionDays)
            : LogPolicy.Default;

    /// <summary>A request-log record's attempts, instants at UTC.</summary>
    public static string WriteAttempts(IReadOnlyList<LogAttempt> attempts) =>
        JsonSerializer.Serialize(
            attempts.Select(a => new StoredLogAttempt(a.Index, a.OptionPath, a.Provider, a.Model, a.Status, a.ErrorType, a.LatencyMs, a.StartedAt.ToUniversalTime())).ToList(),
            Context.IReadOnlyListStoredLogAttempt);

    public static IReadOnlyList<LogAttempt> ReadAttempts(string json) =>
        JsonSerializer.Deserialize(json, Context.IReadOnlyListStoredLogAttempt) is { } stored
            ? stored.Select(a => new LogAttempt(a.Index, a.OptionPath, a.Provider, a.Model, a.Status, a.ErrorType, a.LatencyMs, a.StartedAt.ToUniversalTime())).ToList()
            : [];

    public static string WriteMap(IReadOnlyDictionary<string, string> map) =>
        JsonSerializer.Serialize(map, Context.IReadOnlyDictionaryStringString);

    public static IReadOnlyDictionary<string, string> ReadMap(string json) =>
        JsonSerializer.Deserialize(json, Context.IReadOnlyDictionaryStringString) ?? EmptyMap;

    public static string WriteList(IReadOnlyList<string> list) =>
        JsonSerializer.Serialize(list, Context.IReadOnlyListString);

    /// <summary>Null stays null (SQL NULL): for allow-lists it means "anything", unlike an empty list.</summary>
    public static string? WriteOptionalList(IReadOnlyList<string>? list) => list is null ? null : WriteList(list);

    public static IReadOnlyList<string> ReadList(string json) =>
        JsonSerializer.Deserialize(json, Context.IReadOnlyListString) ?? [];

    public static IReadOnlyList<string>? ReadOptionalList(string? json) => json is null ? null : ReadList(json);
}

/// <summary>Stored form of <see cref="Limits"/>.</summary>
internal sealed record StoredLimits(StoredUsageLimits? Usage, IReadOnlyList<StoredRateLimit> Rates, int? MaxConcurrentRequests)
{
    public static StoredLimits From(Limits limits) => new(
        limits.Usage is { } u
            ? new StoredUsageLimits(u.CostLimitUsd, u.TokenLimit, u.Period, u.TimeZone, u.AlertThresholds, u.Hard) { AlertWebhookUrl = u.AlertWebhookUrl }
            : null,
        limits.Rates.Select(r => new StoredRateLimit(r.Kind, r.Unit, r.Value)).ToList(),
        limits.MaxConcurrentRequests);

    public Limits ToLimits() => new(
        Usage is { } u
            ? new UsageLimits(u.CostLimitUsd, u.TokenLimit, u.Period, u.TimeZone, u.AlertThresholds, u.Hard) { AlertWebhookUrl = u.AlertWebhookUrl }
            : null,
        Rates.Select(r => new RateLimit(r.Kind, r.Unit, r.Value)).ToList(),
        MaxConcurrentRequests);
}

internal sealed record StoredUsageLimits(
    decimal? CostLimitUsd,
    long? TokenLimit,
    BudgetPeriod Period,
    string TimeZone,
    IReadOnlyList<int> AlertThresholds,
    bool Hard)
{
    /// <summary>Not a constructor parameter, so limits written before it existed still read (as null); not written when null.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? AlertWebhookUrl { get; init; }
}

internal sealed record StoredRateLimit(RateLimitKind Kind, RateLimitUnit Unit, long Value);

/// <summary>Stored form of <see cref="ModelPriceOverride"/> (USD per million tokens, exact decimals).</summary>
internal sealed record StoredPriceOverride(decimal InputPerMillion, decimal OutputPerMillion);

/// <summary>
/// Stored form of <see cref="LogPolicy"/>; both members optional so the column default <c>{}</c> reads as the default
/// policy (a default value is what keeps a parameter optional under <c>RespectRequiredConstructorParameters</c>).
/// </summary>
internal sealed record StoredLogPolicy(LogBodies? Bodies = null, int? RetentionDays = null);

/// <summary>Stored form of <see cref="LogAttempt"/>, owned here so renaming the contract's members cannot change stored documents.</summary>
internal sealed record StoredLogAttempt(
    int Index,
    string OptionPath,
    string Provider,
    string? Model,
    int Status,
    string? ErrorType,
    double LatencyMs,
    DateTimeOffset StartedAt);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UseStringEnumConverter = true,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(StoredLimits))]
[JsonSerializable(typeof(StoredLogPolicy))]
[JsonSerializable(typeof(IReadOnlyList<StoredLogAttempt>))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, StoredPriceOverride>))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
internal sealed partial class StoredJsonContext : JsonSerializerContext;

/// <summary><see cref="ApiKeyType"/> as both stores' <c>api_keys.type</c> column holds it.</summary>
internal static class StoredApiKeyType
{
    public const string Workspace = "workspace";
    public const string Organisation = "organisation";

    public static string Write(ApiKeyType type) => type switch
    {
        ApiKeyType.Workspace => Workspace,
        ApiKeyType.Organisation => Organisation,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown API key type."),
    };

    public static ApiKeyType Read(string value) => value switch
    {
        Workspace => ApiKeyType.Workspace,
        Organisation => ApiKeyType.Organisation,
        _ => throw new InvalidDataException($"The state store holds an unknown API key type '{value}'."),
    };
}
