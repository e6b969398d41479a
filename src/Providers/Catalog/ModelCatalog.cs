using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Switchyard.Providers.Catalog;

/// <summary>
/// Known models per provider with context windows, output limits and list prices, read once from the embedded
/// <c>Catalog/models.json</c>. The catalog is advisory: a model it does not know still routes; it only has no
/// limits or prices to offer.
/// </summary>
/// <remarks>
/// <para>Lookup (<see cref="TryGet"/>), in order:</para>
/// <list type="number">
/// <item>the exact id, or an alias the data file lists for an entry (e.g. <c>claude-sonnet-4-0</c>, <c>gemini-2.0-flash-001</c>);</item>
/// <item>for <c>bedrock</c>, the id without a cross-region inference-profile prefix (<c>us.</c>, <c>eu.</c>, <c>apac.</c>, <c>global.</c>, …), then step 1 again;</item>
/// <item>the id without a dated-snapshot suffix, then step 1 again: <c>-YYYY-MM-DD</c> (OpenAI, <c>gpt-4o-2024-08-06</c> → <c>gpt-4o</c>),
/// <c>-YYYYMMDD</c> (Anthropic, <c>claude-3-5-sonnet-20241022</c> → <c>claude-3-5-sonnet</c>) or <c>-latest</c>.</item>
/// </list>
/// <para>
/// Exact ids win, so a snapshot priced differently from its family (<c>gpt-4o-2024-05-13</c>) is listed on its own.
/// Matching is ordinal: providers treat model ids as case-sensitive.
/// </para>
/// </remarks>
public sealed class ModelCatalog
{
    internal const string ResourceName = "Switchyard.Providers.Catalog.models.json";

    private static readonly Lazy<ModelCatalog> DefaultCatalog = new(LoadEmbedded);

    /// <summary>Cross-region inference-profile prefixes Bedrock puts before a model id; the profile is billed as the model.</summary>
    private static readonly string[] BedrockGeoPrefixes = ["us.", "eu.", "apac.", "au.", "jp.", "ca.", "us-gov.", "global."];

    private readonly FrozenDictionary<string, FrozenDictionary<string, ModelInfo>> _byProvider;
    private readonly FrozenDictionary<string, IReadOnlyList<ModelInfo>> _listsByProvider;

    internal ModelCatalog(string source, string asOf, List<ModelInfo> models, Dictionary<string, Dictionary<string, ModelInfo>> names)
    {
        Source = source;
        AsOf = asOf;
        All = models.AsReadOnly();
        _byProvider = names.ToFrozenDictionary(
            pair => pair.Key, pair => pair.Value.ToFrozenDictionary(StringComparer.Ordinal), StringComparer.Ordinal);
        _listsByProvider = models
            .GroupBy(model => model.Provider, StringComparer.Ordinal)
            .ToFrozenDictionary(group => group.Key, group => (IReadOnlyList<ModelInfo>)group.ToList().AsReadOnly(), StringComparer.Ordinal);
    }

    /// <summary>The built-in catalog, parsed and validated on first use.</summary>
    /// <exception cref="InvalidDataException">The embedded data file is invalid (a build that ships one is broken).</exception>
    public static ModelCatalog Default => DefaultCatalog.Value;

    /// <summary>Every model, in data-file order.</summary>
    public IReadOnlyList<ModelInfo> All { get; }

    /// <summary>Where the prices and limits come from (the data file's <c>source</c>).</summary>
    public string Source { get; }

    /// <summary>The date the data was compiled (the data file's <c>as_of</c>, <c>YYYY-MM-DD</c>).</summary>
    public string AsOf { get; }

    /// <summary>Finds a model by provider slug and model id; see the class remarks for the snapshot rule.</summary>
    public bool TryGet(string provider, string model, [MaybeNullWhen(false)] out ModelInfo info)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(model);
        info = null;
        if (!_byProvider.TryGetValue(provider, out var names))
        {
            return false;
        }

        if (names.TryGetValue(model, out info))
        {
            return true;
        }

        if (provider == "bedrock" && WithoutGeoPrefix(model) is { } regional)
        {
            model = regional;
            if (names.TryGetValue(model, out info))
            {
                return true;
            }
        }

        return WithoutSnapshotSuffix(model) is { } family && names.TryGetValue(family, out info);
    }

    /// <summary>The provider's models in data-file order; empty for a provider the catalog does not list.</summary>
    public IReadOnlyList<ModelInfo> ForProvider(string provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        return _listsByProvider.TryGetValue(provider, out var models) ? models : [];
    }

    /// <summary>Parses and validates a catalog data file (UTF-8 JSON).</summary>
    /// <exception cref="InvalidDataException">The file is not valid JSON or breaks a rule; the message names the entry and field.</exception>
    internal static ModelCatalog Parse(ReadOnlyMemory<byte> utf8Json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException failure)
        {
            throw new InvalidDataException($"Model catalog: not valid JSON ({failure.Message}).", failure);
        }

        using (document)
        {
            return new ModelCatalogReader().Read(document.RootElement);
        }
    }

    private static ModelCatalog LoadEmbedded()
    {
        using var stream = typeof(ModelCatalog).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidDataException($"Model catalog: embedded resource '{ResourceName}' is missing.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
    }

    private static string? WithoutGeoPrefix(string model)
    {
        foreach (var prefix in BedrockGeoPrefixes)
        {
            if (model.StartsWith(prefix, StringComparison.Ordinal))
            {
                return model[prefix.Length..];
            }
        }

        return null;
    }

    /// <summary>The family id under a dated snapshot (<c>-YYYY-MM-DD</c>, <c>-YYYYMMDD</c>) or a <c>-latest</c> alias; null when there is none.</summary>
    internal static string? WithoutSnapshotSuffix(string model)
    {
        const string Latest = "-latest";
        if (model.EndsWith(Latest, StringComparison.Ordinal) && model.Length > Latest.Length)
        {
            return model[..^Latest.Length];
        }

        // "-2024-08-06": a dash, then digits with dashes at positions 5 and 8 of the stamp.
        if (model.Length > 11 && model[^11] == '-' && IsDate(model.AsSpan(model.Length - 10), dashed: true))
        {
            return model[..^11];
        }

        if (model.Length > 9 && model[^9] == '-' && IsDate(model.AsSpan(model.Length - 8), dashed: false))
        {
            return model[..^9];
        }

        return null;
    }

    /// <summary>
    /// Accepts 20YY, a month 01–12 and a day 01–31, so version numbers such as <c>-0613</c> or <c>-v1</c> are not
    /// mistaken for dates.
    /// </summary>
    private static bool IsDate(ReadOnlySpan<char> stamp, bool dashed)
    {
        Span<char> digits = stackalloc char[8];
        if (dashed)
        {
            if (stamp[4] != '-' || stamp[7] != '-')
            {
                return false;
            }

            stamp[..4].CopyTo(digits);
            stamp[5..7].CopyTo(digits[4..]);
            stamp[8..10].CopyTo(digits[6..]);
        }
        else
        {
            stamp.CopyTo(digits);
        }

        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        var month = ((digits[4] - '0') * 10) + (digits[5] - '0');
        var day = ((digits[6] - '0') * 10) + (digits[7] - '0');
        return digits[0] == '2' && digits[1] == '0' && month is >= 1 and <= 12 && day is >= 1 and <= 31;
    }
}
