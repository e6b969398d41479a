using System.Text;
using System.Text.Json;

namespace Switchyard.Gateway.Caching;

/// <summary>
/// The fast way to give a stored stream's chunks a hit's fresh <c>id</c> and <c>created</c>: every chunk of one stream
/// carries the same two values, so they are found once, in the first chunk, and replaced byte for byte in each. An
/// unescaped <c>"id":"…"</c> can only be a property (a quote inside a JSON string is escaped), so the replacement cannot
/// touch content. A chunk where either is not found exactly once, written with other spacing, or that carries usage
/// (which is rewritten too) goes the general way, <see cref="ReplayStamp.Apply"/>.
/// </summary>
internal sealed class ChunkRestamp
{
    private readonly byte[] _oldId;
    private readonly byte[] _newId;
    private readonly byte[] _oldCreated;
    private readonly byte[] _newCreated;

    private ChunkRestamp(byte[] oldId, byte[] newId, byte[] oldCreated, byte[] newCreated)
    {
        _oldId = oldId;
        _newId = newId;
        _oldCreated = oldCreated;
        _newCreated = newCreated;
    }

    /// <summary>The restamp for a stream whose first chunk is <paramref name="first"/>; null when it has no string id and numeric created.</summary>
    public static ChunkRestamp? For(ReadOnlySpan<byte> first, ReplayStamp stamp)
    {
        try
        {
            var reader = new Utf8JsonReader(first);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("created", out var created) || created.ValueKind != JsonValueKind.Number)
            {
                return null;
            }

            return new ChunkRestamp(
                Token("\"id\":", id.GetRawText()),
                Token("\"id\":", JsonSerializer.Serialize(stamp.Id)),
                Token("\"created\":", created.GetRawText()),
                Token("\"created\":", stamp.Created.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The chunk with the new id and created; null when it must go the general way.</summary>
    public byte[]? TryApply(ReadOnlySpan<byte> chunk)
    {
        if (chunk.IndexOf("\"usage\":{"u8) >= 0 || chunk.IndexOf("\"usage\": {"u8) >= 0)
        {
            return null;
        }

        var id = Once(chunk, _oldId);
        var created = Once(chunk, _oldCreated);
        if (id < 0 || created < 0 || !Ends(chunk, created + _oldCreated.Length))
        {
            return null;
        }

        var (first, firstOld, firstNew, second, secondOld, secondNew) = id < created
            ? (id, _oldId, _newId, created, _oldCreated, _newCreated)
            : (created, _oldCreated, _newCreated, id, _oldId, _newId);
        var result = new byte[chunk.Length - firstOld.Length + firstNew.Length - secondOld.Length + secondNew.Length];
        var written = 0;
        Copy(chunk[..first]);
        Copy(firstNew);
        Copy(chunk[(first + firstOld.Length)..second]);
        Copy(secondNew);
        Copy(chunk[(second + secondOld.Length)..]);
        return result;

        void Copy(ReadOnlySpan<byte> part)
        {
            part.CopyTo(result.AsSpan(written));
            written += part.Length;
        }
    }

    private static byte[] Token(string name, string value) => Encoding.UTF8.GetBytes(name + value);

    /// <summary>Where <paramref name="token"/> stands in <paramref name="chunk"/> if it stands there exactly once; -1 otherwise.</summary>
    private static int Once(ReadOnlySpan<byte> chunk, ReadOnlySpan<byte> token)
    {
        var at = chunk.IndexOf(token);
        return at >= 0 && chunk[(at + 1)..].IndexOf(token) < 0 ? at : -1;
    }

    /// <summary>A number ends where a comma, a brace or whitespace follows (so <c>17</c> is not replaced inside <c>170</c>).</summary>
    private static bool Ends(ReadOnlySpan<byte> chunk, int at) =>
        at < chunk.Length && chunk[at] is (byte)',' or (byte)'}' or (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t';
}
