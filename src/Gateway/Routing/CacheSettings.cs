namespace Switchyard.Gateway.Routing;

/// <summary>A node's <c>cache</c>, taken whole from the nearest node that has one (a target's wins over its parents').</summary>
/// <param name="Mode"><c>simple</c> (exact key) or <c>semantic</c> (exact key, then similar text).</param>
/// <param name="MaxAgeSeconds">Entry lifetime in seconds (Portkey's docs and hosted gateway use seconds; its open-source gateway reads milliseconds); null for the gateway's default.</param>
/// <param name="SimilarityThreshold"><c>similarity_threshold</c>: the cosine similarity a semantic hit needs; null for the embedding model's default.</param>
/// <param name="MaxMessages"><c>max_messages</c>: the longest conversation the semantic cache considers; null for the default.</param>
/// <param name="KeyMetadata"><c>key_metadata</c>: the request's metadata is part of the key, so calls with other metadata never share an entry.</param>
/// <param name="Embedding"><c>embedding</c>: the embeddings target the semantic cache calls (routed like any target) instead of the local model; null for the local model.</param>
public sealed record CacheSettings(
    string Mode, int? MaxAgeSeconds, double? SimilarityThreshold = null, int? MaxMessages = null, bool KeyMetadata = false, ConfigNode? Embedding = null)
{
    public bool Semantic => Mode == "semantic";
}
