using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchyard.State;

namespace Switchyard.Gateway.Logging;

/// <summary>
/// Writes queued records to the <see cref="IRequestLogStore"/> in batches: up to <see cref="RequestLogOptions.BatchSize"/>
/// at once, or what has come within <see cref="RequestLogOptions.FlushInterval"/> of the batch's first record. A batch
/// the store refuses is retried, with back-off, as it was (the store skips ids it already holds, so nothing counts
/// twice). On shutdown it writes what is still queued, within the host's shutdown timeout.
/// </summary>
internal sealed partial class RequestLogWriter(
    RequestLogQueue queue, IRequestLogStore store, IOptions<RequestLogOptions> options, TimeProvider time, ILogger<RequestLogWriter> logger)
    : BackgroundService
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LongestRetryDelay = TimeSpan.FromSeconds(30);

    private readonly RequestLogOptions _options = options.Value;

    /// <summary>The batch being filled or written; what a stop finds in it is written by the drain.</summary>
    private readonly List<RequestLogRecord> _batch = new(Math.Min(options.Value.BatchSize, 4096));

    /// <summary>Stops the loop, then writes what is still queued, until the host's shutdown timeout (<paramref name="cancellationToken"/>) is spent.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (ExecuteTask is { IsCompleted: false })
        {
            return; // the timeout was spent waiting for a write to give up: nothing left to drain with
        }

        await DrainAsync(_batch, cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await queue.Reader.WaitToReadAsync(stoppingToken))
            {
                await FillAsync(_batch, stoppingToken);
                await WriteAsync(_batch, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StopAsync drains.
        }
    }

    /// <summary>Takes what is queued into the batch, waiting up to the flush interval for it to fill.</summary>
    private async Task FillAsync(List<RequestLogRecord> batch, CancellationToken stoppingToken)
    {
        Take(batch);
        if (batch.Count >= _options.BatchSize)
        {
            return;
        }

        using var interval = new CancellationTokenSource(_options.FlushInterval, time);
        using var flush = CancellationTokenSource.CreateLinkedTokenSource(interval.Token, stoppingToken);
        try
        {
            while (batch.Count < _options.BatchSize && await queue.Reader.WaitToReadAsync(flush.Token))
            {
                Take(batch);
            }
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            // The flush interval is up: write what came.
        }
    }

    private void Take(List<RequestLogRecord> batch)
    {
        while (batch.Count < _options.BatchSize && queue.Reader.TryRead(out var call))
        {
            queue.Taken(call);
            batch.Add(call.Complete(_options.MaxBodyBytes));
        }
    }

    /// <summary>Writes the batch, retrying it until the store takes it or <paramref name="cancellationToken"/> fires.</summary>
    private async Task WriteAsync(List<RequestLogRecord> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        var delay = FirstRetryDelay;
        while (true)
        {
            try
            {
                await store.AppendAsync(batch, cancellationToken);
                queue.CountWritten(batch.Count);
                batch.Clear();
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // The exception's type and message only: never the records, which may hold bodies.
                queue.CountWriteFailure();
                LogWriteFailed(logger, batch.Count, ex.GetType().Name, ex.Message, delay.TotalMilliseconds);
            }

            await Task.Delay(delay, time, cancellationToken);
            delay = delay * 2 > LongestRetryDelay ? LongestRetryDelay : delay * 2;
        }
    }

    /// <summary>Everything still queued (and a batch cut short), written before the host's shutdown timeout is spent.</summary>
    private async Task DrainAsync(List<RequestLogRecord> batch, CancellationToken cancellationToken)
    {
        try
        {
            do
            {
                Take(batch);
                await WriteAsync(batch, cancellationToken);
            }
            while (queue.Reader.Count > 0);
        }
        catch (OperationCanceledException)
        {
            LogDrainCut(logger, batch.Count + queue.Reader.Count);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request log: the store refused a batch of {Count} records ({ErrorType}: {Problem}); retrying in {DelayMs} ms")]
    private static partial void LogWriteFailed(ILogger logger, int count, string errorType, string problem, double delayMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request log: shutdown timeout reached with {Count} records unwritten; they are lost")]
    private static partial void LogDrainCut(ILogger logger, int count);
}
