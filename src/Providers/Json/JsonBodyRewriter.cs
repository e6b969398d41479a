using System.Buffers;
using System.Text.Json;

namespace Switchyard.Providers.Json;

/// <summary>
/// Sets top-level fields of a JSON object body while leaving every other byte as the client sent it:
/// the properties being replaced are cut out and the new values are appended before the closing brace.
/// </summary>
internal static class JsonBodyRewriter
{
    /// <summary>Returns the body with each field set to its raw JSON value (later entries win), or the body itself when there is nothing to set.</summary>
    public static ReadOnlyMemory<byte> SetFields(ReadOnlyMemory<byte> body, IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>> fields)
    {
        if (fields.Count == 0)
        {
            return body;
        }

        var span = body.Span;
        var cut = new List<(int Start, int End)>();
        var reader = new Utf8JsonReader(span);
        reader.Read();
        var lastValueEnd = (int)reader.BytesConsumed; // just after '{'
        var closing = -1;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == 0)
            {
                closing = (int)reader.TokenStartIndex;
                break;
            }

            var replaced = IsSet(ref reader, fields);
            reader.Read();
            reader.Skip();
            var valueEnd = (int)reader.BytesConsumed;
            if (replaced)
            {
                // Cut from the end of the previous member (its trailing comma included) to the end of this value.
                cut.Add((lastValueEnd, valueEnd));
            }

            lastValueEnd = valueEnd;
        }

        var output = new ArrayBufferWriter<byte>(body.Length + 64);
        var position = 0;
        var wroteMember = false;
        foreach (var (start, end) in cut)
        {
            AppendMembers(output, span[position..start], ref wroteMember);
            position = end;
        }

        AppendMembers(output, span[position..closing], ref wroteMember);

        for (var i = 0; i < fields.Count; i++)
        {
            var (name, value) = (fields[i].Key, fields[i].Value);
            if (LastIndexOf(fields, name) != i)
            {
                continue;
            }

            Write(output, wroteMember ? ","u8 : "{"u8);
            wroteMember = true;
            Write(output, "\""u8);
            Write(output, JsonEncodedText.Encode(name).EncodedUtf8Bytes);
            Write(output, "\":"u8);
            Write(output, value.Span);
        }

        Write(output, wroteMember ? "}"u8 : "{}"u8);
        return output.WrittenMemory;
    }

    /// <summary>Copies the kept members between cuts, re-joining them with the comma that a cut may have taken.</summary>
    private static void AppendMembers(ArrayBufferWriter<byte> output, ReadOnlySpan<byte> segment, ref bool wroteMember)
    {
        if (!wroteMember)
        {
            // The segment starts with '{' (first segment) or with ',' (after a cut): normalise to '{'.
            var trimmed = segment.TrimStart(" \t\r\n"u8);
            if (trimmed.Length > 0 && (trimmed[0] == (byte)'{' || trimmed[0] == (byte)','))
            {
                trimmed = trimmed[1..];
            }

            if (trimmed.Trim(" \t\r\n"u8).Length == 0)
            {
                return;
            }

            Write(output, "{"u8);
            Write(output, trimmed);
            wroteMember = true;
            return;
        }

        if (segment.Trim(" \t\r\n"u8).Length == 0)
        {
            return;
        }

        Write(output, segment);
    }

    private static bool IsSet(ref Utf8JsonReader reader, IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>> fields)
    {
        for (var i = 0; i < fields.Count; i++)
        {
            if (reader.ValueTextEquals(fields[i].Key))
            {
                return true;
            }
        }

        return false;
    }

    private static int LastIndexOf(IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>> fields, string name)
    {
        for (var i = fields.Count - 1; i >= 0; i--)
        {
            if (fields[i].Key == name)
            {
                return i;
            }
        }

        return -1;
    }

    private static void Write(ArrayBufferWriter<byte> output, ReadOnlySpan<byte> bytes) => output.Write(bytes);
}
