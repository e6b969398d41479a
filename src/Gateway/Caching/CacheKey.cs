using System.Buffers;
using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Switchyard.Gateway.Caching;

/// <summary>
/// What makes two requests the same answer: the workspace (always, so no entry is ever shared across tenants), the
/// cache namespace, the operation, the target as routing resolved it (provider, URL, model after overrides), and the
/// body as the provider is sent it, canonicalised (<see cref="CanonicalJson"/>). Metadata counts only when the config
/// asks for it.
/// </summary>
/// <param name="WorkspaceId">The caller's workspace; keyless calls on the embedded default have one implicit workspace.</param>
/// <param name="Namespace"><c>x-portkey-cache-namespace</c>; empty for the default partition.</param>
/// <param name="Operation">The endpoint's operation (<c>chat/completions</c>, <c>embeddings</c>, …).</param>
/// <param name="Provider">The provider's slug.</param>
/// <param name="Url">The URL the provider is called at: a custom host or another region is another answer.</param>
/// <param name="Model">The model the provider is sent, after overrides and routing.</param>
internal sealed record CacheKey(string WorkspaceId, string Namespace, string Operation, string Provider, string Url, string Model)
{
    /// <summary>
    /// Body fields that change how the answer is delivered, not what it says: a JSON answer can serve a stream request
    /// and a stream a JSON one.
    /// </summary>
    public static readonly FrozenSet<string> DeliveryFields = new[] { "stream", "stream_options" }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>
    /// The entry's hash: SHA-256 over every part, each length-prefixed so no two different sets of parts can run into
    /// the same bytes, as lower-case hex.
    /// </summary>
    /// <param name="body">The body the provider is sent, in its wire format.</param>
    /// <param name="metadata">The call's metadata, when the config makes it part of the key; null otherwise.</param>
    /// <exception cref="JsonException">the body is not JSON.</exception>
    public string Hash(ReadOnlyMemory<byte> body, JsonElement? metadata = null)
    {
        var buffer = new ArrayBufferWriter<byte>(body.Length + 256);
        Append(buffer, "switchyard-cache-v1");
        Append(buffer, WorkspaceId);
        Append(buffer, Namespace);
        Append(buffer, Operation);
        Append(buffer, Provider);
        Append(buffer, Url);
        Append(buffer, Model);
        Append(buffer, CanonicalJson.Write(body, DeliveryFields));
        Append(buffer, metadata is { } meta ? CanonicalJson.Write(Encoding.UTF8.GetBytes(meta.GetRawText())) : []);
        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }

    private static void Append(ArrayBufferWriter<byte> buffer, string part) => Append(buffer, Encoding.UTF8.GetBytes(part));

    private static void Append(ArrayBufferWriter<byte> buffer, ReadOnlySpan<byte> part)
    {
        Span<byte> length = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, part.Length);
        buffer.Write(length);
        buffer.Write(part);
    }
}
