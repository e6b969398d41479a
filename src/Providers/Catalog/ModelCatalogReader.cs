using System.Collections.Frozen;
using System.Text.Json;

namespace Switchyard.Providers.Catalog;

/// <summary>Reads the data file's shape and collects the first problem with its JSON path.</summary>
internal sealed class ModelCatalogReader
{
    private static readonly FrozenSet<string> EntryFields = FrozenSet.ToFrozenSet(
        [
            "provider", "id", "aliases", "kind", "context_window", "max_output_tokens",
            "input_per_million", "output_per_million", "cached_input_per_million", "note",
        ],
        StringComparer.Ordinal);

    public ModelCatalog Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("$", "expected an object with 'source', 'as_of' and 'models'");
        }

        var source = RequiredString(root, "source", "$");
        var asOf = RequiredString(root, "as_of", "$");
        if (!DateOnly.TryParseExact(asOf, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out _))
        {
            throw Invalid("$.as_of", "expected a date as YYYY-MM-DD");
        }

        if (!root.TryGetProperty("models", out var entries) || entries.ValueKind != JsonValueKind.Array)
        {
            throw Invalid("$.models", "expected an array");
        }

        var models = new List<ModelInfo>();
        var names = new Dictionary<string, Dictionary<string, ModelInfo>>(StringComparer.Ordinal);
        var index = 0;
        foreach (var entry in entries.EnumerateArray())
        {
            var path = $"$.models[{index}]";
            var model = ReadEntry(entry, path);
            if (!names.TryGetValue(model.Provider, out var providerNames))
            {
                providerNames = new Dictionary<string, ModelInfo>(StringComparer.Ordinal);
                names[model.Provider] = providerNames;
            }

            // Ids and aliases share one namespace per provider: a clash would make a lookup's answer depend on file order.
            foreach (var name in Names(entry, model.Id, path))
            {
                if (!providerNames.TryAdd(name, model))
                {
                    throw Invalid(path, $"'{model.Provider}/{name}' is listed twice");
                }
            }

            models.Add(model);
            index++;
        }

        return new ModelCatalog(source, asOf, models, names);
    }

    private static ModelInfo ReadEntry(JsonElement entry, string path)
    {
        if (entry.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(path, "expected an object");
        }

        foreach (var property in entry.EnumerateObject())
        {
            if (!EntryFields.Contains(property.Name))
            {
                throw Invalid($"{path}.{property.Name}", "unknown field");
            }
        }

        var provider = RequiredString(entry, "provider", path);
        var id = RequiredString(entry, "id", path);
        var kind = RequiredString(entry, "kind", path);
        if (kind is not (ModelInfo.Chat or ModelInfo.Embedding))
        {
            throw Invalid($"{path}.kind", $"expected '{ModelInfo.Chat}' or '{ModelInfo.Embedding}', got '{kind}'");
        }

        return new ModelInfo(
            provider,
            id,
            TokenCount(entry, "context_window", path),
            TokenCount(entry, "max_output_tokens", path),
            Price(entry, "input_per_million", path),
            Price(entry, "output_per_million", path),
            Price(entry, "cached_input_per_million", path),
            kind);
    }

    private static IEnumerable<string> Names(JsonElement entry, string id, string path)
    {
        yield return id;
        if (!entry.TryGetProperty("aliases", out var aliases) || aliases.ValueKind == JsonValueKind.Null)
        {
            yield break;
        }

        if (aliases.ValueKind != JsonValueKind.Array)
        {
            throw Invalid($"{path}.aliases", "expected an array of strings");
        }

        var index = 0;
        foreach (var alias in aliases.EnumerateArray())
        {
            if (alias.ValueKind != JsonValueKind.String || alias.GetString() is not { Length: > 0 } name)
            {
                throw Invalid($"{path}.aliases[{index}]", "expected a non-empty string");
            }

            yield return name;
            index++;
        }
    }

    private static string RequiredString(JsonElement parent, string name, string path)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String || value.GetString() is not { Length: > 0 } text)
        {
            throw Invalid($"{path}.{name}", "required: a non-empty string");
        }

        if (text.Trim().Length != text.Length)
        {
            throw Invalid($"{path}.{name}", "must not start or end with whitespace");
        }

        return text;
    }

    private static int? TokenCount(JsonElement entry, string name, string path)
    {
        if (!entry.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var count) && count > 0)
        {
            return count;
        }

        throw Invalid($"{path}.{name}", "expected a positive integer or null");
    }

    private static decimal? Price(JsonElement entry, string name, string path)
    {
        if (!entry.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        // Decimal keeps the file's digits exactly (0.075 stays 0.075), which cost sums rely on.
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var price) && price >= 0)
        {
            return price;
        }

        throw Invalid($"{path}.{name}", "expected a price ≥ 0 or null");
    }

    private static InvalidDataException Invalid(string path, string problem) => new($"Model catalog: {path}: {problem}.");
}
