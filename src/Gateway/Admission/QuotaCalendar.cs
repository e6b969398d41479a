using Switchyard.State;

namespace Switchyard.Gateway.Admission;

/// <summary>
/// Where budget periods and rate-limit windows start and end. Budget periods are calendar periods in the budget's time
/// zone (daily from local midnight, weekly from Sunday 00:00 as Portkey does, monthly from the 1st), so "monthly in
/// Europe/Berlin" resets at Berlin's midnight whatever daylight saving does. Rate-limit windows are fixed UTC minutes,
/// hours and days: a limit of N per minute admits exactly N in each clock minute.
/// </summary>
internal static class QuotaCalendar
{
    /// <summary>The window of a budget without a period: it starts at the epoch and never ends.</summary>
    public static readonly DateTimeOffset Forever = DateTimeOffset.UnixEpoch;

    public static (DateTimeOffset Start, DateTimeOffset? End) BudgetPeriod(UsageLimits usage, DateTimeOffset now)
    {
        if (usage.Period == State.BudgetPeriod.None)
        {
            return (Forever, null);
        }

        var zone = Zone(usage.TimeZone);
        var utc = zone == TimeZoneInfo.Utc; // the common case, and no zone rules to consult
        var local = utc ? now.UtcDateTime : TimeZoneInfo.ConvertTime(now, zone).DateTime;
        var (start, next) = usage.Period switch
        {
            State.BudgetPeriod.Daily => (local.Date, local.Date.AddDays(1)),
            State.BudgetPeriod.Weekly => (local.Date.AddDays(-(int)local.DayOfWeek), local.Date.AddDays(7 - (int)local.DayOfWeek)),
            _ => (new DateTime(local.Year, local.Month, 1), new DateTime(local.Year, local.Month, 1).AddMonths(1)),
        };
        return utc
            ? (new DateTimeOffset(start.Ticks, TimeSpan.Zero), new DateTimeOffset(next.Ticks, TimeSpan.Zero))
            : (ToInstant(start, zone), ToInstant(next, zone));
    }

    public static (DateTimeOffset Start, DateTimeOffset End) RateWindow(RateLimitUnit unit, DateTimeOffset now)
    {
        var utc = now.ToUniversalTime();
        var length = Length(unit);
        var start = new DateTimeOffset(utc.Ticks - (utc.Ticks % length.Ticks), TimeSpan.Zero);
        return (start, start + length);
    }

    public static TimeSpan Length(RateLimitUnit unit) => unit switch
    {
        RateLimitUnit.PerHour => TimeSpan.FromHours(1),
        RateLimitUnit.PerDay => TimeSpan.FromDays(1),
        _ => TimeSpan.FromMinutes(1),
    };

    /// <summary>The time zone a budget names; an id the machine does not know falls back to UTC (the admin API refuses unknown ids on save).</summary>
    public static TimeZoneInfo Zone(string? id) =>
        string.IsNullOrEmpty(id) || id is "UTC" or "Etc/UTC" ? TimeZoneInfo.Utc
        : TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;

    /// <summary>
    /// The instant a local wall-clock time names. Some zones move their clocks at midnight, so a local midnight may not
    /// exist (the period then starts at the first local time that does) or may happen twice (the first one counts).
    /// </summary>
    private static DateTimeOffset ToInstant(DateTime local, TimeZoneInfo zone)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(15);
        }

        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }
}
