using System.Net;
using System.Text.Json;
using System.Web;
using Microsoft.Extensions.DependencyInjection;
using Switchyard.FrontDoor.Observability;
using Switchyard.FrontDoor.Tests.Admin;
using Switchyard.Gateway.Security;
using Switchyard.State;

namespace Switchyard.FrontDoor.Tests.Observability;

/// <summary>/v1/logs/exports: draft, update, start, the background count, cancel, and the signed JSONL download.</summary>
public sealed class ExportsApiTests(ObservabilityFixture fixture) : IClassFixture<ObservabilityFixture>
{
    private async Task<JsonElement> FinishedAsync(AdminCalls key, string id)
    {
        JsonElement export = default;
        var finished = await Eventually.TryUntilAsync(
            async () =>
            {
                export = (await key.Get($"/v1/logs/exports/{id}")).Ok();
                return export.Str("status") != LogExportStatus.InProgress;
            },
            TimeSpan.FromSeconds(15),
            TimeSpan.FromMilliseconds(20));
        Assert.True(finished, $"export {id} is still in progress");
        return export;
    }

    [Fact]
    public async Task Export_StartedAndDownloaded_HoldsTheMatchingRecordsRequestedFieldsOnly()
    {
        var created = (await fixture.KeyA.Post("/v1/logs/exports", """{"filters":{"ai_model":"gpt-4o"},"requested_data":["id","ai_model","cost","response_status_code","metadata"],"description":"gpt-4o calls"}""")).Ok();
        var id = created.Str("id");
        Assert.Equal("export", created.Str("object"));
        Assert.Equal(3, created.GetProperty("total").GetInt64());
        var draft = (await fixture.KeyA.Get($"/v1/logs/exports/{id}")).Ok();
        Assert.Equal(("draft", "gpt-4o calls", fixture.WorkspaceA), (draft.Str("status"), draft.Str("description"), draft.Str("workspace_id")));
        Assert.Equal("gpt-4o", draft.GetProperty("filters").Str("ai_model"));
        (await fixture.KeyA.Get($"/v1/logs/exports/{id}/download")).Failure(HttpStatusCode.Conflict, "AB07");

        Assert.Equal("export", (await fixture.KeyA.Post($"/v1/logs/exports/{id}/start", "{}")).Ok().Str("object"));
        var done = await FinishedAsync(fixture.KeyA, id);
        Assert.Equal("success", done.Str("status"));
        Assert.Equal(3, done.GetProperty("total").GetInt64());
        Assert.Equal(JsonValueKind.String, done.GetProperty("pinned_at").ValueKind);

        var url = (await fixture.KeyA.Get($"/v1/logs/exports/{id}/download")).Ok().Str("signed_url");
        Assert.StartsWith(fixture.Gateway.Client.BaseAddress!.ToString().TrimEnd('/') + $"/v1/logs/exports/{id}/file?expires=", url, StringComparison.Ordinal);
        using var response = await new HttpClient().GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var expected = new[] { 0, 1, 3 }.Select(i => fixture.RecordsA[i]).ToArray();
        Assert.Equal(expected.Length, lines.Length);
        for (var i = 0; i < lines.Length; i++)
        {
            using var line = JsonDocument.Parse(lines[i]);
            var r = expected[i];
            Assert.Equal(["id", "ai_model", "cost", "response_status_code", "metadata"], line.RootElement.EnumerateObject().Select(p => p.Name));
            Assert.Equal(r.Id, line.RootElement.Str("id"));
            Assert.Equal("gpt-4o", line.RootElement.Str("ai_model"));
            Assert.Equal(r.CostMicros / 10_000.0, line.RootElement.GetProperty("cost").GetDouble());
            Assert.Equal(r.Status, line.RootElement.GetProperty("response_status_code").GetInt32());
        }

        Assert.Equal("search", JsonDocument.Parse(lines[0]).RootElement.GetProperty("metadata").Str("team"));
    }

