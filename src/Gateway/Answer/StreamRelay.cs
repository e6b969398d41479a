using System.Buffers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchyard.Gateway.Caching;
using Switchyard.Gateway.Pipeline;
using Switchyard.Gateway.Upstream;
using Switchyard.Providers;
using Switchyard.Providers.Catalog;
using Switchyard.Providers.Dialects;
using Switchyard.Providers.Streaming;

namespace Switchyard.Gateway.Answer;

/// <summary>
/// Relays an upstream stream to the client event by event, flushing each, and watches it: a reset, a stall longer
/// than the idle timeout, a malformed event, an error the provider reports in-stream, or an end before the provider's
/// terminal event ends the client's stream with an error event rather than a clean close that looks complete.
/// Every event is read through the adapter's translator into the OpenAI lingua franca, which is where usage and the
/// end are recognised; the client gets the provider's own bytes when it speaks the provider's format, else its
/// dialect's rendering of the translated chunks.
/// </summary>
internal sealed partial class StreamRelay
{
    private static readonly byte[] UsageKey = "\"usage\""u8.ToArray();

    private readonly GatewayOptions _options;
    private readonly ResponseCaching _caching;
    private readonly ILogger<StreamRelay> _logger;

    public StreamRelay(IOptions<GatewayOptions> options, ResponseCaching caching, ILogger<StreamRelay> logger)
    {
        _options = options.Value;
        _caching = caching;
        _logger = logger;
    }

    /// <summary>Sends the already-read first event and then the rest; the response headers must be set by the caller.</summary>
    public async Task RelayAsync(GatewayCall call, UpstreamRequest request, UpstreamOutcome outcome, bool dropUsageChunk)
    {
        var response = call.Response;
        var events = outcome.Events!;
        var relay = new Relay(call, request, dropUsageChunk);
        await response.StartAsync(call.Aborted);

        await relay.ForwardAsync(outcome.FirstEvent!);
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(call.Aborted);
        while (relay.Failure is null && !relay.Done)
        {
            StreamEvent? next;
            idle.CancelAfter(_options.StreamIdleTimeout);
            try
            {
                next = await events.ReadAsync(idle.Token);
            }
            catch (OperationCanceledException) when (!call.Aborted.IsCancellationRequested)
            {
                relay.Failure = $"the upstream stream stalled: no event for {_options.StreamIdleTimeout.TotalSeconds:0.###} s";
                break;
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException or StreamProtocolException && !call.Aborted.IsCancellationRequested)
            {
                relay.Failure = $"the upstream stream broke off: {ex.Message}";
                break;
            }

            if (next is null)
            {
                relay.Failure = "the upstream stream ended before its final event";
                break;
            }

            await relay.ForwardAsync(next);
        }

        if (relay.Failure is { } failure)
        {
            call.StreamFailure = failure;
            call.ErrorType = StreamError;
            call.ErrorMessage = failure;
            LogStreamFailed(_logger, call.Provider ?? "?", call.TraceId, failure);
            await relay.FailAsync($"Stream interrupted: {failure}. The response above is incomplete.");
        }
        else if (relay.Kept is { } kept)
        {
            _caching.KeepStream(call, outcome, kept);                              // only a stream that reached its end
        }
    }

    /// <summary>The error event's type, and the request log's error type, when a stream broke after it had started.</summary>
    public const string StreamError = "stream_error";

    private sealed class Relay(GatewayCall call, UpstreamRequest request, bool dropUsageChunk)
    {
        private readonly IStreamTranslator _translator = request.Adapter.CreateStreamTranslator(request.Call);
        private readonly IClientStreamWriter _writer = call.Dialect.CreateStreamWriter();
        private readonly bool _native = call.Dialect.NativeFormat == request.Adapter.Format;
        private readonly bool _passThrough = request.Adapter.Format == WireFormat.OpenAi;
        private readonly List<byte[]> _chunks = new(4);
        private readonly ArrayBufferWriter<byte> _buffer = new(4096);

        public bool Done { get; private set; }

        /// <summary>Every OpenAI chunk of the stream, the usage chunk included, when its answer is to be cached.</summary>
        public List<byte[]>? Kept { get; } = ResponseCaching.Collects(call) ? [] : null;

        /// <summary>The same chunks added up for the request log, when an observer keeps the answer.</summary>
        private readonly StreamAssembly? _answer = call.AnswerStream = call.KeepsAnswer ? new StreamAssembly(chat: call.Operation != ApiOperation.Completions) : null;

        public string? Failure { get; set; }

        public async Task ForwardAsync(StreamEvent upstream)
        {
            _chunks.Clear();
            ChunkScan? raw = null;
            try
            {
                // OpenAI-shaped providers need no translation, only the check that each chunk is JSON; the same pass
                // finds the usage (and adds the chunk to a kept answer), and the pass-through chunk below is this very
                // array, so it is not read again.
                if (_passThrough && !upstream.IsDone)
                {
                    raw = _answer?.Add(upstream.Data) ?? UsageReader.Scan(upstream.Data);
                    if (!raw.Value.IsJson)
                    {
                        throw new StreamProtocolException("the upstream sent a malformed chunk (not valid JSON)");
                    }
                }

                _translator.Translate(upstream, _chunks);
            }
            catch (StreamProtocolException ex)
            {
                Failure = ex.Message;
                return;
            }
            catch (UpstreamStreamException ex)
            {
                Failure = $"the provider reported an error: {ex.Message}";
                return;
            }
            catch (System.Text.Json.JsonException ex)
            {
                Failure = $"the upstream sent an event that could not be read: {ex.Message}";
                return;
            }

            _buffer.ResetWrittenCount();
            var forwardRaw = _native;
            foreach (var chunk in _chunks)
            {
                if (chunk.AsSpan().SequenceEqual("[DONE]"u8))
                {
                    Done = true;
                }
                else
                {
                    Kept?.Add(chunk);
                    var read = raw is { } scanned && ReferenceEquals(chunk, upstream.Data) ? scanned : _answer?.Add(chunk);
                    if (chunk.AsSpan().IndexOf(UsageKey) >= 0)
                    {
                        var scan = read ?? UsageReader.Scan(chunk);
                        if (scan.Usage is { } usage)
                        {
                            call.Usage = usage;
                            if (scan.UsageOnly && dropUsageChunk)
                            {
                                // With an OpenAI provider the raw event is this very chunk: hold it back too.
                                forwardRaw = false;
                                continue;
                            }
                        }
                    }
                }

                if (!_native)
                {
                    _writer.Write(chunk, _buffer);
                }
            }

            if (forwardRaw)
            {
                SseFormat.WriteEvent(upstream.Name, upstream.Data, _buffer);
            }

            if (_buffer.WrittenCount > 0)
            {
                call.FirstByteSent();
                await call.Response.WriteAsync(_buffer.WrittenMemory, call.Aborted);
                await call.Response.FlushAsync(call.Aborted);
            }
        }

        public async Task FailAsync(string message)
        {
            _buffer.ResetWrittenCount();
            _writer.WriteError(StreamError, message, _buffer);
            await call.Response.WriteAsync(_buffer.WrittenMemory, call.Aborted);
            await call.Response.FlushAsync(call.Aborted);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream from {Provider} failed mid-way (trace {TraceId}): {Problem}")]
    private static partial void LogStreamFailed(ILogger logger, string provider, string traceId, string problem);
}
