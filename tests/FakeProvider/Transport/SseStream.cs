using System.Buffers;
using Switchyard.FakeProvider.Faults;
using Switchyard.FakeProvider.Hosting;

namespace Switchyard.FakeProvider.Transport;

/// <summary>
/// A server-sent events response that applies the stream faults. The wire format writes its
/// events and calls <see cref="PassCheckpointAsync"/> before each word and after the last;
/// the faults are counted in words because that is what a test can predict from the reply.
/// Formats that name their events (Anthropic's <c>event: message_start</c>) use <see cref="WriteNamedAsync"/> and may name
/// the broken event too, so a client that skips unnamed events still meets it.
/// </summary>
internal sealed class SseStream(HttpContext context, FakeExchange exchange, FaultPlan faults, ReadOnlyMemory<byte> brokenData, string? brokenEventName = null)
{
    public const string ContentType = "text/event-stream; charset=utf-8";

    private static readonly ReadOnlyMemory<byte> EventPrefix = "event: "u8.ToArray();
    private static readonly ReadOnlyMemory<byte> DataPrefix = "data: "u8.ToArray();
    private static readonly ReadOnlyMemory<byte> EventEnd = "\n\n"u8.ToArray();

    private bool _anyEventSent;
    private bool _malformedSent;

    public async Task StartAsync()
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-cache";
        await response.StartAsync(exchange.Cancellation);
    }

    public Task WriteDataAsync(ReadOnlyMemory<byte> data) => WriteEventAsync(null, data);

    /// <summary>Writes <c>event: name</c> and <c>data: …</c> as one event.</summary>
    public Task WriteNamedAsync(string name, ReadOnlyMemory<byte> data) => WriteEventAsync(name, data);

    /// <summary>
    /// Fires the stream faults that are due once <paramref name="wordsSent"/> words went out.
    /// When the reply has fewer words than a fault's count, the fault fires after the last word
    /// anyway, so a test that asks for a broken stream always gets one.
    /// </summary>
    /// <returns>False when a fault ended the stream; the caller must write nothing more.</returns>
    public async Task<bool> PassCheckpointAsync(int wordsSent, bool wordsFinished)
    {
        if (!_malformedSent && faults.MalformedAfter is int malformedAfter && (wordsSent >= malformedAfter || wordsFinished))
        {
            _malformedSent = true;
            await WriteEventAsync(brokenEventName, brokenData);
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

    private async Task WriteEventAsync(string? name, ReadOnlyMemory<byte> data)
    {
        if (_anyEventSent && faults.ChunkDelayMs > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(faults.ChunkDelayMs), exchange.Time, exchange.Cancellation);
        }

        _anyEventSent = true;
        var writer = context.Response.BodyWriter;
        if (name is not null)
        {
            writer.Write(EventPrefix.Span);
            writer.Write(System.Text.Encoding.UTF8.GetBytes(name));
            writer.Write("\n"u8);
        }

        writer.Write(DataPrefix.Span);
        writer.Write(data.Span);
        writer.Write(EventEnd.Span);

        // One flush per event: clients measure time to first token and chunk pacing, which
        // buffering would hide.
        await writer.FlushAsync(exchange.Cancellation);
    }

    private void Abort()
    {
        // Marked here rather than left to RequestAborted, which Kestrel fires on another thread,
        // so the journal says Aborted before the client can observe the reset.
        exchange.Slot.MarkAborted();
        context.Abort();
    }
}
