using System.Net;
using System.Text.Json;
using Switchyard.FrontDoor.Tests.Admin;

namespace Switchyard.FrontDoor.Tests.Observability;

/// <summary>The analytics graphs, groups and cache summary: totals equal the records appended, per workspace.</summary>
public sealed class AnalyticsApiTests(ObservabilityFixture fixture) : IClassFixture<ObservabilityFixture>
{
    private async Task<JsonElement> GraphAsync(AdminCalls key, string name, string extra = "") =>
        (await key.Get($"/v1/analytics/graphs/{name}?{fixture.Range}{extra}")).Ok();

    private static JsonElement Summary(JsonElement graph) => graph.GetProperty("summary");

    [Fact]
    public async Task Requests_TotalsEqualTheRecordsAppended_PerWorkspace()
    {
        var a = await GraphAsync(fixture.KeyA, "requests");
        var b = await GraphAsync(fixture.KeyB, "requests");
        var all = await GraphAsync(fixture.Admin, "requests");

        Assert.Equal("analytics-graph", a.Str("object"));
        Assert.Equal(fixture.RecordsA.Count, Summary(a).GetProperty("total").GetInt64());
        Assert.Equal(fixture.RecordsB.Count, Summary(b).GetProperty("total").GetInt64());
        Assert.True(Summary(all).GetProperty("total").GetInt64() >= fixture.RecordsA.Count + fixture.RecordsB.Count);

        // Three hours: minute buckets, every one present, the sum of points equal to the summary.
        var points = a.GetProperty("data_points").EnumerateArray().ToArray();
        Assert.Equal(180, points.Length);
        Assert.Equal(fixture.Base.AddHours(-1), points[0].GetProperty("timestamp").GetDateTimeOffset());
        Assert.Equal(fixture.RecordsA.Count, points.Sum(p => p.GetProperty("total").GetInt64()));
        Assert.Equal(1, points.Single(p => p.GetProperty("timestamp").GetDateTimeOffset() == fixture.Base.AddMinutes(65)).GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task CostTokensErrorsLatency_Summaries_AreExact()
    {
        var cost = Summary(await GraphAsync(fixture.KeyA, "cost"));
        Assert.Equal(350.0, cost.GetProperty("total").GetDouble());
        Assert.Equal(70.0, cost.GetProperty("avg").GetDouble());
        Assert.Equal(65, Summary(await GraphAsync(fixture.KeyA, "tokens")).GetProperty("total").GetInt64());
        Assert.Equal(2, Summary(await GraphAsync(fixture.KeyA, "errors")).GetProperty("total").GetInt64());
        Assert.Equal(40.0, Summary(await GraphAsync(fixture.KeyA, "errors/rate")).GetProperty("rate").GetDouble());
        Assert.Equal(
            Summary(await GraphAsync(fixture.KeyA, "errors/rate")).GetRawText(),
            Summary(await GraphAsync(fixture.KeyA, "errors-rate")).GetRawText());
        var latency = Summary(await GraphAsync(fixture.KeyA, "latency"));
        Assert.Equal(94.4, latency.GetProperty("avg").GetDouble());
        var p50 = latency.GetProperty("p50").GetDouble();
        Assert.InRange(p50, 50 / 1.12, 50 * 1.12);
    }

    [Fact]
    public async Task ErrorGraphs_GroupByStatus()
    {
        var codes = await GraphAsync(fixture.KeyA, "errors/status-codes");
        Assert.Equal(2, Summary(codes).GetProperty("total_errors").GetInt64());
        Assert.Equal(2, Summary(codes).GetProperty("unique_error_codes").GetInt32());
        Assert.Equal("""[{"status_code":429,"count":1},{"status_code":500,"count":1}]""", codes.GetProperty("data_points").GetRawText());
        Assert.Equal(codes.GetRawText(), (await GraphAsync(fixture.KeyA, "errors-status-code")).GetRawText());

        var stacks = await GraphAsync(fixture.KeyA, "errors-stack");
        var withErrors = stacks.GetProperty("data_points").EnumerateArray().Where(p => p.GetProperty("stats").GetArrayLength() > 0).ToArray();
        Assert.Equal(2, withErrors.Length);
        Assert.Equal("""[{"response_status_code":429,"count":1}]""", withErrors[0].GetProperty("stats").GetRawText());
    }

    [Fact]
    public async Task CacheGraphsAndSummary_CountHitsOverLookups()
    {
        var rate = Summary(await GraphAsync(fixture.KeyA, "cache/hit-rate"));
        Assert.Equal(1, rate.GetProperty("simple_hits").GetInt64());
        Assert.Equal(2, rate.GetProperty("total").GetInt64());
        Assert.Equal(50.0, rate.GetProperty("rate").GetDouble());
        Assert.Equal(2.0, Summary(await GraphAsync(fixture.KeyA, "cache-latency")).GetProperty("avg").GetDouble());

        var summary = (await fixture.KeyA.Get($"/v1/analytics/summary/cache?{fixture.Range}")).Ok();
        Assert.Equal("analytics-summary", summary.Str("object"));
        Assert.Equal(1, summary.GetProperty("summary").GetProperty("hits").GetInt64());
        Assert.Equal(5, summary.GetProperty("summary").GetProperty("total_requests").GetInt64());
        Assert.Equal(Math.Round((300 - 2) / 300.0 * 100, 4), summary.GetProperty("summary").GetProperty("cache_speedup").GetDouble());
    }

    [Fact]
    public async Task UsersGraphs_AndRecordFilters_ReadRecords()
    {
        Assert.Equal(2, Summary(await GraphAsync(fixture.KeyA, "users")).GetProperty("total").GetInt32());
        var users = Summary(await GraphAsync(fixture.KeyA, "users/requests"));
        Assert.Equal((3, 2, 1.5), (users.GetProperty("total").GetInt32(), users.GetProperty("unique").GetInt32(), users.GetProperty("avg").GetDouble()));
        Assert.Equal(2, Summary(await GraphAsync(fixture.KeyA, "requests", "&metadata=%7B%22team%22%3A%22search%22%7D")).GetProperty("total").GetInt64());
        Assert.Equal(2, Summary(await GraphAsync(fixture.KeyA, "requests", "&trace_id=trace-a1")).GetProperty("total").GetInt64());
        Assert.Equal(1, Summary(await GraphAsync(fixture.KeyA, "requests", "&users=bob")).GetProperty("total").GetInt64());
        Assert.Equal(200.0, Summary(await GraphAsync(fixture.KeyA, "cost", "&cost_min=160")).GetProperty("total").GetDouble());
        Assert.Equal(3, Summary(await GraphAsync(fixture.KeyA, "requests", "&ai_model=gpt-4o")).GetProperty("total").GetInt64());
        Assert.Equal(1, Summary(await GraphAsync(fixture.KeyA, "requests", "&status_code=500")).GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task Groups_ModelsUsersMetadataWorkspaces()
    {
        var models = (await fixture.KeyA.Get($"/v1/analytics/groups/ai-models?{fixture.Range}")).Ok();
        Assert.Equal(3, models.GetProperty("total").GetInt32());
        Assert.Equal(("gpt-4o", 3L, "analytics-group"), (models.GetProperty("data")[0].Str("ai_model"), models.GetProperty("data")[0].GetProperty("requests").GetInt64(), models.GetProperty("data")[0].Str("object")));
        var paged = (await fixture.KeyA.Get($"/v1/analytics/groups/ai-models?{fixture.Range}&page_size=1&current_page=1")).Ok();
        Assert.Equal(1, paged.GetProperty("data").GetArrayLength());
        Assert.Equal(3, paged.GetProperty("total").GetInt32());

        var users = (await fixture.KeyA.Get($"/v1/analytics/groups/users?{fixture.Range}")).Ok();
        Assert.Equal("""[{"user":"alice","requests":2,"cost":150,"object":"analytics-group"},{"user":"bob","requests":1,"cost":200,"object":"analytics-group"}]""", users.GetProperty("data").GetRawText());

        var team = (await fixture.KeyA.Get($"/v1/analytics/groups/metadata/team?{fixture.Range}")).Ok();
        var search = team.GetProperty("data").EnumerateArray().Single(i => i.Str("metadata_value") == "search");
        Assert.Equal((2L, 150.0, 7.5), (search.GetProperty("requests").GetInt64(), search.GetProperty("cost").GetDouble(), search.GetProperty("avg_tokens").GetDouble()));

        var workspaces = (await fixture.KeyA.Get($"/v1/analytics/groups/workspaces?{fixture.Range}")).Ok();
        Assert.Equal([fixture.WorkspaceA], workspaces.GetProperty("data").EnumerateArray().Select(i => i.Str("workspace_id")));
        var byStatus = (await fixture.KeyB.Get($"/v1/analytics/groups/status_code?{fixture.Range}")).Ok();
        Assert.Equal(200, byStatus.GetProperty("data")[0].GetProperty("status_code").GetInt32());
        Assert.Equal(2, byStatus.GetProperty("data")[0].GetProperty("requests").GetInt64());
    }

    [Fact]
    public async Task BadQuestions_Are4xx()
    {
        var missing = (await fixture.KeyA.Get("/v1/analytics/graphs/requests")).Failure(HttpStatusCode.BadRequest, "AB01");
        Assert.Equal(
            ["time_of_generation_min: is required (an ISO 8601 date-time)", "time_of_generation_max: is required (an ISO 8601 date-time)"],
            missing.GetProperty("errors").EnumerateArray().Select(e => e.GetString()));
        (await fixture.KeyA.Get($"/v1/analytics/graphs/nonsense?{fixture.Range}")).Failure(HttpStatusCode.NotFound, "AB08");
        (await fixture.KeyA.Get($"/v1/analytics/groups/colour?{fixture.Range}")).Failure(HttpStatusCode.BadRequest, "AB01");
        (await fixture.KeyA.Get($"/v1/analytics/graphs/requests?{fixture.Range}&workspace_slug={fixture.WorkspaceB}")).Failure(HttpStatusCode.Forbidden, "AB03");
    }
}
