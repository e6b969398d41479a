namespace Switchyard.Grains.Caching;

/// <summary>
/// The vectors of one semantic-cache partition (workspace, namespace, provider and model, every non-message parameter),
/// kept in memory and searched by cosine similarity. The key is <see cref="SemanticIndexKey.Of"/>. Vectors expire with
/// their entries; a partition past its size limit forgets its oldest vectors first.
/// </summary>
[Alias("Switchyard.ISemanticIndexGrain")]
public interface ISemanticIndexGrain : IGrainWithStringKey
{
    /// <summary>Adds (or replaces) the vector of the entry <see cref="SemanticVector.Hash"/>.</summary>
    [Alias("Add")]
    Task AddAsync(SemanticVector vector);

    /// <summary>The live vectors at or above <paramref name="threshold"/>, most similar first, at most <paramref name="limit"/>.</summary>
    [Alias("Search")]
    Task<SemanticCandidate[]> SearchAsync(float[] vector, float threshold, int limit);

    /// <summary>Forgets the vectors of these entries (they were invalidated or evicted).</summary>
    [Alias("Forget")]
    Task ForgetAsync(string[] hashes);
}

/// <summary>The key of a <see cref="ISemanticIndexGrain"/>: <c>{workspace id}/{partition}</c>.</summary>
public static class SemanticIndexKey
{
    public static string Of(string workspaceId, string partition) => workspaceId + "/" + partition;
}

/// <summary>One entry's vector: unit length (the embedder normalises it), so cosine similarity is a dot product.</summary>
[GenerateSerializer, Immutable, Alias("Switchyard.SemanticVector")]
public sealed record SemanticVector(
    [property: Id(0)] string Hash,
    [property: Id(1)] float[] Vector,
    [property: Id(2)] DateTimeOffset ExpiresAt);

/// <summary>A vector that matched a search, with its cosine similarity.</summary>
[GenerateSerializer, Immutable, Alias("Switchyard.SemanticCandidate")]
public sealed record SemanticCandidate(
    [property: Id(0)] string Hash,
    [property: Id(1)] float Similarity);
