using Switchyard.State;

namespace Switchyard.Gateway.Caching;

/// <summary>A cache hit, ready to write: the entry, and its answer as OpenAI JSON or as OpenAI chunks (<c>[DONE]</c> last) with a fresh id.</summary>
internal sealed record CachedReply(CachedAnswer Entry, byte[]? Json, IReadOnlyList<byte[]>? Chunks);
