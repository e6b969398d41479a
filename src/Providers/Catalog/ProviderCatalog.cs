using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace Switchyard.Providers.Catalog;

/// <summary>
/// Every provider Switchyard can name, looked up by Portkey slug (<c>x-portkey-provider</c>,
/// config <c>provider</c>).
/// </summary>
public sealed class ProviderCatalog
{
    private readonly FrozenDictionary<string, ProviderDescriptor> _bySlug;

    /// <summary>The built-in catalog.</summary>
    public static ProviderCatalog Default { get; } = new(BuiltInProviders.Create());

    internal ProviderCatalog(IEnumerable<ProviderDescriptor> providers)
    {
        ArgumentNullException.ThrowIfNull(providers);
        var list = providers.ToArray();
        var map = new Dictionary<string, ProviderDescriptor>(StringComparer.Ordinal);
        foreach (var provider in list)
        {
            // A clash would silently shadow one provider with another, so refuse it when the catalog is built.
            if (!map.TryAdd(provider.Slug, provider))
            {
                throw new ArgumentException($"Provider slug '{provider.Slug}' is listed twice.", nameof(providers));
            }
        }

        All = Array.AsReadOnly(list);
        _bySlug = map.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>All providers, in table order.</summary>
    public IReadOnlyList<ProviderDescriptor> All { get; }

    /// <summary>
    /// Finds a provider by slug. Matching is ordinal and exact: Portkey's slugs are lowercase and
    /// Portkey rejects <c>Groq</c>, so accepting it here would let configs work on Switchyard that fail on Portkey.
    /// </summary>
    public bool TryGet(string slug, [MaybeNullWhen(false)] out ProviderDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(slug);
        return _bySlug.TryGetValue(slug, out descriptor);
    }
}
