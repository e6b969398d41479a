using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchyard.State.Postgres;

/// <summary>
/// The jsonb columns' shape. snake_case and enum names as text so the stored documents read like Portkey's
/// <c>usage_limits</c>/<c>rate_limits</c> and stay valid if an enum gains members; SQL (the quota bank) can read them too.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, UseStringEnumConverter = true)]
[JsonSerializable(typeof(Limits))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, ModelPriceOverride>))]
internal sealed partial class StateJsonContext : JsonSerializerContext;

internal static class StateJson
{
    public static string Write(Limits limits) => JsonSerializer.Serialize(limits, StateJsonContext.Default.Limits);

    public static string Write(IReadOnlyDictionary<string, string> map) =>
        JsonSerializer.Serialize(map, StateJsonContext.Default.IReadOnlyDictionaryStringString);

    public static string Write(IReadOnlyDictionary<string, ModelPriceOverride> prices) =>
        JsonSerializer.Serialize(prices, StateJsonContext.Default.IReadOnlyDictionaryStringModelPriceOverride);

    /// <summary>Rows written before price overrides existed hold the column default, <c>{}</c>.</summary>
    public static IReadOnlyDictionary<string, ModelPriceOverride> ReadPriceOverrides(string json) =>
        JsonSerializer.Deserialize(json, StateJsonContext.Default.IReadOnlyDictionaryStringModelPriceOverride) ?? Workspace.NoPriceOverrides;

    public static string? Write(IReadOnlyList<string>? list) =>
        list is null ? null : JsonSerializer.Serialize(list, StateJsonContext.Default.IReadOnlyListString);

    public static Limits ReadLimits(string json) =>
        JsonSerializer.Deserialize(json, StateJsonContext.Default.Limits) ?? Limits.None;

    public static IReadOnlyDictionary<string, string> ReadMap(string json) =>
        JsonSerializer.Deserialize(json, StateJsonContext.Default.IReadOnlyDictionaryStringString) ?? new Dictionary<string, string>();

    public static IReadOnlyList<string>? ReadList(string? json) =>
        json is null ? null : JsonSerializer.Deserialize(json, StateJsonContext.Default.IReadOnlyListString);
}
