using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchyard.State;

namespace Switchyard.Gateway.Logging;

/// <summary>
/// Drops expired request-log records and old rollup buckets (<see cref="IRequestLogStore.ApplyRetentionAsync"/>) every
/// <see cref="RequestLogOptions.RetentionInterval"/>; the first pass a minute after start, so start-up stays quick.
/// </summary>
internal sealed partial class LogRetention(IRequestLogStore store, IOptions<RequestLogOptions> options, TimeProvider time, ILogger<LogRetention> logger)
    : BackgroundService
{
    public static readonly TimeSpan FirstPassDelay = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.RetentionInterval;
        try
        {
            await Task.Delay(FirstPassDelay, time, stoppingToken);
            while (true)
            {
                await PassAsync(stoppingToken);
                await Task.Delay(interval, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One retention pass; a failure is logged and the next pass tries again.</summary>
    internal async Task<LogRetentionResult?> PassAsync(CancellationToken cancellationToken)
    {
        try
        {
            var result = await store.ApplyRetentionAsync(time.GetUtcNow(), cancellationToken);
            if (result.RecordsDropped > 0 || result.PartitionsDropped > 0 || result.RollupRowsDropped > 0)
            {
                LogDropped(logger, result.RecordsDropped, result.PartitionsDropped, result.RollupRowsDropped);
            }

            return result;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogFailed(logger, ex.GetType().Name, ex.Message);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Request log retention dropped {Records} records, {Partitions} partitions and {RollupRows} rollup rows")]
    private static partial void LogDropped(ILogger logger, long records, int partitions, long rollupRows);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request log retention failed ({ErrorType}: {Problem}); the next pass tries again")]
    private static partial void LogFailed(ILogger logger, string errorType, string problem);
}
