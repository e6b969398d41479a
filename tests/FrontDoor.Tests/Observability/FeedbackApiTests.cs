using System.Net;
using Switchyard.FrontDoor.Tests.Admin;

namespace Switchyard.FrontDoor.Tests.Observability;

/// <summary>POST and PUT /v1/feedback in every form the SDKs send, and the feedback graphs that read it.</summary>
public sealed class FeedbackApiTests(ObservabilityFixture fixture) : IClassFixture<ObservabilityFixture>
{
    [Fact]
    public async Task Create_OneObjectAnArrayAndNodesSpreadArray_AllKept()
    {
        var (workspace, key) = await fixture.NewWorkspaceAsync("feedback-forms");

        var one = (await key.Post("/v1/feedback", """{"trace_id":"t-1","value":5,"weight":0.5,"metadata":{"source":"thumbs","n":3}}""")).Ok();
        var array = (await key.Post("/v1/feedback", """[{"traceId":"t-2","value":-10},{"trace_id":"t-3","value":10,"weight":1}]""")).Ok();
        var spread = (await key.Post("/v1/feedback", """{"0":{"traceID":"t-4","value":0},"1":{"traceID":"t-5","value":7,"weight":0}}""")).Ok();

        Assert.Equal("success", one.Str("status"));
        Assert.Equal(1, one.GetProperty("feedback_ids").GetArrayLength());
        Assert.Equal(one.GetProperty("feedback_ids").GetRawText(), one.GetProperty("feedback_id").GetRawText());
        Assert.Equal(2, array.GetProperty("feedback_ids").GetArrayLength());
        Assert.Equal(2, spread.GetProperty("feedback_ids").GetArrayLength());
        var stored = await fixture.Store.ListFeedbackAsync([workspace], null, null, null, default);
        Assert.Equal(["t-1", "t-2", "t-3", "t-4", "t-5"], stored.Select(f => f.TraceId).Order(StringComparer.Ordinal));
        var first = stored.Single(f => f.TraceId == "t-1");
        Assert.Equal((5, 0.5, "thumbs", "3"), (first.Value, first.Weight, first.Metadata["source"], first.Metadata["n"]));
        Assert.Equal(1.0, stored.Single(f => f.TraceId == "t-2").Weight);
        Assert.Equal(0.0, stored.Single(f => f.TraceId == "t-5").Weight);
    }

    [Fact]
    public async Task Create_BadItems_Is400ListingThemAndKeepsNone()
    {
        var (workspace, key) = await fixture.NewWorkspaceAsync("feedback-bad");

        var body = (await key.Post("/v1/feedback", """[{"trace_id":"ok","value":1},{"value":11},{"trace_id":"x","value":1.5,"weight":2}]"""))
            .Failure(HttpStatusCode.BadRequest, "AB01");

        Assert.Equal(
            ["[1].trace_id: is required", "[1].value: must be a whole number from -10 to 10", "[2].value: must be a whole number from -10 to 10", "[2].weight: must be a number from 0 to 1"],
            body.GetProperty("errors").EnumerateArray().Select(e => e.GetString()));
        Assert.Empty(await fixture.Store.ListFeedbackAsync([workspace], null, null, null, default));
        (await key.Post("/v1/feedback", """{"trace_id":"t"}""")).Failure(HttpStatusCode.BadRequest, "AB01");
    }

    [Fact]
    public async Task Update_ChangesValueKeepsWhatWasLeftOut_AndOtherWorkspacesCannot()
    {
        var (workspace, key) = await fixture.NewWorkspaceAsync("feedback-update");
        var id = (await key.Post("/v1/feedback", """{"trace_id":"t-u","value":3,"weight":0.25,"metadata":{"a":"1"}}""")).Ok().GetProperty("feedback_ids")[0].GetString()!;

        var updated = (await key.Put($"/v1/feedback/{id}", """{"value":-4,"feedbackID":"ignored"}""")).Ok();

        Assert.Equal([id], updated.GetProperty("feedback_ids").EnumerateArray().Select(e => e.GetString()));
        var stored = await fixture.Store.GetFeedbackAsync([workspace], id, default);
        Assert.Equal((-4, 0.25, "1"), (stored!.Value, stored.Weight, stored.Metadata["a"]));
        (await fixture.KeyB.Put($"/v1/feedback/{id}", """{"value":1}""")).Failure(HttpStatusCode.NotFound, "AB08");
        (await key.Put($"/v1/feedback/{id}", """{"value":-11}""")).Failure(HttpStatusCode.BadRequest, "AB01");
        (await key.Put("/v1/feedback/no-such-id", """{"value":1}""")).Failure(HttpStatusCode.NotFound, "AB08");
    }

    [Fact]
    public async Task FeedbackGraphs_CountTheWorkspacesFeedbackOnly()
    {
        var (_, key) = await fixture.NewWorkspaceAsync("feedback-graphs");
        (await key.Post("/v1/feedback", """[{"trace_id":"g-1","value":4,"weight":0.5},{"trace_id":"g-2","value":4},{"trace_id":"g-3","value":-2}]""")).Ok();
        var now = TimeProvider.System.GetUtcNow();
        var range = $"time_of_generation_min={Uri.EscapeDataString(now.AddHours(-1).ToString("O"))}&time_of_generation_max={Uri.EscapeDataString(now.AddHours(1).ToString("O"))}";

        var total = (await key.Get($"/v1/analytics/graphs/feedbacks?{range}")).Ok();
        var weighted = (await key.Get($"/v1/analytics/graphs/feedbacks/weighted?{range}")).Ok();
        var scores = (await key.Get($"/v1/analytics/graphs/feedbacks/score?{range}")).Ok();
        var scoresSlash = (await key.Get($"/v1/analytics/graphs/feedbacks/scores?{range}")).Ok();

        Assert.Equal(3, total.GetProperty("summary").GetProperty("total").GetInt32());
        Assert.Equal(3, total.GetProperty("data_points").EnumerateArray().Sum(p => p.GetProperty("total").GetInt32()));
        Assert.Equal(Math.Round((2.0 + 4 - 2) / 3, 4), weighted.GetProperty("summary").GetProperty("avg").GetDouble());
        Assert.Equal("""[{"score":-2,"total":1},{"score":4,"total":2}]""", scores.GetProperty("data_points").GetRawText());
        Assert.Equal(scores.GetRawText(), scoresSlash.GetRawText());
        Assert.Equal(0, (await fixture.KeyB.Get($"/v1/analytics/graphs/feedbacks?{range}")).Ok().GetProperty("summary").GetProperty("total").GetInt32());
    }
}
