using System.Net;
using System.Text.Json;
using Switchyard.FrontDoor.Tests.Admin;

namespace Switchyard.FrontDoor.Tests.Observability;

/// <summary>GET /v1/logs, /v1/logs/{id}, /v1/logs/traces/{id} and POST /v1/logs against records in a real SQLite log.</summary>
public sealed class LogsApiTests(ObservabilityFixture fixture) : IClassFixture<ObservabilityFixture>
{
    private static string[] Ids(JsonElement list) => list.GetProperty("data").EnumerateArray().Select(l => l.Str("id")).ToArray();

    private string[] NewestFirst(params int[] indexes) => indexes.Select(i => fixture.RecordsA[i].Id).ToArray();

    [Fact]
    public async Task Get_ARecord_PortkeyShapeAndEveryField()
    {
        var record = fixture.RecordsA[0];

        var log = (await fixture.KeyA.Get($"/v1/logs/{record.Id}")).Ok();

        Assert.Equal(record.Id, log.Str("_id"));
        Assert.Equal(record.Id, log.Str("id"));
        Assert.Equal("log", log.Str("object"));
        Assert.Equal("/v1/chat/completions", log.GetProperty("request").Str("url"));
        Assert.Equal("find the blue whale", log.GetProperty("request").GetProperty("body").GetProperty("messages")[0].Str("content"));
        Assert.Equal(200, log.GetProperty("response").GetProperty("status").GetInt32());
        Assert.Equal("c1", log.GetProperty("response").GetProperty("body").Str("id"));
        Assert.Equal(record.CreatedAt, log.GetProperty("created_at").GetDateTimeOffset());
        var metrics = log.GetProperty("metrics");
        Assert.Equal(150.0, metrics.GetProperty("cost").GetDouble());
        Assert.Equal(1_500_000, metrics.GetProperty("cost_micros").GetInt64());
        Assert.Equal(15, metrics.GetProperty("total_tokens").GetInt32());
        Assert.Equal(100.0, metrics.GetProperty("total_ms").GetDouble());
        Assert.Equal("trace-a1", log.Str("trace_id"));
        Assert.Equal(fixture.WorkspaceA, log.Str("workspace_id"));
        Assert.Equal("gpt-4o", log.Str("model_used"));
        Assert.Equal("DISABLED", log.Str("cache_status"));
        Assert.True(log.GetProperty("is_success").GetBoolean());
        Assert.Equal("targets[0]", log.GetProperty("attempts")[0].Str("option_path"));
        Assert.Equal("search", log.GetProperty("metadata").Str("team"));
        Assert.Equal("alice", log.Str("user"));
        Assert.Equal(JsonValueKind.Array, log.GetProperty("hook_results").GetProperty("before_request_hooks").ValueKind);
        Assert.Equal("full", log.Str("bodies"));
    }

    [Fact]
    public async Task Get_AnotherWorkspacesRecord_IsNotFound()
    {
        (await fixture.KeyB.Get($"/v1/logs/{fixture.RecordsA[0].Id}")).Failure(HttpStatusCode.NotFound, "AB08");
        (await fixture.Admin.Get($"/v1/logs/{fixture.RecordsA[0].Id}?workspace_id={fixture.WorkspaceB}")).Failure(HttpStatusCode.NotFound, "AB08");
        Assert.Equal(fixture.RecordsA[0].Id, (await fixture.Admin.Get($"/v1/logs/{fixture.RecordsA[0].Id}")).Ok().Str("id"));
    }

