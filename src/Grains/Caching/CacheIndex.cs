using Switchyard.State;

namespace Switchyard.Grains.Caching;

/// <summary>
/// The entries of one workspace as <see cref="CacheWorkspaceGrain"/> knows them: by hash, and by age (oldest first, for
/// eviction), with their total size. Plain code, so the rules are tested without a cluster.
/// </summary>
/// <remarks>
/// Every message brings its own copies of the namespace, model and partition, which repeat across a workspace's
/// entries; the index keeps one copy of each (about a third of an entry's memory).
/// </remarks>
internal sealed class CacheIndex
{
    private readonly Dictionary<string, CacheIndexEntry> _byHash = new(StringComparer.Ordinal);
    private readonly SortedSet<CacheIndexEntry> _byAge = new(AgeOrder.Instance);
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);

    public CacheIndex(IEnumerable<CacheIndexEntry> entries)
    {
        foreach (var entry in entries)
        {
            Put(entry);
        }
    }

    public int Count => _byHash.Count;

    /// <summary>The sizes of every entry indexed, expired or not (their rows take room until they are swept).</summary>
    public long Bytes { get; private set; }

    public IEnumerable<CacheIndexEntry> Entries => _byHash.Values;

    /// <summary>Adds an entry, or replaces the one with its hash.</summary>
    public void Put(CacheIndexEntry entry)
    {
        var @namespace = Pooled(entry.Namespace);
        var model = Pooled(entry.Model);
        var partition = entry.SemanticPartition is { } given ? Pooled(given) : null;
        if (!ReferenceEquals(@namespace, entry.Namespace) || !ReferenceEquals(model, entry.Model) || !ReferenceEquals(partition, entry.SemanticPartition))
        {
            entry = entry with { Namespace = @namespace, Model = model, SemanticPartition = partition };
        }

        Remove(entry.Hash);
        _byHash.Add(entry.Hash, entry);
        _byAge.Add(entry);
        Bytes += entry.Size;
    }

    public bool Remove(string hash)
    {
        if (!_byHash.Remove(hash, out var entry))
        {
            return false;
        }

        _byAge.Remove(entry);
        Bytes -= entry.Size;
        return true;
    }

    /// <summary>Removes the oldest entries while the total is over <paramref name="budget"/>; returns them, oldest first.</summary>
    public List<CacheIndexEntry> EvictOver(long budget)
    {
        var evicted = new List<CacheIndexEntry>();
        while (Bytes > budget && _byAge.Min is { } oldest)
        {
            Remove(oldest.Hash);
            evicted.Add(oldest);
        }

        return evicted;
    }

    /// <summary>Removes and returns the entries <paramref name="what"/> matches in workspace <paramref name="workspaceId"/>.</summary>
    public List<CacheIndexEntry> RemoveMatching(string workspaceId, CacheInvalidation what)
    {
        List<CacheIndexEntry> matched;
        if (what.Hash is { } hash)
        {
            matched = _byHash.TryGetValue(hash, out var one) && Matches(workspaceId, what, one) ? [one] : [];
        }
        else
        {
            matched = [.. _byHash.Values.Where(entry => Matches(workspaceId, what, entry))];
        }

        foreach (var entry in matched)
        {
            Remove(entry.Hash);
        }

        return matched;
    }

    /// <summary>The entries expired at <paramref name="now"/> (left in the index).</summary>
    public List<CacheIndexEntry> Expired(DateTimeOffset now) => [.. _byHash.Values.Where(entry => entry.ExpiresAt <= now)];

    private string Pooled(string value)
    {
        if (_names.TryGetValue(value, out var pooled))
        {
            return pooled;
        }

        _names.Add(value, value);
        return value;
    }

    private static bool Matches(string workspaceId, CacheInvalidation what, CacheIndexEntry entry) =>
        what.Matches(workspaceId, entry.Namespace, entry.Model, entry.CreatedAt, entry.Hash);

    /// <summary>Oldest first; the hash breaks ties, so two entries are equal only when they are the same entry.</summary>
    private sealed class AgeOrder : IComparer<CacheIndexEntry>
    {
        public static readonly AgeOrder Instance = new();

        public int Compare(CacheIndexEntry? x, CacheIndexEntry? y)
        {
            if (x is null || y is null)
            {
                return x is null ? (y is null ? 0 : -1) : 1;
            }

            var byTime = x.CreatedAt.UtcTicks.CompareTo(y.CreatedAt.UtcTicks);
            return byTime != 0 ? byTime : string.CompareOrdinal(x.Hash, y.Hash);
        }
    }
}
