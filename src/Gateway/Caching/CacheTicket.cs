using Switchyard.Gateway.Routing;

namespace Switchyard.Gateway.Caching;

/// <summary>
/// The cache's part in one target's call, decided before the provider is called: the entry's key and how long it
/// lives, whether the answer may be stored, and the request's vector when the semantic cache embedded it.
/// </summary>
internal sealed class CacheTicket
{
    public required string WorkspaceId { get; init; }

    public required string Namespace { get; init; }

    public required string Hash { get; init; }

    public required string Operation { get; init; }

    public required string Provider { get; init; }

    public required string Model { get; init; }

    public required CacheSettings Settings { get; init; }

    public required TimeSpan MaxAge { get; init; }

    /// <summary>The provider is asked even if an entry exists, and its answer replaces the entry everywhere.</summary>
    public bool Refresh { get; init; }

    /// <summary>The semantic partition the request's vector belongs to; null when the call is not semantic-cached.</summary>
    public string? SemanticPartition { get; set; }

    public float[]? Vector { get; set; }

    /// <summary>The similarity a semantic hit needs when the config sets none: the embedding model's own.</summary>
    public float DefaultThreshold { get; set; }
}
