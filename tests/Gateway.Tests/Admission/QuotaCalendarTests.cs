using Switchyard.Gateway.Admission;
using Switchyard.State;

namespace Switchyard.Gateway.Tests.Admission;

public sealed class QuotaCalendarTests
{
    private static UsageLimits Budget(BudgetPeriod period, string zone = "UTC") => new(10m, null, period, zone, [], Hard: true);

    [Theory]
    [InlineData(BudgetPeriod.Daily, "2026-11-22T13:45:00Z", "2026-11-22T00:00:00Z", "2026-11-23T00:00:00Z")]
    [InlineData(BudgetPeriod.Weekly, "2026-11-22T13:45:00Z", "2026-11-22T00:00:00Z", "2026-11-29T00:00:00Z")] // a Sunday
    [InlineData(BudgetPeriod.Weekly, "2026-11-28T23:59:59Z", "2026-11-22T00:00:00Z", "2026-11-29T00:00:00Z")] // the Saturday after
    [InlineData(BudgetPeriod.Monthly, "2026-11-30T23:59:59Z", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z")]
    [InlineData(BudgetPeriod.Monthly, "2026-12-31T12:00:00Z", "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z")]
    [InlineData(BudgetPeriod.Daily, "2026-12-01T02:00:00+05:00", "2026-11-30T00:00:00Z", "2026-12-01T00:00:00Z")] // a clock ahead of UTC: still UTC's day
    [InlineData(BudgetPeriod.Monthly, "2026-11-30T20:00:00-05:00", "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z")] // behind UTC: already December there
    public void BudgetPeriod_Utc_IsCalendarAligned(BudgetPeriod period, string now, string start, string end)
    {
        var (s, e) = QuotaCalendar.BudgetPeriod(Budget(period), DateTimeOffset.Parse(now));

        Assert.Equal(DateTimeOffset.Parse(start), s);
        Assert.Equal(DateTimeOffset.Parse(end), e);
    }

    [Fact]
    public void BudgetPeriod_None_StartsAtEpochAndNeverEnds()
    {
        var (s, e) = QuotaCalendar.BudgetPeriod(Budget(BudgetPeriod.None), DateTimeOffset.Parse("2026-11-22T13:45:00Z"));

        Assert.Equal(DateTimeOffset.UnixEpoch, s);
        Assert.Null(e);
    }

    [Fact]
    public void BudgetPeriod_DailyInNewYorkAcrossDaylightSaving_FollowsLocalMidnight()
    {
        // 2026-11-01 is the day New York leaves daylight saving: the day is 25 hours long.
        var (s, e) = QuotaCalendar.BudgetPeriod(Budget(BudgetPeriod.Daily, "America/New_York"), DateTimeOffset.Parse("2026-11-01T12:00:00Z"));

        Assert.Equal(DateTimeOffset.Parse("2026-11-01T04:00:00Z"), s);
        Assert.Equal(DateTimeOffset.Parse("2026-11-02T05:00:00Z"), e);
    }

    [Fact]
    public void BudgetPeriod_MonthlyInTokyo_ResetsAtTokyoMidnight()
    {
        var (s, e) = QuotaCalendar.BudgetPeriod(Budget(BudgetPeriod.Monthly, "Asia/Tokyo"), DateTimeOffset.Parse("2026-11-30T16:00:00Z"));

        // 16:00 UTC on the 30th is already 1 December in Tokyo.
        Assert.Equal(DateTimeOffset.Parse("2026-11-30T15:00:00Z"), s);
        Assert.Equal(DateTimeOffset.Parse("2026-12-31T15:00:00Z"), e);
    }

    [Fact]
    public void BudgetPeriod_LocalMidnightThatDoesNotExist_StartsAtTheFirstLocalTimeThatDoes()
    {
        // Santiago springs forward at 00:00 on 2026-09-06: local midnight is skipped, the day starts at 01:00 (-03).
        var (s, _) = QuotaCalendar.BudgetPeriod(Budget(BudgetPeriod.Daily, "America/Santiago"), DateTimeOffset.Parse("2026-09-06T12:00:00Z"));

        Assert.Equal(DateTimeOffset.Parse("2026-09-06T04:00:00Z"), s);
    }

    [Fact]
    public void BudgetPeriod_UnknownZone_FallsBackToUtc()
    {
        var (s, _) = QuotaCalendar.BudgetPeriod(Budget(BudgetPeriod.Daily, "Mars/Olympus_Mons"), DateTimeOffset.Parse("2026-11-22T13:45:00Z"));

        Assert.Equal(DateTimeOffset.Parse("2026-11-22T00:00:00Z"), s);
    }

    [Theory]
    [InlineData(RateLimitUnit.PerMinute, "2026-11-22T13:45:59.999Z", "2026-11-22T13:45:00Z", "2026-11-22T13:46:00Z")]
    [InlineData(RateLimitUnit.PerMinute, "2026-11-22T13:46:00Z", "2026-11-22T13:46:00Z", "2026-11-22T13:47:00Z")]
    [InlineData(RateLimitUnit.PerHour, "2026-11-22T13:45:10Z", "2026-11-22T13:00:00Z", "2026-11-22T14:00:00Z")]
    [InlineData(RateLimitUnit.PerDay, "2026-11-22T23:59:59Z", "2026-11-22T00:00:00Z", "2026-11-23T00:00:00Z")]
    public void RateWindow_IsAFixedUtcWindow(RateLimitUnit unit, string now, string start, string end)
    {
        var (s, e) = QuotaCalendar.RateWindow(unit, DateTimeOffset.Parse(now));

        Assert.Equal(DateTimeOffset.Parse(start), s);
        Assert.Equal(DateTimeOffset.Parse(end), e);
    }
}
