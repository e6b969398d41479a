using System.Buffers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchyard.Gateway.Json;
using Switchyard.Gateway.Pipeline;
using Switchyard.Gateway.Upstream;

namespace Switchyard.Gateway.Streaming;

/// <summary>
/// Relays an upstream event stream to the client event by event, flushing each, and watches it: a reset, a stall
/// longer than the idle timeout, a malformed chunk or an end without <c>[DONE]</c> ends the client's stream with an
/// error event rather than a clean close that looks complete. Usage is taken from the stream on the way through.
/// </summary>
internal sealed partial class SseRelay
{
    private static readonly byte[] Data = "data: "u8.ToArray();
    private static readonly byte[] Event = "event: "u8.ToArray();
    private static readonly byte[] UsageKey = "\"usage\""u8.ToArray();

    private readonly GatewayOptions _options;
    private readonly ILogger<SseRelay> _logger;

    public SseRelay(IOptions<GatewayOptions> options, ILogger<SseRelay> logger)
    {
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>Sends the already-read first event and then the rest; the response headers must be set by the caller.</summary>
    public async Task RelayAsync(GatewayCall call, UpstreamOutcome outcome, bool dropUsageChunk)
    {
        var response = call.Response;
        var events = outcome.Events!;
        var buffer = new ArrayBufferWriter<byte>(4096);
        await response.StartAsync(call.Aborted);

        var sawDone = false;
        string? failure = null;
        if (Forward(call, outcome.FirstEvent!, dropUsageChunk, ref sawDone, out failure))
        {
            await WriteAsync(response, buffer, outcome.FirstEvent!, call.Aborted);
        }

        using var idle = CancellationTokenSource.CreateLinkedTokenSource(call.Aborted);
        while (failure is null && !sawDone)
        {
            SseEvent? next;
            idle.CancelAfter(_options.StreamIdleTimeout);
            try
            {
                next = await events.ReadAsync(idle.Token);
            }
            catch (OperationCanceledException) when (!call.Aborted.IsCancellationRequested)
            {
                failure = $"the upstream stream stalled: no event for {_options.StreamIdleTimeout.TotalSeconds:0.###} s";
                break;
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException or SseProtocolException && !call.Aborted.IsCancellationRequested)
            {
                failure = $"the upstream stream broke off: {ex.Message}";
                break;
            }

            if (next is null)
            {
                failure = "the upstream stream ended before [DONE]";
                break;
            }

            if (Forward(call, next, dropUsageChunk, ref sawDone, out failure))
            {
                await WriteAsync(response, buffer, next, call.Aborted);
            }
        }

        if (failure is not null)
        {
            call.StreamFailure = failure;
            LogStreamFailed(_logger, call.Provider ?? "?", call.TraceId, failure);
            buffer.ResetWrittenCount();
            buffer.Write(Data);
            buffer.Write(GatewayErrors.OpenAiShape($"Stream interrupted: {failure}. The response above is incomplete.", "stream_error", "upstream_stream_interrupted"));
            buffer.Write("\n\n"u8);
            await response.WriteAsync(buffer.WrittenMemory, call.Aborted);
            await response.FlushAsync(call.Aborted);
        }
    }

    /// <summary>Decides whether an event goes to the client, recording usage and spotting the end or a broken chunk.</summary>
    private static bool Forward(GatewayCall call, SseEvent sseEvent, bool dropUsageChunk, ref bool sawDone, out string? failure)
    {
        failure = null;
        if (sseEvent.IsDone)
        {
            sawDone = true;
            return true;
        }

        if (!JsonShape.IsValid(sseEvent.Data))
        {
            failure = "the upstream sent a malformed chunk (not valid JSON)";
            return false;
        }

        if (sseEvent.Data.AsSpan().IndexOf(UsageKey) >= 0)
        {
            if (UsageReader.IsUsageOnlyChunk(sseEvent.Data, out var usage))
            {
                call.Usage = usage;
                return !dropUsageChunk;
            }

            call.Usage = UsageReader.Read(sseEvent.Data) ?? call.Usage;
        }

        return true;
    }

    private static async Task WriteAsync(IClientResponse response, ArrayBufferWriter<byte> buffer, SseEvent sseEvent, CancellationToken cancellationToken)
    {
        buffer.ResetWrittenCount();
        if (sseEvent.Name is { } name)
        {
            buffer.Write(Event);
            buffer.Write(System.Text.Encoding.UTF8.GetBytes(name));
            buffer.Write("\n"u8);
        }

        // Each line of a multi-line data field needs its own prefix.
        var data = sseEvent.Data.AsSpan();
        while (true)
        {
            var newline = data.IndexOf((byte)'\n');
            buffer.Write(Data);
            if (newline < 0)
            {
                buffer.Write(data);
                break;
            }

            buffer.Write(data[..newline]);
            buffer.Write("\n"u8);
            data = data[(newline + 1)..];
        }

        buffer.Write("\n\n"u8);
        await response.WriteAsync(buffer.WrittenMemory, cancellationToken);
        await response.FlushAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream from {Provider} failed mid-way (trace {TraceId}): {Problem}")]
    private static partial void LogStreamFailed(ILogger logger, string provider, string traceId, string problem);
}
