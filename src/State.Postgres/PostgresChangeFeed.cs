using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Switchyard.State.Postgres;

/// <summary>
/// LISTENs on <see cref="ChangeNotice.Channel"/> on a connection of its own. A dropped connection (a restarted server,
/// a terminated backend, a network cut caught by the liveness check) is reopened with back-off, and every (re)connect
/// is reported as "changes may have been missed" so the caller reloads in full: no notice is lost for good.
/// </summary>
internal sealed partial class PostgresChangeFeed(NpgsqlDataSource dataSource, TimeProvider time, ILogger? logger = null) : IChangeFeed
{
    /// <summary>How long a quiet connection waits before proving it is still alive with a round trip.</summary>
    public static readonly TimeSpan LivenessInterval = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    /// <summary>Returns when <paramref name="cancellationToken"/> fires.</summary>
    public async Task ListenAsync(Func<StateChange?, Task> onChange, CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await ListenOnceAsync(onChange, () => backoff = TimeSpan.FromMilliseconds(100), cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                LogDropped(_logger, backoff.TotalMilliseconds, ex);
                try
                {
                    await Task.Delay(backoff, time, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

    private async Task ListenOnceAsync(Func<StateChange?, Task> onChange, Action connected, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var received = new List<string>();
        connection.Notification += (_, e) => received.Add(e.Payload);
        await using (var listen = new NpgsqlCommand($"LISTEN {ChangeNotice.Channel}", connection))
        {
            await listen.ExecuteNonQueryAsync(cancellationToken);
        }

        connected();
        LogListening(_logger);

        // Listening from here on: whatever changed before now is picked up by a full reload.
        await onChange(null);
        while (true)
        {
            if (!await WaitForNoticeAsync(connection, LivenessInterval, cancellationToken))
            {
                await using var ping = new NpgsqlCommand("SELECT 1", connection);
                await ping.ExecuteScalarAsync(cancellationToken);
            }

            // One notice is reported as itself; a burst that arrived together as one "reload everything".
            if (received.Count == 1)
            {
                await onChange(ChangeNotice.TryParse(received[0], out var notice) ? new StateChange(notice!.Kind, notice.WorkspaceId, notice.Id) : null);
            }
            else if (received.Count > 1)
            {
                await onChange(null);
            }

            received.Clear();
        }
    }

    /// <summary>
    /// Waits on the listening connection for a notice, for at most <paramref name="atMost"/>; true when one arrived, false
    /// when the time ran out.
    /// </summary>
    internal static Task<bool> WaitForNoticeAsync(NpgsqlConnection connection, TimeSpan atMost, CancellationToken cancellationToken) =>
        connection.WaitAsync(WaitMilliseconds(atMost), cancellationToken);

    /// <summary>
    /// Npgsql's <c>WaitAsync</c> takes whole milliseconds and reads 0 as "wait forever", so a wait of less than a
    /// millisecond (a poll that is almost due) would block until the next notice, which may never come: waits are
    /// rounded up to at least one millisecond.
    /// </summary>
    internal static int WaitMilliseconds(TimeSpan atMost) =>
        (int)Math.Clamp(Math.Ceiling(atMost.TotalMilliseconds), 1, int.MaxValue);

    [LoggerMessage(Level = LogLevel.Information, Message = "Listening for state changes")]
    private static partial void LogListening(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The state change listener lost its connection; reconnecting in {DelayMs} ms")]
    private static partial void LogDropped(ILogger logger, double delayMs, Exception exception);
}
