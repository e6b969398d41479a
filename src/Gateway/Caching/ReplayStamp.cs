using System.Globalization;
using System.Text;
using System.Text.Json;
using Switchyard.Providers;

namespace Switchyard.Gateway.Caching;

/// <summary>
/// The identity a replayed answer goes out with: a new <c>id</c> and <c>created</c> (unix seconds), the same on every
/// chunk of a replayed stream, so a client never sees two answers with one id.
/// </summary>
internal readonly record struct ReplayStamp(string Id, long Created)
{
    /// <summary>A fresh stamp: an id in the operation's OpenAI style (<c>chatcmpl-…</c>, <c>cmpl-…</c>) and the clock's now.</summary>
    public static ReplayStamp New(ApiOperation operation, TimeProvider time) => new(
        (operation == ApiOperation.Completions ? "cmpl-" : "chatcmpl-") + Guid.NewGuid().ToString("N"),
        time.GetUtcNow().ToUnixTimeSeconds());

    /// <summary>
    /// A stored answer or chunk with this stamp's <c>id</c> and <c>created</c> and its <c>usage</c> marked as served from
    /// cache (<see cref="CachedUsage"/>), every other byte as stored.
    /// </summary>
    /// <param name="addIdentity">Whether <c>id</c> and <c>created</c> are added when absent (completions) or only replaced where present (embedding lists have none).</param>
    /// <exception cref="JsonException">the bytes are not a JSON object.</exception>
    public byte[] Apply(ReadOnlySpan<byte> json, bool addIdentity)
    {
        var id = JsonEncoded(Id);
        var created = Encoding.ASCII.GetBytes(Created.ToString(CultureInfo.InvariantCulture));
        return JsonMembers.Set(json, [
            new("id", current => addIdentity || !current.IsEmpty ? id : null),
            new("created", current => addIdentity || !current.IsEmpty ? created : null),
            new("usage", current => current.IsEmpty ? null : CachedUsage.Mark(current)),
        ]);
    }

    private static byte[] JsonEncoded(string text) => [.. "\""u8, .. JsonEncodedText.Encode(text).EncodedUtf8Bytes, .. "\""u8];
}
