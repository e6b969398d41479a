using System.Globalization;

namespace Switchyard.State.Embedded;

/// <summary>
/// Instants as fixed-width ISO 8601 text at UTC with microseconds (<c>2026-11-22T12:00:00.000000Z</c>): readable in
/// the sqlite3 shell, ordered correctly by plain text comparison, and the same precision PostgreSQL keeps.
/// Finer ticks are truncated.
/// </summary>
internal static class StoredTime
{
    private const string Format = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    public static string Write(DateTimeOffset value) => value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

    public static string? Write(DateTimeOffset? value) => value is { } v ? Write(v) : null;

    public static DateTimeOffset Read(string value) =>
        DateTimeOffset.ParseExact(value, Format, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    public static DateTimeOffset? ReadOptional(string? value) => value is null ? null : Read(value);
}
