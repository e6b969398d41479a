using Switchyard.State;

namespace Switchyard.Grains.Caching;

/// <summary>
/// The cache of one workspace (the key is the workspace id): an index of its entries, the lookup counts its front doors
/// report, and the rules over both. It keeps the workspace under <see cref="ResponseCacheOptions.MaxWorkspaceBytes"/> by
/// evicting its oldest entries, answers statistics per namespace, deletes what an invalidation matches and, when the
/// silos' sweep asks, the rows of expired entries nobody read.
/// </summary>
[Alias("Switchyard.ICacheWorkspaceGrain")]
public interface ICacheWorkspaceGrain : IGrainWithStringKey
{
    /// <summary>
    /// Indexes entries a front door stored in their <see cref="ICacheEntryGrain"/>s (replacing the rows of the same
    /// hashes), then evicts the oldest entries while the workspace is over its budget.
    /// </summary>
    [Alias("Register")]
    Task RegisterAsync(CacheIndexEntry[] entries);

    /// <summary>Adds lookup outcomes a front door counted since its last report.</summary>
    [Alias("Count")]
    Task CountAsync(CacheCounts[] counts);

    /// <summary>Statistics per namespace: live entries and their bytes from the index, lookups from the counts.</summary>
    [Alias("Statistics")]
    Task<CacheStatistics[]> StatisticsAsync();

    /// <summary>
    /// Deletes the indexed entries <paramref name="what"/> matches (its workspace must be this one or null) and their
    /// vectors; returns how many. Throws when some could not be deleted (they stay indexed, so a retry deletes them).
    /// </summary>
    [Alias("Invalidate")]
    Task<long> InvalidateAsync(CacheInvalidation what);

    /// <summary>Deletes the stored rows of the expired entries; returns how many were deleted.</summary>
    [Alias("Sweep")]
    Task<int> SweepAsync();
}

/// <summary>What a workspace's index knows of one entry: enough to evict, invalidate, sweep and count it.</summary>
/// <param name="SemanticPartition">The semantic index partition that holds its vector; null when it has none.</param>
[GenerateSerializer, Immutable, Alias("Switchyard.CacheIndexEntry")]
public sealed record CacheIndexEntry(
    [property: Id(0)] string Hash,
    [property: Id(1)] string Namespace,
    [property: Id(2)] string Model,
    [property: Id(3)] long Size,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] DateTimeOffset ExpiresAt,
    [property: Id(6)] string? SemanticPartition)
{
    public static CacheIndexEntry Of(CachedAnswer answer) =>
        new(answer.Hash, answer.Namespace, answer.Model, answer.Size, answer.CreatedAt, answer.ExpiresAt, answer.SemanticPartition);
}

/// <summary>Lookup outcomes of one namespace a front door counted since its last report (each is added once).</summary>
[GenerateSerializer, Immutable, Alias("Switchyard.CacheCounts")]
public sealed record CacheCounts(
    [property: Id(0)] string Namespace,
    [property: Id(1)] long Hits,
    [property: Id(2)] long SemanticHits,
    [property: Id(3)] long Misses,
    [property: Id(4)] long SemanticMisses,
    [property: Id(5)] long Refreshes);
