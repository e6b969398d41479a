using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Switchyard.FrontDoor.Admin;

/// <summary>
/// A request body as the SDKs send it: Node turns top-level keys into snake_case, Python sends them as written
/// (often camelCase), so every top-level field is looked up under both spellings. Unknown fields are ignored.
/// Problems are collected with the field's name so one 400 lists them all.
/// </summary>
internal sealed class AdminBody
{
    private readonly JsonElement _root;

    private AdminBody(JsonElement root) => _root = root;

    public List<string> Errors { get; } = [];

    /// <summary>A body that did not come over HTTP (the bootstrap file's records, converted from YAML).</summary>
    public static AdminBody FromElement(JsonElement root) => new(root.Clone());

    /// <summary>Reads the body; an empty body is an empty object (Node sends no body on some calls).</summary>
    public static async Task<(AdminBody? Body, string? Problem)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        if (buffer.Length == 0)
        {
            return (new AdminBody(JsonDocument.Parse("{}").RootElement), null);
        }

        try
        {
            using var document = JsonDocument.Parse(buffer.ToArray());
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, "The request body must be a JSON object.");
            }

            return (new AdminBody(document.RootElement.Clone()), null);
        }
        catch (JsonException ex)
        {
            return (null, $"The request body is not valid JSON: {ex.Message}");
        }
    }

    /// <summary>The field under its snake_case name or its camelCase spelling; null when absent.</summary>
    public JsonElement? Field(string snakeName)
    {
        if (_root.TryGetProperty(snakeName, out var value))
        {
            return value;
        }

        var camel = CamelCase(snakeName);
        return camel != snakeName && _root.TryGetProperty(camel, out value) ? value : null;
    }

    public bool Has(string snakeName) => Field(snakeName) is not null;

    public string? String(string snakeName, bool required = false)
    {
        switch (Field(snakeName))
        {
            case { ValueKind: JsonValueKind.String } value:
                var text = value.GetString()!;
                if (required && text.Trim().Length == 0)
                {
                    Errors.Add($"{snakeName}: must not be empty");
                }

                return text;
            case null or { ValueKind: JsonValueKind.Null }:
                if (required)
                {
                    Errors.Add($"{snakeName}: is required");
                }

                return null;
            default:
                Errors.Add($"{snakeName}: must be a string");
                return null;
        }
    }

    public IReadOnlyList<string>? StringList(string snakeName, bool required = false)
    {
        switch (Field(snakeName))
        {
            case { ValueKind: JsonValueKind.Array } array when array.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String):
                return array.EnumerateArray().Select(e => e.GetString()!).ToArray();
            case null or { ValueKind: JsonValueKind.Null }:
                if (required)
                {
                    Errors.Add($"{snakeName}: is required (an array of strings)");
                }

                return null;
            default:
                Errors.Add($"{snakeName}: must be an array of strings");
                return null;
        }
    }

    /// <summary>0/1 or true/false (Portkey's <c>is_default</c> is a number).</summary>
    public bool? Flag(string snakeName)
    {
        switch (Field(snakeName))
        {
            case { ValueKind: JsonValueKind.True }:
                return true;
            case { ValueKind: JsonValueKind.False }:
                return false;
            case { ValueKind: JsonValueKind.Number } number when number.TryGetInt32(out var n) && n is 0 or 1:
                return n == 1;
            case null or { ValueKind: JsonValueKind.Null }:
                return null;
            default:
                Errors.Add($"{snakeName}: must be 0, 1, true or false");
                return null;
        }
    }

    /// <summary>An ISO 8601 instant or null; <paramref name="present"/> tells "absent" from "null".</summary>
    public DateTimeOffset? Instant(string snakeName, out bool present)
    {
        var field = Field(snakeName);
        present = field is not null;
        switch (field)
        {
            case { ValueKind: JsonValueKind.String } value
                when DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant):
                return instant;
            case null or { ValueKind: JsonValueKind.Null }:
                return null;
            default:
                Errors.Add($"{snakeName}: must be an ISO 8601 date-time or null");
                return null;
        }
    }

    /// <summary>A string-to-string object such as <c>metadata</c>, read from a nested element.</summary>
    public IReadOnlyDictionary<string, string>? StringMap(JsonElement? element, string path)
    {
        switch (element)
        {
            case { ValueKind: JsonValueKind.Object } map:
                var result = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var property in map.EnumerateObject())
                {
                    if (property.Value.ValueKind == JsonValueKind.String)
                    {
                        result[property.Name] = property.Value.GetString()!;
                    }
                    else
                    {
                        Errors.Add($"{path}.{property.Name}: must be a string");
                    }
                }

                return result;
            case null or { ValueKind: JsonValueKind.Null }:
                return null;
            default:
                Errors.Add($"{path}: must be an object of strings");
                return null;
        }
    }

    internal static string CamelCase(string snakeName)
    {
        var builder = new StringBuilder(snakeName.Length);
        var upper = false;
        foreach (var c in snakeName)
        {
            if (c == '_')
            {
                upper = true;
                continue;
            }

            builder.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }

        return builder.ToString();
    }
}
