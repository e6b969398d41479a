namespace Switchyard.Gateway.Caching;

/// <summary>
/// A replayed answer's <c>usage</c>: the provider's counts as they were, with every prompt token reported as read from
/// a cache (<c>prompt_tokens_details.cached_tokens</c> = <c>prompt_tokens</c>, the details' other fields kept), which is
/// how OpenAI's shape says that the prompt cost nothing new. The Anthropic dialect turns it into
/// <c>cache_read_input_tokens</c>.
/// </summary>
internal static class CachedUsage
{
    /// <summary>The usage object marked as served from cache; null when it is not an object with a numeric <c>prompt_tokens</c>.</summary>
    public static byte[]? Mark(ReadOnlySpan<byte> usage)
    {
        var prompt = JsonMembers.Get(usage, "prompt_tokens"u8);
        if (prompt.IsEmpty || prompt[0] is not ((byte)'-' or (>= (byte)'0' and <= (byte)'9')))
        {
            return null;
        }

        var cached = prompt.ToArray();
        return JsonMembers.Set(usage, [new("prompt_tokens_details", details => Details(details, cached))]);
    }

    private static byte[]? Details(ReadOnlySpan<byte> details, byte[] cached)
    {
        if (details.IsEmpty || details.SequenceEqual("null"u8))
        {
            return [.. "{\"cached_tokens\":"u8, .. cached, .. "}"u8];
        }

        return details[0] == (byte)'{' ? JsonMembers.Set(details, [new("cached_tokens", _ => cached)]) : null;
    }
}
