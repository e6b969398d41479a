using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchyard.State.Embedded;

/// <summary>
/// Instants as fixed-width ISO 8601 text at UTC with microseconds (<c>2026-11-22T12:00:00.000000Z</c>): readable in
/// the sqlite3 shell, ordered correctly by plain text comparison, and the same precision PostgreSQL keeps.
/// Finer ticks are truncated.
/// </summary>
internal static class StoredTime
{
    private const string Format = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    public static string Write(DateTimeOffset value) => value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

    public static string? Write(DateTimeOffset? value) => value is { } v ? Write(v) : null;

    public static DateTimeOffset Read(string value) =>
        DateTimeOffset.ParseExact(value, Format, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    public static DateTimeOffset? ReadOptional(string? value) => value is null ? null : Read(value);
}

/// <summary>
/// JSON columns: limits, metadata and string lists. Limits go through <see cref="StoredLimits"/>, a shape this store
/// owns, so renaming a property of the contract records cannot silently turn stored values into nulls.
/// </summary>
internal static class StoredJson
{
    // Stored JSON is only ever read back by this class, never put into a page, so it needs no HTML escaping; keeping
    // non-ASCII text as itself leaves names and metadata readable in the sqlite3 shell.
    private static readonly StoredJsonContext Context = new(new JsonSerializerOptions(StoredJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    public static string WriteLimits(Limits limits) => JsonSerializer.Serialize(StoredLimits.From(limits), Context.StoredLimits);

    public static Limits ReadLimits(string json) =>
        (JsonSerializer.Deserialize(json, Context.StoredLimits) ?? throw Corrupt("limits")).ToLimits();

    public static string WritePriceOverrides(IReadOnlyDictionary<string, ModelPriceOverride> prices) =>
        JsonSerializer.Serialize(
            prices.ToDictionary(p => p.Key, p => new StoredPriceOverride(p.Value.InputPerMillion, p.Value.OutputPerMillion), StringComparer.Ordinal),
            Context.IReadOnlyDictionaryStringStoredPriceOverride);

    public static IReadOnlyDictionary<string, ModelPriceOverride> ReadPriceOverrides(string json) =>
        (JsonSerializer.Deserialize(json, Context.IReadOnlyDictionaryStringStoredPriceOverride) ?? throw Corrupt("price override map"))
        .ToDictionary(p => p.Key, p => new ModelPriceOverride(p.Value.InputPerMillion, p.Value.OutputPerMillion), StringComparer.Ordinal);

    public static string WriteMap(IReadOnlyDictionary<string, string> map) =>
        JsonSerializer.Serialize(map, Context.IReadOnlyDictionaryStringString);

    public static IReadOnlyDictionary<string, string> ReadMap(string json) =>
        JsonSerializer.Deserialize(json, Context.IReadOnlyDictionaryStringString) ?? throw Corrupt("map");

    public static string WriteList(IReadOnlyList<string> list) =>
        JsonSerializer.Serialize(list, Context.IReadOnlyListString);

    /// <summary>Null stays null (SQL NULL): for allow-lists it means "anything", unlike an empty list.</summary>
    public static string? WriteOptionalList(IReadOnlyList<string>? list) => list is null ? null : WriteList(list);

    public static IReadOnlyList<string> ReadList(string json) =>
        JsonSerializer.Deserialize(json, Context.IReadOnlyListString) ?? throw Corrupt("list");

    public static IReadOnlyList<string>? ReadOptionalList(string? json) => json is null ? null : ReadList(json);

    private static InvalidDataException Corrupt(string what) => new($"The embedded state database holds a JSON null where a {what} belongs.");
}

/// <summary>Stored form of <see cref="Limits"/>. Enums are written by name so reordering them cannot change stored meaning.</summary>
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

/// <summary>Stored form of <see cref="ModelPriceOverride"/> (USD per million tokens, exact decimals).</summary>
internal sealed record StoredPriceOverride(decimal InputPerMillion, decimal OutputPerMillion);

/// <summary><see cref="ApiKeyType"/> as the <c>api_keys.type</c> column holds it.</summary>
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
        _ => throw new InvalidDataException($"The embedded state database holds an unknown API key type '{value}'."),
    };
}

internal sealed record StoredRateLimit(RateLimitKind Kind, RateLimitUnit Unit, long Value);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UseStringEnumConverter = true,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(StoredLimits))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, StoredPriceOverride>))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
internal sealed partial class StoredJsonContext : JsonSerializerContext;
