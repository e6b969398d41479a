using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Switchyard.State;

namespace Switchyard.Gateway.Logging;

/// <summary>
/// The bounded queue between calls and the request log's writer. A call never waits on it: when it is full the record
/// is dropped and counted. Its counters are for metrics (<see cref="Enqueued"/>, <see cref="Dropped"/>,
/// <see cref="Written"/>, <see cref="WriteFailures"/>, <see cref="Depth"/>).
/// </summary>
public sealed class RequestLogQueue : Telemetry.ILogQueueGauge
{
    private readonly Channel<LoggedCall> _channel;
    private long _enqueued;
    private long _dropped;
    private long _written;
    private long _writeFailures;
    private long _bodiesShed;
    private long _heldBodyBytes;
    private readonly long _maxHeldBodyBytes;

    internal RequestLogQueue(IOptions<RequestLogOptions> options)
    {
        _maxHeldBodyBytes = options.Value.MaxQueuedBodyBytes;
        // Wait mode, so that TryWrite says false when full (the drop modes would drop silently, uncounted).
        _channel = Channel.CreateBounded<LoggedCall>(new BoundedChannelOptions(options.Value.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
        });
    }

    /// <summary>A store is there to write to; without one (a host that registered none) calls are not logged at all.</summary>
    internal bool Open { get; init; } = true;

    /// <summary>Records accepted since start.</summary>
    public long Enqueued => Interlocked.Read(ref _enqueued);

    /// <summary>Records dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Records the store accepted.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Batches the store refused (each is retried).</summary>
    public long WriteFailures => Interlocked.Read(ref _writeFailures);

    /// <summary>Records queued without their bodies because the queued bodies were at <see cref="RequestLogOptions.MaxQueuedBodyBytes"/>.</summary>
    public long BodiesShed => Interlocked.Read(ref _bodiesShed);

    /// <summary>Bytes of bodies the queued records hold.</summary>
    public long HeldBodyBytes => Interlocked.Read(ref _heldBodyBytes);

    /// <summary>Records waiting to be written.</summary>
    public int Depth => _channel.Reader.Count;

    long Telemetry.ILogQueueGauge.Depth => Depth;

    /// <summary>Queues a finished record as it is, with no bodies to hold; false when the queue was full and it was dropped.</summary>
    internal bool TryEnqueue(RequestLogRecord record) => TryEnqueue(new LoggedCall(record));

    internal bool TryEnqueue(LoggedCall call)
    {
        // Bodies are held by reference until the writer takes them: past the budget the record goes without them.
        var bytes = call.BodyBytes;
        if (bytes > 0)
        {
            if (Interlocked.Add(ref _heldBodyBytes, bytes) > _maxHeldBodyBytes)
            {
                Interlocked.Add(ref _heldBodyBytes, -bytes);
                Interlocked.Increment(ref _bodiesShed);
                call = call.WithoutBodies();
            }
            else
            {
                call.Weight = bytes;
            }
        }

        if (_channel.Writer.TryWrite(call))
        {
            Interlocked.Increment(ref _enqueued);
            return true;
        }

        Taken(call);
        Interlocked.Increment(ref _dropped);
        return false;
    }

    /// <summary>The writer has taken <paramref name="call"/> off the queue: its bodies no longer count against the budget.</summary>
    internal void Taken(LoggedCall call)
    {
        if (call.Weight > 0)
        {
            Interlocked.Add(ref _heldBodyBytes, -call.Weight);
            call.Weight = 0;
        }
    }

    internal ChannelReader<LoggedCall> Reader => _channel.Reader;

    internal void CountWritten(int records) => Interlocked.Add(ref _written, records);

    internal void CountWriteFailure() => Interlocked.Increment(ref _writeFailures);
}
