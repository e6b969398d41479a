using System.Collections.Concurrent;
using Switchyard.State;

namespace Switchyard.Gateway.Tests.Caching;

/// <summary>An <see cref="IResponseCache"/> in memory: stores at once, expiry by the given clock, a linear semantic search.</summary>
internal sealed class InMemoryResponseCache(TimeProvider time) : IResponseCache
{
    public ConcurrentDictionary<(string Workspace, string Hash), CachedAnswer> Entries { get; } = new();

    public ConcurrentDictionary<(string Workspace, string Partition), List<(string Hash, float[] Vector)>> Vectors { get; } = new();

    public ConcurrentQueue<(string Workspace, string Namespace, CacheOutcome Outcome)> Counts { get; } = new();

    public List<(CachedAnswer Answer, bool Refresh)> Stored { get; } = [];

    public ValueTask<CachedAnswer?> GetAsync(string workspaceId, string hash, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Entries.TryGetValue((workspaceId, hash), out var entry) && entry.ExpiresAt > time.GetUtcNow() ? entry : null);

    public void Store(CachedAnswer answer, bool refresh, ReadOnlyMemory<float> vector = default)
    {
        Stored.Add((answer, refresh));
        Entries[(answer.WorkspaceId, answer.Hash)] = answer;
        if (answer.SemanticPartition is { } partition && !vector.IsEmpty)
        {
            Vectors.GetOrAdd((answer.WorkspaceId, partition), _ => []).Add((answer.Hash, vector.ToArray()));
        }
    }

    public void Count(string workspaceId, string @namespace, CacheOutcome outcome) => Counts.Enqueue((workspaceId, @namespace, outcome));

    public Task<IReadOnlyList<SemanticMatch>> FindSimilarAsync(
        string workspaceId, string partition, ReadOnlyMemory<float> vector, float threshold, int limit, CancellationToken cancellationToken)
    {
        var query = vector.ToArray();
        IReadOnlyList<SemanticMatch> matches = Vectors.TryGetValue((workspaceId, partition), out var vectors)
            ? vectors.Select(v => new SemanticMatch(v.Hash, v.Vector.Zip(query, (a, b) => a * b).Sum()))
                .Where(m => m.Similarity >= threshold).OrderByDescending(m => m.Similarity).Take(limit).ToList()
            : [];
        return Task.FromResult(matches);
    }

    public Task<IReadOnlyList<CacheStatistics>> StatisticsAsync(string? workspaceId, CancellationToken cancellationToken) =>
        throw new NotSupportedException("not used by the pipeline");

    public Task<long> InvalidateAsync(CacheInvalidation what, CancellationToken cancellationToken) =>
        throw new NotSupportedException("not used by the pipeline");

    public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
