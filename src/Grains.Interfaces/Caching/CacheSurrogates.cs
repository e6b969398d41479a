using Switchyard.State;

namespace Switchyard.Grains.Caching;

// The cache's contract records (src/State.Contracts/ResponseCache.cs) know nothing of Orleans; these surrogates are their
// wire format between front doors and grains. Aliases and ids are that format: never rename, renumber or reuse them.

[GenerateSerializer, Immutable, Alias("Switchyard.CachedAnswer")]
internal struct CachedAnswerSurrogate
{
    [Id(0)] public string WorkspaceId;
    [Id(1)] public string Hash;
    [Id(2)] public string Namespace;
    [Id(3)] public string Operation;
    [Id(4)] public string Provider;
    [Id(5)] public string Model;
    [Id(6)] public CachedAnswerShape Shape;
    [Id(7)] public byte[] Body;
    [Id(8)] public DateTimeOffset CreatedAt;
    [Id(9)] public DateTimeOffset ExpiresAt;
    [Id(10)] public string? SemanticPartition;
}

[RegisterConverter]
internal sealed class CachedAnswerSurrogateConverter : IConverter<CachedAnswer, CachedAnswerSurrogate>
{
    public CachedAnswer ConvertFromSurrogate(in CachedAnswerSurrogate surrogate) =>
        new(surrogate.WorkspaceId, surrogate.Hash, surrogate.Namespace, surrogate.Operation, surrogate.Provider, surrogate.Model,
            surrogate.Shape, surrogate.Body, surrogate.CreatedAt, surrogate.ExpiresAt, surrogate.SemanticPartition);

    public CachedAnswerSurrogate ConvertToSurrogate(in CachedAnswer value) => new()
    {
        WorkspaceId = value.WorkspaceId,
        Hash = value.Hash,
        Namespace = value.Namespace,
        Operation = value.Operation,
        Provider = value.Provider,
        Model = value.Model,
        Shape = value.Shape,
        Body = value.Body,
        CreatedAt = value.CreatedAt,
        ExpiresAt = value.ExpiresAt,
        SemanticPartition = value.SemanticPartition,
    };
}

[GenerateSerializer, Immutable, Alias("Switchyard.CacheInvalidation")]
internal struct CacheInvalidationSurrogate
{
    [Id(0)] public string? WorkspaceId;
    [Id(1)] public string? Namespace;
    [Id(2)] public string? Model;
    [Id(3)] public DateTimeOffset? CreatedBefore;
    [Id(4)] public string? Hash;
}

[RegisterConverter]
internal sealed class CacheInvalidationSurrogateConverter : IConverter<CacheInvalidation, CacheInvalidationSurrogate>
{
    public CacheInvalidation ConvertFromSurrogate(in CacheInvalidationSurrogate surrogate) =>
        new(surrogate.WorkspaceId, surrogate.Namespace, surrogate.Model, surrogate.CreatedBefore, surrogate.Hash);

    public CacheInvalidationSurrogate ConvertToSurrogate(in CacheInvalidation value) => new()
    {
        WorkspaceId = value.WorkspaceId,
        Namespace = value.Namespace,
        Model = value.Model,
        CreatedBefore = value.CreatedBefore,
        Hash = value.Hash,
    };
}

[GenerateSerializer, Immutable, Alias("Switchyard.CacheStatistics")]
internal struct CacheStatisticsSurrogate
{
    [Id(0)] public string WorkspaceId;
    [Id(1)] public string Namespace;
    [Id(2)] public long Entries;
    [Id(3)] public long Bytes;
    [Id(4)] public long Hits;
    [Id(5)] public long SemanticHits;
    [Id(6)] public long Misses;
    [Id(7)] public long SemanticMisses;
    [Id(8)] public long Refreshes;
}

[RegisterConverter]
internal sealed class CacheStatisticsSurrogateConverter : IConverter<CacheStatistics, CacheStatisticsSurrogate>
{
    public CacheStatistics ConvertFromSurrogate(in CacheStatisticsSurrogate surrogate) =>
        new(surrogate.WorkspaceId, surrogate.Namespace, surrogate.Entries, surrogate.Bytes, surrogate.Hits, surrogate.SemanticHits,
            surrogate.Misses, surrogate.SemanticMisses, surrogate.Refreshes);

    public CacheStatisticsSurrogate ConvertToSurrogate(in CacheStatistics value) => new()
    {
        WorkspaceId = value.WorkspaceId,
        Namespace = value.Namespace,
        Entries = value.Entries,
        Bytes = value.Bytes,
        Hits = value.Hits,
        SemanticHits = value.SemanticHits,
        Misses = value.Misses,
        SemanticMisses = value.SemanticMisses,
        Refreshes = value.Refreshes,
    };
}
