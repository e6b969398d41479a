namespace Switchyard.State;

/// <summary>How a stored answer was delivered when the provider gave it.</summary>
public enum CachedAnswerShape
{
    /// <summary>One JSON body in OpenAI's shape (a chat completion, a text completion, an embedding list).</summary>
    Json = 0,

    /// <summary>The stream's OpenAI chunk payloads in order, framed by <c>CachedChunks</c> (the gateway's codec).</summary>
    Stream = 1,
}

/// <summary>
/// One stored answer: what a provider answered, complete and successful, in the gateway's OpenAI lingua franca, so it
/// can be rendered for any client dialect and as JSON or a stream.
/// </summary>
/// <param name="WorkspaceId">The tenant it belongs to; no lookup from another workspace ever reaches it.</param>
/// <param name="Hash">The entry's key: lower-case hex SHA-256 (the gateway's <c>CacheKey</c>).</param>
/// <param name="Namespace"><c>x-portkey-cache-namespace</c>; empty for the default partition.</param>
/// <param name="Operation">The endpoint's operation (<c>chat/completions</c>, <c>completions</c>, <c>embeddings</c>).</param>
/// <param name="Provider">The provider's slug that answered.</param>
/// <param name="Model">The model the provider was sent.</param>
/// <param name="Shape">JSON or stream.</param>
/// <param name="Body">The answer's bytes (see <see cref="CachedAnswerShape"/>).</param>
/// <param name="CreatedAt">When it was stored.</param>
/// <param name="ExpiresAt">When it stops being served (reads enforce it; a background sweep deletes it).</param>
/// <param name="SemanticPartition">The semantic index partition that holds its vector; null when it has none.</param>
public sealed record CachedAnswer(
    string WorkspaceId,
    string Hash,
    string Namespace,
    string Operation,
    string Provider,
    string Model,
    CachedAnswerShape Shape,
    byte[] Body,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    string? SemanticPartition = null)
{
    /// <summary>Bytes counted against size limits: the body plus a fixed allowance for the record's other fields.</summary>
    public long Size => Body.LongLength + 256;
}

/// <summary>What a lookup came to, counted per workspace and namespace.</summary>
public enum CacheOutcome
{
    Hit,
    SemanticHit,
    Miss,
    SemanticMiss,
    Refresh,
}

/// <summary>Which entries to delete. Every field set must match; <see cref="WorkspaceId"/> null means every workspace.</summary>
/// <param name="WorkspaceId">The workspace, or null for all (admin token only).</param>
/// <param name="Namespace">Only this namespace (empty string: the default partition).</param>
/// <param name="Model">Only entries of this model.</param>
/// <param name="CreatedBefore">Only entries stored before this instant.</param>
/// <param name="Hash">Only this one entry.</param>
public sealed record CacheInvalidation(
    string? WorkspaceId,
    string? Namespace = null,
    string? Model = null,
    DateTimeOffset? CreatedBefore = null,
    string? Hash = null)
{
    public bool Matches(string workspaceId, string @namespace, string model, DateTimeOffset createdAt, string hash) =>
        (WorkspaceId is null || WorkspaceId == workspaceId)
        && (Namespace is null || Namespace == @namespace)
        && (Model is null || Model == model)
        && (CreatedBefore is not { } before || createdAt < before)
        && (Hash is null || Hash == hash);
}

/// <summary>The cache of one workspace and namespace: what it holds and how lookups went since it was first used.</summary>
public sealed record CacheStatistics(
    string WorkspaceId,
    string Namespace,
    long Entries,
    long Bytes,
    long Hits,
    long SemanticHits,
    long Misses,
    long SemanticMisses,
    long Refreshes);

/// <summary>An earlier request whose text was close enough: its entry's hash and the cosine similarity.</summary>
public sealed record SemanticMatch(string Hash, float Similarity);

/// <summary>
/// The response cache the pipeline reads and writes, tenant-scoped in every call. The cluster's implementation keeps
/// entries in cache grains (persisted, expiry enforced on read, swept in the background) behind a bounded in-memory LRU
/// in each front door, and semantic vectors in one index grain per partition.
/// </summary>
public interface IResponseCache
{
    /// <summary>The live entry with this hash in this workspace; null when there is none or it expired.</summary>
    ValueTask<CachedAnswer?> GetAsync(string workspaceId, string hash, CancellationToken cancellationToken);

    /// <summary>
    /// Queues an answer for storing (never blocks the request; a full queue drops it and counts the drop). With
    /// <paramref name="refresh"/> every front door's local copy of the same key is dropped too.
    /// <paramref name="vector"/>, when given, goes to the answer's <see cref="CachedAnswer.SemanticPartition"/>.
    /// </summary>
    void Store(CachedAnswer answer, bool refresh, ReadOnlyMemory<float> vector = default);

    /// <summary>Counts one lookup's outcome for the statistics (batched; never blocks).</summary>
    void Count(string workspaceId, string @namespace, CacheOutcome outcome);

    /// <summary>The nearest earlier request in the partition at or above <paramref name="threshold"/>, best first (at most <paramref name="limit"/>).</summary>
    Task<IReadOnlyList<SemanticMatch>> FindSimilarAsync(string workspaceId, string partition, ReadOnlyMemory<float> vector, float threshold, int limit, CancellationToken cancellationToken);

    /// <summary>Statistics per namespace, for one workspace or (null) every workspace.</summary>
    Task<IReadOnlyList<CacheStatistics>> StatisticsAsync(string? workspaceId, CancellationToken cancellationToken);

    /// <summary>Deletes the matching entries (and their vectors) everywhere, front doors' local copies included; returns how many.</summary>
    Task<long> InvalidateAsync(CacheInvalidation what, CancellationToken cancellationToken);

    /// <summary>Waits until every queued store has reached the grains (tests, graceful shutdown).</summary>
    Task FlushAsync(CancellationToken cancellationToken);
}
