namespace Switchyard.State.Embedded;

/// <summary>
/// Instants in the request log's file: integer microseconds since 1970-01-01 UTC, the precision PostgreSQL keeps (finer
/// ticks are truncated). Smaller than <see cref="StoredTime"/>'s text and compared as integers, which matters at a
/// million rows; read back at UTC.
/// </summary>
internal static class LogTime
{
    public const long MicrosPerDay = 86_400_000_000;

    public static long Write(DateTimeOffset value) => (value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    public static long? Write(DateTimeOffset? value) => value is { } v ? Write(v) : null;

    public static DateTimeOffset Read(long micros) => new(DateTimeOffset.UnixEpoch.UtcTicks + (micros * 10), TimeSpan.Zero);

    public static DateTimeOffset? Read(long? micros) => micros is { } m ? Read(m) : null;
}