    [Fact]
    public async Task File_TamperedOrExpiredSignature_Is403()
    {
        var id = (await fixture.KeyA.Post("/v1/logs/exports", """{"filters":{},"requested_data":["id"]}""")).Ok().Str("id");
        (await fixture.KeyA.Post($"/v1/logs/exports/{id}/start", "{}")).Ok();
        Assert.Equal("success", (await FinishedAsync(fixture.KeyA, id)).Str("status"));
        var url = new Uri((await fixture.KeyA.Get($"/v1/logs/exports/{id}/download")).Ok().Str("signed_url"));
        var query = HttpUtility.ParseQueryString(url.Query);
        var expires = query["expires"]!;
        var signature = query["signature"]!;
        var file = url.GetLeftPart(UriPartial.Path);
        using var client = new HttpClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(url)).StatusCode);
        var flipped = (signature[0] == 'a' ? "b" : "a") + signature[1..];
        await AssertForbiddenAsync(client, $"{file}?expires={expires}&signature={flipped}");
        await AssertForbiddenAsync(client, $"{file}?expires={long.Parse(expires, System.Globalization.CultureInfo.InvariantCulture) + 3600}&signature={signature}");
        await AssertForbiddenAsync(client, $"{file}?expires={expires}");
        var otherId = (await fixture.KeyB.Post("/v1/logs/exports", """{"filters":{},"requested_data":["id"]}""")).Ok().Str("id");
        await AssertForbiddenAsync(client, $"{file.Replace(id, otherId, StringComparison.Ordinal)}?expires={expires}&signature={signature}");

        // A link signed with the gateway's own key but two hours ago has expired.
        var vault = fixture.Gateway.Services.GetRequiredService<SecretVault>();
        var old = new ExportLinks(vault, new BackInTime(TimeSpan.FromHours(2))).PathFor(id);
        await AssertForbiddenAsync(client, fixture.Gateway.Client.BaseAddress!.ToString().TrimEnd('/') + old);
    }

    [Fact]
    public async Task Exports_UpdateCancelAndListing_StayInTheWorkspace()
    {
        var (workspace, key) = await fixture.NewWorkspaceAsync("exports");
        var id = (await key.Post("/v1/logs/exports", """{"filters":{"status":"error"},"requested_data":["id"]}""")).Ok().Str("id");

        var updated = (await key.Put($"/v1/logs/exports/{id}", """{"requested_data":["id","trace_id"],"description":"errors"}""")).Ok();
        Assert.Equal(0, updated.GetProperty("total").GetInt64());
        var export = (await key.Get($"/v1/logs/exports/{id}")).Ok();
        Assert.Equal(["id", "trace_id"], export.GetProperty("requested_data").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("errors", export.Str("description"));

        var list = (await key.Get("/v1/logs/exports")).Ok();
        Assert.Equal([id], list.GetProperty("data").EnumerateArray().Select(e => e.Str("id")));
        Assert.DoesNotContain(id, (await fixture.KeyA.Get("/v1/logs/exports")).Ok().GetProperty("data").EnumerateArray().Select(e => e.Str("id")));
        (await fixture.KeyA.Get($"/v1/logs/exports/{id}")).Failure(HttpStatusCode.NotFound, "AB08");
        (await fixture.KeyA.Post($"/v1/logs/exports/{id}/start", "{}")).Failure(HttpStatusCode.NotFound, "AB08");

        (await key.Post($"/v1/logs/exports/{id}/cancel", "{}")).Ok();
        Assert.Equal("stopped", (await key.Get($"/v1/logs/exports/{id}")).Ok().Str("status"));
        (await key.Put($"/v1/logs/exports/{id}", """{"description":"late"}""")).Failure(HttpStatusCode.Conflict, "AB07");
        Assert.Equal(workspace, export.Str("workspace_id"));
    }

    [Fact]
    public async Task Create_BadBody_Is400ListingProblems()
    {
        var body = (await fixture.KeyA.Post("/v1/logs/exports", """{"filters":{"status_code":"x"},"requested_data":["id","password"]}""")).Failure(HttpStatusCode.BadRequest, "AB01");

        var errors = body.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToArray();
        Assert.Equal(2, errors.Length);
        Assert.Equal("filters.status_code: 'x' must be an HTTP status, success or error", errors[0]);
        Assert.StartsWith("requested_data: unknown field 'password'", errors[1], StringComparison.Ordinal);
        (await fixture.KeyA.Post("/v1/logs/exports", "{}")).Failure(HttpStatusCode.BadRequest, "AB01");
    }

    private static async Task AssertForbiddenAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("AB03", body.RootElement.GetProperty("error").Str("code"));
    }

    private sealed class BackInTime(TimeSpan by) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() - by;
    }
}
