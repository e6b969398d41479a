using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace Switchyard.Gateway.Caching;

/// <summary>
/// One spelling for every JSON document that means the same thing, so two requests that differ only in how they were
/// written share a cache entry: object properties sorted by name (ordinal), no insignificant whitespace, strings with
/// one escaping, numbers by value (<c>1</c>, <c>1.0</c>, <c>1e0</c> and <c>10E-1</c> are one number). Array order is
/// kept: it is meaningful (messages, stop sequences). A property that appears twice keeps its last value, as
/// <see cref="JsonDocument"/>-based readers (and providers) read it.
/// </summary>
internal static class CanonicalJson
{
    /// <param name="skipTopLevel">Top-level properties that do not change the answer and are left out (e.g. <c>stream</c>).</param>
    /// <exception cref="JsonException">the bytes are not JSON.</exception>
    public static byte[] Write(ReadOnlyMemory<byte> json, IReadOnlySet<string>? skipTopLevel = null)
    {
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 256 });
        var buffer = new ArrayBufferWriter<byte>(json.Length);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true, MaxDepth = 256 }))
        {
            WriteValue(writer, document.RootElement, skipTopLevel);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteValue(Utf8JsonWriter writer, JsonElement value, IReadOnlySet<string>? skip)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                // The last occurrence of a name wins; then names in ordinal order.
                var properties = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                foreach (var property in value.EnumerateObject())
                {
                    if (skip is null || !skip.Contains(property.Name))
                    {
                        properties[property.Name] = property.Value;
                    }
                }

                writer.WriteStartObject();
                foreach (var name in properties.Keys.Order(StringComparer.Ordinal))
                {
                    writer.WritePropertyName(name);
                    WriteValue(writer, properties[name], skip: null);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in value.EnumerateArray())
                {
                    WriteValue(writer, item, skip: null);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                writer.WriteStringValue(value.GetString());
                break;
            case JsonValueKind.Number:
                writer.WriteRawValue(Number(value.GetRawText()), skipInputValidation: true);
                break;
            case JsonValueKind.True:
                writer.WriteBooleanValue(true);
                break;
            case JsonValueKind.False:
                writer.WriteBooleanValue(false);
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }

    /// <summary>
    /// A number by its value: as a decimal without trailing zeros when it fits one exactly (28 significant digits,
    /// enough for seeds and token ids); otherwise as the shortest double that round-trips, in lower case.
    /// </summary>
    internal static string Number(string raw)
    {
        if (decimal.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var exact) && Fits(raw, exact))
        {
            // Dividing by 1 with the largest scale strips trailing zeros: 1.50 → 1.5, 1.0 → 1.
            var normal = exact / 1.0000000000000000000000000000m;
            return normal == 0 ? "0" : normal.ToString(CultureInfo.InvariantCulture);
        }

        return double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture).ToLowerInvariant();
    }

    /// <summary>Whether the decimal holds the written number exactly (a decimal silently rounds beyond 28 digits).</summary>
    private static bool Fits(string raw, decimal parsed)
    {
        var mantissa = raw.AsSpan();
        var exponent = mantissa.IndexOfAny('e', 'E');
        if (exponent >= 0)
        {
            mantissa = mantissa[..exponent];
        }

        var digits = 0;
        var leading = true;
        foreach (var c in mantissa)
        {
            if (c is >= '1' and <= '9' || (c == '0' && !leading))
            {
                leading = false;
                digits++;
            }
        }

        return digits <= 28 && (parsed != 0 || !mantissa.ContainsAnyInRange('1', '9'));
    }
}
