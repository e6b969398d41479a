using System.Buffers;
using System.Text.Json;

namespace Switchyard.Gateway.Caching;

/// <summary>
/// A new raw JSON value for a member, from its current one (empty when the member is absent); null leaves the member as
/// it is (or absent).
/// </summary>
internal delegate byte[]? MemberValue(ReadOnlySpan<byte> current);

/// <summary>One member of an object to rewrite.</summary>
/// <param name="Name">The member's name (a plain name; it is compared and written unescaped).</param>
/// <param name="Value">Its new value.</param>
internal readonly record struct MemberEdit(string Name, MemberValue Value);

/// <summary>
/// Rewrites members of a JSON object where they stand: each edited value is replaced in place (every occurrence of a
/// name written twice), a member that is absent is appended before the closing brace, and every other byte stays as it
/// was, so a stored answer goes out as the provider wrote it but for the fields a replay must change.
/// </summary>
internal static class JsonMembers
{
    public const int MaxDepth = 256;

    /// <exception cref="JsonException">the bytes are not a JSON object.</exception>
    public static byte[] Set(ReadOnlySpan<byte> json, ReadOnlySpan<MemberEdit> edits)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("Expected a JSON object.");
        }

        var output = new ArrayBufferWriter<byte>(json.Length + 64);
        Span<bool> seen = stackalloc bool[edits.Length];
        var copied = 0;
        var members = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            members++;
            var edit = IndexOf(ref reader, edits);
            reader.Read();
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            var end = (int)reader.BytesConsumed;
            if (edit < 0)
            {
                continue;
            }

            seen[edit] = true;
            if (edits[edit].Value(json[start..end]) is { } value)
            {
                output.Write(json[copied..start]);
                output.Write(value);
                copied = end;
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            throw new JsonException("Expected the end of a JSON object.");
        }

        var closing = (int)reader.TokenStartIndex;
        output.Write(json[copied..closing]);
        for (var i = 0; i < edits.Length; i++)
        {
            if (seen[i] || edits[i].Value(default) is not { } added)
            {
                continue;
            }

            output.Write(members++ > 0 ? ","u8 : ""u8);
            output.Write("\""u8);
            output.Write(JsonEncodedText.Encode(edits[i].Name).EncodedUtf8Bytes);
            output.Write("\":"u8);
            output.Write(added);
        }

        output.Write(json[closing..]);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>The raw value of the top-level member <paramref name="name"/>; empty when absent or when the bytes are not an object.</summary>
    public static ReadOnlySpan<byte> Get(ReadOnlySpan<byte> json, ReadOnlySpan<byte> name)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return default;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var found = reader.ValueTextEquals(name);
            reader.Read();
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            if (found)
            {
                return json[start..(int)reader.BytesConsumed];
            }
        }

        return default;
    }

    private static int IndexOf(ref Utf8JsonReader reader, ReadOnlySpan<MemberEdit> edits)
    {
        for (var i = 0; i < edits.Length; i++)
        {
            if (reader.ValueTextEquals(edits[i].Name))
            {
                return i;
            }
        }

        return -1;
    }
}
