using Switchyard.Grains.Caching;

namespace Switchyard.Grains.Tests.Caching;

/// <summary>
/// A plain <see cref="ISemanticIndexGrain"/> for the cache's tests where the real one is not built: vectors in memory,
/// searched by dot product. Where src/Grains/Caching/SemanticIndexGrain.cs exists, Orleans resolves the interface to it
/// (its name matches the interface's) and the tests run against it; this one can then go.
/// </summary>
internal sealed class FakeSemanticIndexGrain(TimeProvider time) : Grain, ISemanticIndexGrain
{
    private readonly Dictionary<string, SemanticVector> _vectors = new(StringComparer.Ordinal);

    public Task AddAsync(SemanticVector vector)
    {
        _vectors[vector.Hash] = vector;
        return Task.CompletedTask;
    }

    public Task<SemanticCandidate[]> SearchAsync(float[] vector, float threshold, int limit)
    {
        var now = time.GetUtcNow();
        var found = _vectors.Values
            .Where(v => v.ExpiresAt > now && v.Vector.Length == vector.Length)
            .Select(v => new SemanticCandidate(v.Hash, v.Vector.Zip(vector, (a, b) => a * b).Sum()))
            .Where(c => c.Similarity >= threshold)
            .OrderByDescending(c => c.Similarity)
            .Take(limit)
            .ToArray();
        return Task.FromResult(found);
    }

    public Task ForgetAsync(string[] hashes)
    {
        foreach (var hash in hashes)
        {
            _vectors.Remove(hash);
        }

        return Task.CompletedTask;
    }
}
