using System.Text.Json;

namespace Switchyard.Providers.Json;

/// <summary>
/// Reading fields of JSON that a client or provider sent, where a field of the wrong kind counts as absent: the
/// translations decide themselves which absences are errors.
/// </summary>
internal static class JsonFields
{
    /// <summary>The string field <paramref name="name"/>, or null when <paramref name="element"/> is not an object or the field is missing or not a string.</summary>
    public static string? String(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>Whether the field is present and not <c>null</c>.</summary>
    public static bool Has(this JsonElement element, string name, out JsonElement value) =>
        element.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    /// <summary>The field as a 32-bit integer, or 0 when it is missing, not a number or out of range.</summary>
    public static int Int(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? number : 0;
}
