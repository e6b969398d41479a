using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Switchyard.Providers.Streaming;

namespace Switchyard.Providers.Bedrock;

/// <summary>
/// Reads the AWS event stream (<c>application/vnd.amazon.eventstream</c>), the binary framing of Bedrock's
/// <c>converse-stream</c>: each message is a 12-byte prelude (total length, headers length, CRC32 of the first 8 bytes),
/// typed headers, the payload and a CRC32 of everything before it. Both checksums are verified.
/// </summary>
/// <remarks>
/// An event (<c>:message-type</c> <c>event</c>) becomes a <see cref="StreamEvent"/> named by its <c>:event-type</c>
/// header, with the payload as data. An exception (<c>:message-type</c> <c>exception</c>) is named
/// <see cref="ExceptionPrefix"/> + its <c>:exception-type</c>, with the payload (<c>{"message":…}</c>) as data; a
/// protocol error (<c>:message-type</c> <c>error</c>) is named <see cref="ExceptionPrefix"/> + its <c>:error-code</c>,
/// with <c>{"message":&lt;:error-message&gt;}</c> as data. Event types never contain a colon, so the names cannot clash;
/// the translator decides what an exception means.
/// </remarks>
internal sealed class AwsEventStreamReader : IEventStreamReader
{
    /// <summary>Name prefix of exception and error messages.</summary>
    public const string ExceptionPrefix = "exception:";

    /// <summary>AWS caps a payload at 16 MiB and headers at 128 KiB; anything larger is a broken upstream.</summary>
    public const int MaxMessageBytes = (16 * 1024 * 1024) + (128 * 1024) + 16;

    private const int PreludeBytes = 12;
    private const int MinimumMessageBytes = 16;

    private readonly PipeReader _reader;

    public AwsEventStreamReader(Stream stream)
    {
        _reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, minimumReadSize: 4096));
    }

    /// <summary>The next message, or null when the upstream ended cleanly between messages.</summary>
    /// <exception cref="StreamProtocolException">a checksum does not match, a length is impossible, or the stream ended inside a message.</exception>
    public async ValueTask<StreamEvent?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await _reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (TryReadMessage(buffer, out var message, out var totalLength))
            {
                // Later messages may already be buffered: consume this one only, so the next read returns at once.
                _reader.AdvanceTo(buffer.GetPosition(totalLength));
                return message;
            }

            if (result.IsCompleted)
            {
                _reader.AdvanceTo(buffer.End);
                if (buffer.Length > 0)
                {
                    throw new StreamProtocolException("the upstream event stream ended in the middle of a message");
                }

                return null;
            }

            _reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    public ValueTask DisposeAsync() => _reader.CompleteAsync();

    private static bool TryReadMessage(ReadOnlySequence<byte> buffer, out StreamEvent? message, out int totalLength)
    {
        message = null;
        totalLength = 0;
        if (buffer.Length < PreludeBytes)
        {
            return false;
        }

        Span<byte> prelude = stackalloc byte[PreludeBytes];
        buffer.Slice(0, PreludeBytes).CopyTo(prelude);
        var total = BinaryPrimitives.ReadUInt32BigEndian(prelude);
        var headersLength = BinaryPrimitives.ReadUInt32BigEndian(prelude[4..]);
        if (Crc32.Compute(prelude[..8]) != BinaryPrimitives.ReadUInt32BigEndian(prelude[8..]))
        {
            throw new StreamProtocolException("an upstream event stream message failed its prelude checksum");
        }

        if (total < MinimumMessageBytes || total > MaxMessageBytes || headersLength > total - MinimumMessageBytes)
        {
            throw new StreamProtocolException($"an upstream event stream message has an impossible length ({total} bytes, {headersLength} of headers)");
        }

        totalLength = (int)total;
        if (buffer.Length < totalLength)
        {
            return false;
        }

        var bytes = buffer.Slice(0, totalLength).ToArray();
        var crcAt = totalLength - 4;
        if (Crc32.Compute(bytes.AsSpan(0, crcAt)) != BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(crcAt)))
        {
            throw new StreamProtocolException("an upstream event stream message failed its checksum");
        }

        var headers = ReadHeaders(bytes.AsSpan(PreludeBytes, (int)headersLength));
        var payload = bytes.AsSpan(PreludeBytes + (int)headersLength, crcAt - PreludeBytes - (int)headersLength).ToArray();
        message = ToEvent(headers, payload);
        return true;
    }

    private static StreamEvent ToEvent(Dictionary<string, string> headers, byte[] payload)
    {
        var messageType = headers.GetValueOrDefault(":message-type", "event");
        switch (messageType)
        {
            case "event":
                return new StreamEvent(headers.GetValueOrDefault(":event-type"), payload);
            case "exception":
                return new StreamEvent(ExceptionPrefix + headers.GetValueOrDefault(":exception-type", "exception"), payload);
            case "error":
                var error = new ArrayBufferWriter<byte>(128);
                using (var writer = new Utf8JsonWriter(error))
                {
                    writer.WriteStartObject();
                    writer.WriteString("message", headers.GetValueOrDefault(":error-message", "the upstream reported an error"));
                    writer.WriteEndObject();
                }

                return new StreamEvent(ExceptionPrefix + headers.GetValueOrDefault(":error-code", "error"), error.WrittenSpan.ToArray());
            default:
                throw new StreamProtocolException($"an upstream event stream message has an unknown :message-type '{messageType}'");
        }
    }

    /// <summary>String headers by name; values of the other types are skipped (no Bedrock event needs them).</summary>
    private static Dictionary<string, string> ReadHeaders(ReadOnlySpan<byte> span)
    {
        var headers = new Dictionary<string, string>(4, StringComparer.Ordinal);
        while (span.Length > 0)
        {
            var nameLength = span[0];
            if (span.Length < 1 + nameLength + 1)
            {
                throw BrokenHeaders();
            }

            var name = Encoding.UTF8.GetString(span.Slice(1, nameLength));
            var type = span[1 + nameLength];
            span = span[(2 + nameLength)..];
            var valueLength = type switch
            {
                0 or 1 => 0,
                2 => 1,
                3 => 2,
                4 => 4,
                5 or 8 => 8,
                9 => 16,
                6 or 7 => span.Length >= 2 ? 2 + BinaryPrimitives.ReadUInt16BigEndian(span) : throw BrokenHeaders(),
                _ => throw new StreamProtocolException($"an upstream event stream header '{name}' has an unknown type {type}"),
            };
            if (span.Length < valueLength)
            {
                throw BrokenHeaders();
            }

            if (type == 7)
            {
                headers[name] = Encoding.UTF8.GetString(span[2..valueLength]);
            }

            span = span[valueLength..];
        }

        return headers;
    }

    private static StreamProtocolException BrokenHeaders() => new("an upstream event stream message has headers that overrun their length");
}

/// <summary>CRC-32 (IEEE 802.3, the zlib one), which the AWS event stream uses for both of its checksums.</summary>
internal static class Crc32
{
    private static readonly uint[] Table = BuildTable();

    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>Continues a checksum over more data: <c>Append(Compute(a), b) == Compute(a + b)</c>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        crc = ~crc;
        foreach (var b in data)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var entry = i;
            for (var bit = 0; bit < 8; bit++)
            {
                entry = (entry & 1) != 0 ? 0xEDB88320 ^ (entry >> 1) : entry >> 1;
            }

            table[i] = entry;
        }

        return table;
    }
}
