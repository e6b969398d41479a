namespace Switchyard.Grains.Caching;

/// <summary>What <see cref="CacheWorkspaceGrain"/> stores: its index of entries and the lookup counts per namespace.</summary>
[GenerateSerializer, Alias("Switchyard.CacheWorkspaceState")]
internal sealed class CacheWorkspaceState
{
    /// <summary>The index as of the last write; empty in memory between writes (the grain keeps it in a <see cref="CacheIndex"/>).</summary>
    [Id(0)]
    public List<CacheIndexEntry> Entries { get; set; } = [];

    /// <summary>Lookup counts by namespace since the workspace first used the cache.</summary>
    [Id(1)]
    public Dictionary<string, CacheTally> Counts { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>The lookups of one namespace, summed from what front doors report.</summary>
[GenerateSerializer, Alias("Switchyard.CacheTally")]
internal sealed class CacheTally
{
    [Id(0)]
    public long Hits { get; set; }

    [Id(1)]
    public long SemanticHits { get; set; }

    [Id(2)]
    public long Misses { get; set; }

    [Id(3)]
    public long SemanticMisses { get; set; }

    [Id(4)]
    public long Refreshes { get; set; }

    public void Add(CacheCounts counts)
    {
        Hits += counts.Hits;
        SemanticHits += counts.SemanticHits;
        Misses += counts.Misses;
        SemanticMisses += counts.SemanticMisses;
        Refreshes += counts.Refreshes;
    }
}
