using System.Buffers;
using System.Buffers.Binary;

namespace Switchyard.Gateway.Caching;

/// <summary>
/// How a streamed answer is stored (<c>CachedAnswerShape.Stream</c>): its OpenAI chunk payloads in order, <c>[DONE]</c>
/// left out, as one byte array. A format byte comes first, then each chunk as a 4-byte big-endian length and its bytes,
/// so a chunk may hold any bytes at all and decoding gives back exactly what was encoded.
/// </summary>
internal static class CachedChunks
{
    /// <summary>The first byte of every encoding; another value is a format this build does not read.</summary>
    public const byte Format = 1;

    private const int LengthSize = sizeof(int);

    /// <summary>The chunks as one stored body.</summary>
    public static byte[] Encode(IReadOnlyList<byte[]> chunks)
    {
        var size = 1L;
        foreach (var chunk in chunks)
        {
            size += LengthSize + chunk.Length;
        }

        var output = new ArrayBufferWriter<byte>((int)Math.Min(size, Array.MaxLength));
        Begin(output);
        foreach (var chunk in chunks)
        {
            Append(output, chunk);
        }

        return output.WrittenSpan.ToArray();
    }

    /// <summary>Starts an encoding in <paramref name="output"/>, for a caller that appends chunks as they arrive.</summary>
    public static void Begin(IBufferWriter<byte> output)
    {
        output.GetSpan(1)[0] = Format;
        output.Advance(1);
    }

    /// <summary>Appends one chunk to an encoding that <see cref="Begin"/> started.</summary>
    public static void Append(IBufferWriter<byte> output, ReadOnlySpan<byte> chunk)
    {
        BinaryPrimitives.WriteInt32BigEndian(output.GetSpan(LengthSize), chunk.Length);
        output.Advance(LengthSize);
        output.Write(chunk);
    }

    /// <summary>The chunks of a stored body, in order.</summary>
    /// <exception cref="InvalidDataException">the body is not an encoding of this format (empty, another format byte, or cut short).</exception>
    public static IReadOnlyList<byte[]> Decode(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty || body[0] != Format)
        {
            throw new InvalidDataException(body.IsEmpty ? "A stored stream is empty." : $"A stored stream has format {body[0]}; this build reads format {Format}.");
        }

        var chunks = new List<byte[]>();
        var rest = body[1..];
        while (!rest.IsEmpty)
        {
            if (rest.Length < LengthSize)
            {
                throw new InvalidDataException("A stored stream ends inside a chunk's length.");
            }

            var length = BinaryPrimitives.ReadInt32BigEndian(rest);
            rest = rest[LengthSize..];
            if (length < 0 || length > rest.Length)
            {
                throw new InvalidDataException($"A stored stream's chunk claims {length} bytes where {rest.Length} remain.");
            }

            chunks.Add(rest[..length].ToArray());
            rest = rest[length..];
        }

        return chunks;
    }
}