    [Fact]
    public async Task Search_WorkspaceKey_SeesOnlyItsWorkspaceNewestFirst()
    {
        var list = (await fixture.KeyA.Get("/v1/logs")).Ok();

        Assert.Equal("list", list.Str("object"));
        Assert.Equal(5, list.GetProperty("total").GetInt64());
        Assert.Equal(NewestFirst(4, 3, 2, 1, 0), Ids(list));
        Assert.Equal(JsonValueKind.Null, list.GetProperty("next_cursor").ValueKind);
        Assert.Equal(2, (await fixture.KeyB.Get("/v1/logs")).Ok().GetProperty("total").GetInt64());
        (await fixture.KeyA.Get($"/v1/logs?workspace_id={fixture.WorkspaceB}")).Failure(HttpStatusCode.Forbidden, "AB03");
        Assert.Equal(2, (await fixture.Admin.Get($"/v1/logs?workspace_slug={fixture.WorkspaceB}")).Ok().GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task Search_Pages_FollowTheCursorToTheEnd()
    {
        var first = (await fixture.KeyA.Get("/v1/logs?page_size=2")).Ok();
        var second = (await fixture.KeyA.Get($"/v1/logs?page_size=2&cursor={first.Str("next_cursor")}")).Ok();
        var third = (await fixture.KeyA.Get($"/v1/logs?page_size=2&cursor={second.Str("next_cursor")}")).Ok();

        Assert.Equal(NewestFirst(4, 3), Ids(first));
        Assert.Equal(NewestFirst(2, 1), Ids(second));
        Assert.Equal(NewestFirst(0), Ids(third));
        Assert.Equal(JsonValueKind.Null, third.GetProperty("next_cursor").ValueKind);
        Assert.Equal(5, second.GetProperty("total").GetInt64());
    }

    [Theory]
    [InlineData("ai_model=gpt-4o", new[] { 3, 1, 0 })]
    [InlineData("model=claude-3", new[] { 2 })]
    [InlineData("provider=anthropic", new[] { 2 })]
    [InlineData("status_code=429,500", new[] { 4, 1 })]
    [InlineData("status=error", new[] { 4, 1 })]
    [InlineData("status=success", new[] { 3, 2, 0 })]
    [InlineData("trace_id=trace-a1", new[] { 1, 0 })]
    [InlineData("metadata=%7B%22team%22%3A%22search%22%7D", new[] { 3, 0 })]
    [InlineData("metadata=team%3Dads", new[] { 2 })]
    [InlineData("cache_status=hit", new[] { 3 })]
    [InlineData("cost_min=100&cost_max=160", new[] { 0 })]
    [InlineData("response_time_min=50&response_time_max=100", new[] { 4, 0 })]
    [InlineData("total_units_min=20", new[] { 2 })]
    [InlineData("q=BLUE%20WHALE", new[] { 0 })]
    [InlineData("virtual_keys=vk-anthropic", new[] { 2 })]
    [InlineData("ai_org_model=openai__gpt-4o-mini", new[] { 4 })]
    public async Task Search_Filter_MatchesExactly(string query, int[] expected)
    {
        var list = (await fixture.KeyA.Get($"/v1/logs?{query}")).Ok();

        Assert.Equal(NewestFirst(expected), Ids(list));
        Assert.Equal(expected.Length, list.GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task Search_TimeRange_IsHalfOpen()
    {
        var from = Uri.EscapeDataString(fixture.RecordsA[1].CreatedAt.ToString("O"));
        var to = Uri.EscapeDataString(fixture.RecordsA[3].CreatedAt.ToString("O"));

        Assert.Equal(NewestFirst(2, 1), Ids((await fixture.KeyA.Get($"/v1/logs?time_of_generation_min={from}&time_of_generation_max={to}")).Ok()));
        Assert.Equal(NewestFirst(2, 1), Ids((await fixture.KeyA.Get($"/v1/logs?from={from}&to={to}")).Ok()));
    }

    [Fact]
    public async Task Search_BadInput_Is400ListingEveryProblem()
    {
        var body = (await fixture.KeyA.Get("/v1/logs?page_size=9999&status_code=abc&time_of_generation_min=soon")).Failure(HttpStatusCode.BadRequest, "AB01");

        Assert.Equal(
            ["time_of_generation_min: must be an ISO 8601 date-time", "status_code: 'abc' must be an HTTP status, success or error", "page_size: must be between 1 and 500"],
            body.GetProperty("errors").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Trace_EveryRecordOldestFirst_OnlyInItsWorkspace()
    {
        var trace = (await fixture.KeyA.Get("/v1/logs/traces/trace-a1")).Ok();

        Assert.Equal("trace", trace.Str("object"));
        Assert.Equal(2, trace.GetProperty("total").GetInt32());
        Assert.Equal(NewestFirst(0, 1), Ids(trace));
        Assert.Equal(1, trace.GetProperty("data")[0].GetProperty("attempts").GetArrayLength());
        (await fixture.KeyB.Get("/v1/logs/traces/trace-a1")).Failure(HttpStatusCode.NotFound, "AB08");
    }

    [Fact]
    public async Task Create_AnArrayOfCustomLogs_KeptWithSecretHeadersDropped()
    {
        var (workspace, key) = await fixture.NewWorkspaceAsync("custom-logs");
        const string Body = """
            [{"request":{"url":"https://llm.example/v1/chat","method":"post","headers":{"Authorization":"Bearer sk-secret-1","x-api-key":"sk-secret-2","cookie":"s=1","x-team-token":"t","content-type":"application/json"},"body":{"model":"local-7b","messages":[]}},
              "response":{"status":200,"headers":{"set-cookie":"a=b"},"body":{"model":"local-7b","usage":{"prompt_tokens":7,"completion_tokens":3}},"response_time":420},
              "metadata":{"trace_id":"custom-trace","span_id":"parent-span","span_name":"my llm call","_user":"carol","team":"infra"}},
             {"request":{"url":"https://llm.example/v1/embed","body":{}},"response":{"status":503,"body":{"error":"down"}},"metadata":{"trace_id":"custom-trace"}}]
            """;

        var created = (await key.Post("/v1/logs", Body)).Ok();

        Assert.Equal("success", created.Str("status"));
        var ids = created.GetProperty("log_ids").EnumerateArray().Select(i => i.GetString()!).ToArray();
        Assert.Equal(2, ids.Length);
        var log = (await key.Get($"/v1/logs/{ids[0]}")).Ok();
        Assert.Equal("custom", log.Str("kind"));
        Assert.Equal(workspace, log.Str("workspace_id"));
        Assert.Equal("https://llm.example/v1/chat", log.GetProperty("request").Str("url"));
        Assert.Equal("POST", log.GetProperty("request").Str("method"));
        Assert.Equal("""{"content-type":"application/json"}""", log.GetProperty("request").GetProperty("headers").GetRawText());
        Assert.Equal("{}", log.GetProperty("response").GetProperty("headers").GetRawText());
        Assert.Equal("custom-trace", log.Str("trace_id"));
        Assert.Equal("parent-span", log.Str("parent_span_id"));
        Assert.Equal("my llm call", log.Str("span_name"));
        Assert.Equal("carol", log.Str("user"));
        Assert.Equal("infra", log.GetProperty("metadata").Str("team"));
        Assert.Equal(10, log.GetProperty("metrics").GetProperty("total_tokens").GetInt32());
        Assert.Equal(420.0, log.GetProperty("metrics").GetProperty("total_ms").GetDouble());
        Assert.Equal("local-7b", log.Str("model_used"));
        Assert.DoesNotContain("sk-secret", log.GetRawText(), StringComparison.Ordinal);
        var trace = (await key.Get("/v1/logs/traces/custom-trace")).Ok();
        Assert.Equal(ids, Ids(trace));
        Assert.False(trace.GetProperty("data")[1].GetProperty("is_success").GetBoolean());
        (await fixture.KeyA.Get($"/v1/logs/{ids[0]}")).Failure(HttpStatusCode.NotFound, "AB08");
    }

    [Fact]
    public async Task Create_BadCustomLogs_Is400AndKeepsNothing()
    {
        var (_, key) = await fixture.NewWorkspaceAsync("custom-bad");

        var body = (await key.Post("/v1/logs", """[{"request":{"url":"u","body":{}},"response":{"body":{}}},{"request":{"body":{}},"response":{"status":"ok","body":{}}}]"""))
            .Failure(HttpStatusCode.BadRequest, "AB01");

        Assert.Equal(["[1].request.url: is required", "[1].response.status: must be an HTTP status"], body.GetProperty("errors").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(0, (await key.Get("/v1/logs")).Ok().GetProperty("total").GetInt64());
        (await key.Post("/v1/logs", "[]")).Failure(HttpStatusCode.BadRequest, "AB01");
        (await key.Post("/v1/logs", "not json")).Failure(HttpStatusCode.BadRequest, "AB01");
    }

    [Fact]
    public async Task Routes_KeyWithoutTheScope_Is403()
    {
        var key = (await fixture.Admin.Post("/v1/api-keys/workspace/service", $$"""{"name":"no-logs","scopes":["completions.write"],"workspace_id":"{{fixture.WorkspaceA}}"}""")).Ok().Str("key");
        var calls = new AdminCalls(fixture.Gateway.Client, key);

        Assert.Contains("logs.list", (await calls.Get("/v1/logs")).Failure(HttpStatusCode.Forbidden, "AB03").Str("message"), StringComparison.Ordinal);
        Assert.Contains("logs.view", (await calls.Get($"/v1/logs/{fixture.RecordsA[0].Id}")).Failure(HttpStatusCode.Forbidden, "AB03").Str("message"), StringComparison.Ordinal);
        Assert.Contains("analytics.view", (await calls.Get($"/v1/analytics/graphs/requests?{fixture.Range}")).Failure(HttpStatusCode.Forbidden, "AB03").Str("message"), StringComparison.Ordinal);
        Assert.Contains("feedback.write", (await calls.Post("/v1/feedback", """{"trace_id":"t","value":1}""")).Failure(HttpStatusCode.Forbidden, "AB03").Str("message"), StringComparison.Ordinal);
        Assert.Contains("logs.export", (await calls.Get("/v1/logs/exports")).Failure(HttpStatusCode.Forbidden, "AB03").Str("message"), StringComparison.Ordinal);
    }
}
