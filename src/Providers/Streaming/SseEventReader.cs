using System.Buffers;
using System.IO.Pipelines;
using System.Text;

namespace Switchyard.Providers.Streaming;

/// <summary>
/// Reads server-sent events from an upstream body, one event at a time, as the bytes arrive.
/// Lines may end in LF or CRLF; comments are skipped; an event ends at a blank line.
/// </summary>
public sealed class SseEventReader : IEventStreamReader
{
    /// <summary>One event larger than this is a broken upstream, not a reason to grow without bound.</summary>
    public const int MaxEventBytes = 16 * 1024 * 1024;

    private readonly PipeReader _reader;
    private readonly ArrayBufferWriter<byte> _data = new(4096);
    private string? _name;
    private bool _hasData;

    public SseEventReader(Stream stream)
    {
        _reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, minimumReadSize: 4096));
    }

    /// <summary>The next event, or null when the upstream ended cleanly between events.</summary>
    /// <exception cref="StreamProtocolException">the upstream ended in the middle of an event, or an event is too large.</exception>
    public async ValueTask<StreamEvent?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await _reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            var consumed = buffer.Start;
            var examinedAll = true;
            try
            {
                while (TryReadLine(ref buffer, out var line))
                {
                    consumed = buffer.Start;
                    if (Dispatch(line) is { } sseEvent)
                    {
                        // More complete lines may already be buffered: don't mark them examined, or the next read would wait for new bytes.
                        examinedAll = false;
                        return sseEvent;
                    }
                }

                if (buffer.Length > MaxEventBytes || _data.WrittenCount > MaxEventBytes)
                {
                    throw new StreamProtocolException($"an upstream stream event exceeded {MaxEventBytes} bytes");
                }

                if (result.IsCompleted)
                {
                    if (_hasData || _name is not null || buffer.Length > 0)
                    {
                        throw new StreamProtocolException("the upstream stream ended in the middle of an event");
                    }

                    return null;
                }
            }
            finally
            {
                if (examinedAll)
                {
                    _reader.AdvanceTo(consumed, buffer.End);
                }
                else
                {
                    _reader.AdvanceTo(consumed);
                }
            }
        }
    }

    private static bool TryReadLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        var newline = buffer.PositionOf((byte)'\n');
        if (newline is null)
        {
            line = default;
            return false;
        }

        line = buffer.Slice(0, newline.Value);
        buffer = buffer.Slice(buffer.GetPosition(1, newline.Value));
        if (line.Length > 0 && line.Slice(line.Length - 1).FirstSpan[0] == (byte)'\r')
        {
            line = line.Slice(0, line.Length - 1);
        }

        return true;
    }

    private StreamEvent? Dispatch(ReadOnlySequence<byte> line)
    {
        if (line.IsEmpty)
        {
            if (!_hasData)
            {
                _name = null;
                return null;
            }

            var sseEvent = new StreamEvent(_name, _data.WrittenSpan.ToArray());
            _data.ResetWrittenCount();
            _hasData = false;
            _name = null;
            return sseEvent;
        }

        var span = line.IsSingleSegment ? line.FirstSpan : line.ToArray();
        if (span[0] == (byte)':')
        {
            return null;
        }

        var colon = span.IndexOf((byte)':');
        var field = colon < 0 ? span : span[..colon];
        var value = colon < 0 ? [] : span[(colon + 1)..];
        if (value.Length > 0 && value[0] == (byte)' ')
        {
            value = value[1..];
        }

        if (field.SequenceEqual("data"u8))
        {
            if (_hasData)
            {
                _data.Write("\n"u8);
            }

            _data.Write(value);
            _hasData = true;
        }
        else if (field.SequenceEqual("event"u8))
        {
            _name = Encoding.UTF8.GetString(value);
        }

        // id: and retry: are not relayed: the gateway is the client's event source now.
        return null;
    }

    public ValueTask DisposeAsync() => _reader.CompleteAsync();
}
