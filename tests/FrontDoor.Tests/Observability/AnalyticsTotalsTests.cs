using Switchyard.FrontDoor.Observability;
using Switchyard.State;

namespace Switchyard.FrontDoor.Tests.Observability;

public sealed class AnalyticsTotalsTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 10, 17, 30, TimeSpan.Zero);

    [Theory]
    [InlineData(6 * 60, RollupGrain.Minute)]
    [InlineData(6 * 60 + 1, RollupGrain.Hour)]
    [InlineData(14 * 24 * 60, RollupGrain.Hour)]
    [InlineData(14 * 24 * 60 + 1, RollupGrain.Day)]
    public void GrainFor_Range_PicksTheGrain(int minutes, RollupGrain grain) =>
        Assert.Equal(grain, AnalyticsTotals.GrainFor(Start, Start.AddMinutes(minutes)));

    [Fact]
    public void Align_PartialBuckets_CoverWholeBuckets()
    {
        var (from, to) = AnalyticsTotals.Align(Start, Start.AddHours(2), RollupGrain.Hour);

        Assert.Equal(new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero), from);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 13, 0, 0, TimeSpan.Zero), to);
        Assert.Equal(3, AnalyticsTotals.Buckets(from, to, RollupGrain.Hour).Count());
    }

    [Fact]
    public void Aggregate_Records_TotalsByBucketAndDimension()
    {
        RequestLogRecord[] records =
        [
            Record(Start, "m1", 200, 100, 10),
            Record(Start.AddMinutes(1), "m1", 500, 0, 30),
            Record(Start.AddHours(1), "m2", 200, 50, 20) with { RetryCount = 1 },
        ];
        var query = new RollupQuery { From = Start.AddMinutes(-17.5), To = Start.AddHours(2), Grain = RollupGrain.Hour, GroupBy = [RollupDimension.Model] };

        var rows = AnalyticsTotals.Aggregate(records, query);

        Assert.Equal(2, rows.Count);
        Assert.Equal(("m1", 2L, 1L, 100L, 40.0), (rows[0].Model, rows[0].Requests, rows[0].Errors, rows[0].CostMicros, rows[0].LatencyMsSum));
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero), rows[0].Bucket);
        Assert.Equal(("m2", 1L, 1L), (rows[1].Model, rows[1].Requests, rows[1].RescuedByRetry));
        Assert.Equal(2, rows[0].Latency.Sum());
    }

    [Fact]
    public void RescuedByFallback_SuccessAfterAnotherTargetFailed_IsCounted()
    {
        var record = Record(Start, "m", 200, 0, 5) with
        {
            Attempts = [new LogAttempt(0, "targets[0]", "openai", "m", 503, "server_error", 1, Start), new LogAttempt(1, "targets[1]", "anthropic", "m", 200, null, 2, Start)],
        };

        Assert.True(AnalyticsTotals.RescuedByFallback(record));
        Assert.False(AnalyticsTotals.RescuedByFallback(record with { Status = 503 }));
    }

    internal static RequestLogRecord Record(DateTimeOffset at, string model, int status, long cost, double ms) => new()
    {
        Id = Guid.CreateVersion7(at).ToString("N"),
        CreatedAt = at,
        ExpiresAt = at.AddDays(30),
        WorkspaceId = "ws",
        TraceId = Guid.NewGuid().ToString(),
        SpanId = "0011223344556677",
        Endpoint = "chat.completions",
        Path = "/v1/chat/completions",
        Status = status,
        ModelUsed = model,
        CostMicros = cost,
        TotalMs = ms,
    };
}
