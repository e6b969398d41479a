using Npgsql;

namespace Switchyard.State.Postgres;

/// <summary>
/// Waiting on a listening connection for a notice, for at most a while. Npgsql's <c>WaitAsync</c> takes whole
/// milliseconds and reads 0 as "wait forever", so a wait of less than a millisecond (a poll that is almost due) would
/// block until the next notice, which may never come. Waits are rounded up to at least one millisecond.
/// </summary>
internal static class NotificationWait
{
    /// <summary>True when a notice arrived, false when the time ran out.</summary>
    public static Task<bool> ForAsync(NpgsqlConnection connection, TimeSpan atMost, CancellationToken cancellationToken) =>
        connection.WaitAsync(Milliseconds(atMost), cancellationToken);

    public static int Milliseconds(TimeSpan atMost) =>
        (int)Math.Clamp(Math.Ceiling(atMost.TotalMilliseconds), 1, int.MaxValue);
}
