namespace Switchyard.Grains.Caching;

/// <summary>
/// What <see cref="CacheWorkspaceGrain"/> stores: its index of entries and the lookup counts per namespace. The index is
/// kept column by column (an entry's fields sit at one position in every list, names once in <see cref="Names"/>): the
/// silo's JSON storage format names every field and type of every object, so a list of records would take about three
/// times the room, and a big workspace's index is rewritten whole at every write.
/// </summary>
[GenerateSerializer, Alias("Switchyard.CacheWorkspaceState")]
internal sealed class CacheWorkspaceState
{
    /// <summary>The namespaces, models and partitions the columns point into.</summary>
    [Id(0)]
    public List<string> Names { get; set; } = [];

    [Id(1)]
    public List<string> Hashes { get; set; } = [];

    /// <summary>Positions in <see cref="Names"/>.</summary>
    [Id(2)]
    public List<int> Namespaces { get; set; } = [];

    /// <summary>Positions in <see cref="Names"/>.</summary>
    [Id(3)]
    public List<int> Models { get; set; } = [];

    /// <summary>Positions in <see cref="Names"/>; -1 for an entry without a semantic partition.</summary>
    [Id(4)]
    public List<int> Partitions { get; set; } = [];

    [Id(5)]
    public List<long> Sizes { get; set; } = [];

    /// <summary>UTC ticks.</summary>
    [Id(6)]
    public List<long> Created { get; set; } = [];

    /// <summary>UTC ticks.</summary>
    [Id(7)]
    public List<long> Expires { get; set; } = [];

    /// <summary>Lookup counts by namespace since the workspace first used the cache.</summary>
    [Id(8)]
    public Dictionary<string, CacheTally> Counts { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Sets the index columns to <paramref name="entries"/>.</summary>
    public void SetIndex(IEnumerable<CacheIndexEntry> entries)
    {
        ClearIndex();
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        int Position(string name)
        {
            if (!positions.TryGetValue(name, out var position))
            {
                position = Names.Count;
                Names.Add(name);
                positions.Add(name, position);
            }

            return position;
        }

        foreach (var entry in entries)
        {
            Hashes.Add(entry.Hash);
            Namespaces.Add(Position(entry.Namespace));
            Models.Add(Position(entry.Model));
            Partitions.Add(entry.SemanticPartition is { } partition ? Position(partition) : -1);
            Sizes.Add(entry.Size);
            Created.Add(entry.CreatedAt.UtcTicks);
            Expires.Add(entry.ExpiresAt.UtcTicks);
        }
    }

    /// <summary>The index's entries; throws when the columns do not agree (the stored state is damaged).</summary>
    public IEnumerable<CacheIndexEntry> ReadIndex()
    {
        var count = Hashes.Count;
        if (Namespaces.Count != count || Models.Count != count || Partitions.Count != count || Sizes.Count != count
            || Created.Count != count || Expires.Count != count)
        {
            throw new InvalidOperationException("The stored cache index's columns differ in length.");
        }

        for (var i = 0; i < count; i++)
        {
            yield return new CacheIndexEntry(
                Hashes[i],
                Names[Namespaces[i]],
                Names[Models[i]],
                Sizes[i],
                new DateTimeOffset(Created[i], TimeSpan.Zero),
                new DateTimeOffset(Expires[i], TimeSpan.Zero),
                Partitions[i] < 0 ? null : Names[Partitions[i]]);
        }
    }

    /// <summary>Empties the index columns (the grain keeps the index in a <see cref="CacheIndex"/> between writes).</summary>
    public void ClearIndex()
    {
        Names.Clear();
        Hashes.Clear();
        Namespaces.Clear();
        Models.Clear();
        Partitions.Clear();
        Sizes.Clear();
        Created.Clear();
        Expires.Clear();
    }
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
