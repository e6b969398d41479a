using System.Buffers.Binary;
using System.Text;
using Switchyard.FakeProvider.Faults;
using Switchyard.FakeProvider.Hosting;

namespace Switchyard.FakeProvider.Bedrock;

/// <summary>
/// A <c>converse-stream</c> response in the AWS event stream's binary framing, applying the stream
/// faults as <see cref="Transport.SseStream"/> does for SSE: the handler calls
/// <see cref="PassCheckpointAsync"/> before each word and after the last. <c>malformed-after</c>
/// sends a message whose checksum is wrong, the binary framing's way of being broken.
/// </summary>
internal sealed class EventStreamReply(HttpContext context, FakeExchange exchange, FaultPlan faults)
{
    public const string ContentType = "application/vnd.amazon.eventstream";

    /// <summary>Bedrock pads each event with a <c>p</c> field so payload sizes do not leak the text; clients must ignore it.</summary>
    public const string Padding = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ";

    private bool _anyEventSent;
    private bool _malformedSent;

    public async Task StartAsync()
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        await response.StartAsync(exchange.Cancellation);
    }

    public Task WriteEventAsync(string eventType, ReadOnlyMemory<byte> json) => WriteAsync(Frame(eventType, json.Span, corrupt: false));

    /// <returns>False when a fault ended the stream; the caller must write nothing more.</returns>
    public async Task<bool> PassCheckpointAsync(int wordsSent, bool wordsFinished)
    {
        if (!_malformedSent && faults.MalformedAfter is int malformedAfter && (wordsSent >= malformedAfter || wordsFinished))
        {
            _malformedSent = true;
            await WriteAsync(Frame("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":"broken"}}"""u8, corrupt: true));
        }

        if (faults.StallAfter is int stallAfter && (wordsSent >= stallAfter || wordsFinished))
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(faults.StallMs), exchange.Time, exchange.Cancellation);
            }
            catch (OperationCanceledException)
            {
                // The client left or the fake is stopping: abort below all the same.
            }

            Abort();
            return false;
        }

        if (faults.CutAfter is int cutAfter && (wordsSent >= cutAfter || wordsFinished))
        {
            Abort();
            return false;
        }

        return true;
    }

    /// <summary>One message: prelude (lengths and their CRC32), string headers, payload, CRC32 of all before it.</summary>
    public static byte[] Frame(string eventType, ReadOnlySpan<byte> payload, bool corrupt)
    {
        var headers = new MemoryStream();
        foreach (var (name, value) in (ReadOnlySpan<(string, string)>)[(":event-type", eventType), (":content-type", "application/json"), (":message-type", "event")])
        {
            var nameBytes = Encoding.UTF8.GetBytes(name);
            var valueBytes = Encoding.UTF8.GetBytes(value);
            headers.WriteByte((byte)nameBytes.Length);
            headers.Write(nameBytes);
            headers.WriteByte(7); // string
            headers.WriteByte((byte)(valueBytes.Length >> 8));
            headers.WriteByte((byte)valueBytes.Length);
            headers.Write(valueBytes);
        }

        var total = 16 + (int)headers.Length + payload.Length;
        var frame = new byte[total];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)total);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), (uint)headers.Length);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(8), Crc32(frame.AsSpan(0, 8)));
        headers.ToArray().CopyTo(frame, 12);
        payload.CopyTo(frame.AsSpan(12 + (int)headers.Length));
        var crc = Crc32(frame.AsSpan(0, total - 4));
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(total - 4), corrupt ? ~crc : crc);
        return frame;
    }

    /// <summary>CRC-32 (IEEE, as zlib), bit by bit: the fake favours obviousness over speed.</summary>
    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }

    private async Task WriteAsync(byte[] frame)
    {
        if (_anyEventSent && faults.ChunkDelayMs > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(faults.ChunkDelayMs), exchange.Time, exchange.Cancellation);
        }

        _anyEventSent = true;

        // One flush per message, so pacing and time to first token are visible to the client.
        await context.Response.Body.WriteAsync(frame, exchange.Cancellation);
        await context.Response.Body.FlushAsync(exchange.Cancellation);
    }

    private void Abort()
    {
        exchange.Slot.MarkAborted();
        context.Abort();
    }
}
