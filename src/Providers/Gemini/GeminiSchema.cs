using System.Text.Json;
using Switchyard.Providers.Json;

namespace Switchyard.Providers.Gemini;

/// <summary>
/// Rewrites a JSON Schema into the OpenAPI subset Gemini accepts for function parameters and <c>responseSchema</c>.
/// Gemini answers 400 to any key it does not know, so this keeps an allow-list rather than removing known offenders:
/// <c>additionalProperties</c>, <c>$schema</c>, <c>$id</c>, <c>strict</c>, <c>examples</c>, <c>allOf</c>, <c>not</c>,
/// <c>patternProperties</c> and the like are dropped. Local <c>$ref</c>s (<c>#/$defs/…</c>, <c>#/definitions/…</c>) are
/// inlined, a type list such as <c>["string","null"]</c> becomes the type plus <c>nullable</c>, <c>oneOf</c> becomes
/// <c>anyOf</c>, a string <c>const</c> becomes a one-value <c>enum</c>, and <c>format</c> is kept only for the formats
/// Gemini documents (date-time, enum, int32, int64, float, double).
/// </summary>
internal static class GeminiSchema
{
    /// <summary>Recursive <c>$ref</c>s stop being inlined at this depth (an open object takes their place).</summary>
    private const int MaxRefDepth = 8;

    private static readonly HashSet<string> CopiedAsIs = new(StringComparer.Ordinal)
    {
        "description", "title", "nullable", "enum", "required", "propertyOrdering", "default", "example",
        "minItems", "maxItems", "minProperties", "maxProperties", "minLength", "maxLength", "pattern", "minimum", "maximum",
    };

    private static readonly HashSet<string> KnownFormats = new(StringComparer.Ordinal) { "date-time", "enum", "int32", "int64", "float", "double" };

    /// <summary>
    /// False for a parameters schema that declares no properties: Gemini refuses an OBJECT with empty properties, and a
    /// function without parameters is what such a schema means.
    /// </summary>
    public static bool HasProperties(JsonElement schema) =>
        schema.ValueKind == JsonValueKind.Object
        && (!schema.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object
            ? !IsObjectType(schema)
            : properties.EnumerateObject().Any());

    public static void Write(Utf8JsonWriter json, JsonElement schema) => Write(json, schema, schema, 0);

    private static bool IsObjectType(JsonElement schema) =>
        !schema.TryGetProperty("type", out var type) || (type.ValueKind == JsonValueKind.String && type.ValueEquals("object"));

    private static void Write(Utf8JsonWriter json, JsonElement schema, JsonElement root, int refDepth)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            // `true` / `{}` in JSON Schema: anything goes. Gemini has no such schema; an open object is the closest.
            json.WriteStartObject();
            json.WriteString("type", "object");
            json.WriteEndObject();
            return;
        }

        if (schema.String("$ref") is { } reference)
        {
            if (refDepth < MaxRefDepth && Resolve(root, reference) is { } target)
            {
                Write(json, target, root, refDepth + 1);
                return;
            }

            json.WriteStartObject();
            json.WriteString("type", "object");
            json.WriteEndObject();
            return;
        }

        json.WriteStartObject();
        foreach (var property in schema.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "type":
                    WriteType(json, value, writeNullable: !schema.TryGetProperty("nullable", out _));
                    break;
                case "format" when value.ValueKind == JsonValueKind.String && KnownFormats.Contains(value.GetString()!):
                    property.WriteTo(json);
                    break;
                case "const" when value.ValueKind == JsonValueKind.String && !schema.TryGetProperty("enum", out _):
                    json.WriteStartArray("enum");
                    json.WriteStringValue(value.GetString());
                    json.WriteEndArray();
                    break;
                case "properties" when value.ValueKind == JsonValueKind.Object:
                    json.WriteStartObject("properties");
                    foreach (var member in value.EnumerateObject())
                    {
                        json.WritePropertyName(member.Name);
                        Write(json, member.Value, root, refDepth);
                    }

                    json.WriteEndObject();
                    break;
                case "items" when value.ValueKind == JsonValueKind.Object:
                    json.WritePropertyName("items");
                    Write(json, value, root, refDepth);
                    break;
                case "anyOf" or "oneOf" when value.ValueKind == JsonValueKind.Array && !(property.NameEquals("oneOf") && schema.TryGetProperty("anyOf", out _)):
                    json.WriteStartArray("anyOf");
                    foreach (var option in value.EnumerateArray())
                    {
                        Write(json, option, root, refDepth);
                    }

                    json.WriteEndArray();
                    break;
                default:
                    if (CopiedAsIs.Contains(property.Name))
                    {
                        property.WriteTo(json);
                    }

                    break;
            }
        }

        json.WriteEndObject();
    }

    /// <summary>A type list becomes its one non-null type plus <c>nullable: true</c>; several non-null types keep the first.</summary>
    private static void WriteType(Utf8JsonWriter json, JsonElement type, bool writeNullable)
    {
        if (type.ValueKind == JsonValueKind.String)
        {
            json.WriteString("type", type.GetString());
            return;
        }

        if (type.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        string? first = null;
        var nullable = false;
        foreach (var item in type.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                continue;
            }

            if (item.ValueEquals("null"))
            {
                nullable = true;
            }
            else
            {
                first ??= item.GetString();
            }
        }

        if (first is not null)
        {
            json.WriteString("type", first);
        }

        if (nullable && writeNullable)
        {
            json.WriteBoolean("nullable", true);
        }
    }

    private static JsonElement? Resolve(JsonElement root, string reference)
    {
        if (!reference.StartsWith("#/", StringComparison.Ordinal))
        {
            return null;
        }

        var current = root;
        foreach (var segment in reference[2..].Split('/'))
        {
            var name = segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(name, out current))
            {
                return null;
            }
        }

        return current;
    }
}
