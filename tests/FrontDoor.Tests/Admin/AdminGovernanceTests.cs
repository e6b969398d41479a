using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchyard.FrontDoor.Tests.Infrastructure;
using Switchyard.State;

namespace Switchyard.FrontDoor.Tests.Admin;

/// <summary>Admin-scoped keys, the limits extensions, the audit log and conflicts, on a real Kestrel gateway.</summary>
public sealed class AdminGovernanceTests(GatewayFixture fixture) : AdminGovernanceTests<GatewayFixture>(fixture), IClassFixture<GatewayFixture>;

/// <summary>The same tests on the PostgreSQL store.</summary>
public sealed class PostgresAdminGovernanceTests(PostgresGatewayFixture fixture) : AdminGovernanceTests<PostgresGatewayFixture>(fixture), IClassFixture<PostgresGatewayFixture>;

public abstract class AdminGovernanceTests<TFixture>(TFixture fixture)
    where TFixture : GatewayFixture
{
    private const string ProviderSecret = "sk-provider-governance-secret-0123456789";

    private readonly AdminCalls _admin = new(fixture.Client, GatewayFixture.AdminToken);

    private async Task<(string Id, string Slug)> NewWorkspaceAsync(string name)
    {
        var created = (await _admin.Post("/v1/admin/workspaces", $$"""{"name":"{{name}}"}""")).Ok();
        return (created.Str("id"), created.Str("slug"));
    }

    private async Task<(string Id, string Key)> NewKeyAsync(string type, string workspace, params string[] scopes)
    {
        var created = (await _admin.Post($"/v1/api-keys/{type}/service", JsonSerializer.Serialize(new { name = "admin", scopes, workspace_id = workspace }))).Ok();
        return (created.Str("id"), created.Str("key"));
    }

    [Fact]
    public async Task OrganisationKey_ActsWithItsScopesAcrossWorkspaces_403NamesMissingScope()
    {
        var (home, _) = await NewWorkspaceAsync("org-home");
        var (keyId, key) = await NewKeyAsync("organisation", home, "workspaces.create", "workspaces.list", "virtual_keys.create", "virtual_keys.list");
        var read = (await _admin.Get($"/v1/api-keys/{keyId}")).Ok();
        Assert.Equal("organisation-service", read.Str("type"));
        Assert.Equal(JsonValueKind.Null, read.GetProperty("workspace_id").ValueKind);

        var org = new AdminCalls(fixture.Client, key);
        var other = (await org.Post("/v1/admin/workspaces", """{"name":"made by org key"}""")).Ok().Str("id");
        var list = (await org.Get("/v1/admin/workspaces")).Ok();
        Assert.Contains(list.GetProperty("data").EnumerateArray(), w => w.Str("id") == other);
        Assert.Contains(list.GetProperty("data").EnumerateArray(), w => w.Str("id") == home);
        (await org.Post("/v1/virtual-keys", $$"""{"name":"vk","provider":"openai","key":"{{ProviderSecret}}","workspace_id":"{{other}}"}""")).Ok();

        var denied = (await org.Get($"/v1/admin/workspaces/{other}")).Failure(HttpStatusCode.Forbidden, "AB03");
        Assert.Equal("This API key lacks the scope 'workspaces.read'.", denied.Str("message"));
        (await org.Post("/v1/configs", """{"name":"c","config":{"retry":{"attempts":1}}}""")).Failure(HttpStatusCode.Forbidden, "AB03");
        var grant = (await org.Post("/v1/api-keys/workspace/service", $$"""{"name":"x","scopes":["configs.create"],"workspace_id":"{{other}}"}"""))
            .Failure(HttpStatusCode.Forbidden, "AB03");
        Assert.Contains("workspace_service_api_keys.create", grant.Str("message"), StringComparison.Ordinal);

        (await _admin.Delete($"/v1/api-keys/{keyId}")).Empty();
        var revoked = (await org.Get("/v1/admin/workspaces")).Failure(HttpStatusCode.Unauthorized, "AB05");
        Assert.Equal("This API key has been revoked.", revoked.Str("message"));
    }

    [Fact]
    public async Task WorkspaceKeyWithAdminScopes_SeesOnlyItsWorkspace()
    {
        var (mine, mineSlug) = await NewWorkspaceAsync("wk-mine");
        var (theirs, _) = await NewWorkspaceAsync("wk-theirs");
        var theirVk = (await _admin.Post("/v1/virtual-keys", $$"""{"name":"theirs","provider":"openai","key":"{{ProviderSecret}}","workspace_id":"{{theirs}}"}""")).Ok().Str("slug");
        var (_, key) = await NewKeyAsync(
            "workspace", mine, "virtual_keys.create", "virtual_keys.list", "virtual_keys.read", "workspaces.read", "workspaces.list", "audit_logs.list",
            "workspace_service_api_keys.create");
        var scoped = new AdminCalls(fixture.Client, key);

        var mineVk = (await scoped.Post("/v1/virtual-keys", $$"""{"name":"mine","provider":"openai","key":"{{ProviderSecret}}"}""")).Ok().Str("slug");
        Assert.Equal(mine, (await _admin.Get($"/v1/virtual-keys/{mineVk}")).Ok().Str("workspace_id"));
        var list = (await scoped.Get("/v1/virtual-keys")).Ok();
        Assert.Equal([mineVk], list.GetProperty("data").EnumerateArray().Select(k => k.Str("slug")));
        Assert.Equal(1, list.GetProperty("total").GetInt32());

        (await scoped.Get($"/v1/virtual-keys?workspace_id={theirs}")).Failure(HttpStatusCode.Forbidden, "AB03");
        (await scoped.Get($"/v1/virtual-keys/{theirVk}")).Failure(HttpStatusCode.NotFound, "AB08");
        (await scoped.Post("/v1/virtual-keys", $$"""{"name":"x","provider":"openai","key":"k-123456789","workspace_id":"{{theirs}}"}""")).Failure(HttpStatusCode.Forbidden, "AB03");
        (await scoped.Get($"/v1/admin/workspaces/{theirs}")).Failure(HttpStatusCode.Forbidden, "AB03");
        Assert.Equal(mineSlug, (await scoped.Get($"/v1/admin/workspaces/{mine}")).Ok().Str("slug"));
        var workspaces = (await scoped.Get("/v1/admin/workspaces")).Ok();
        Assert.Equal([mine], workspaces.GetProperty("data").EnumerateArray().Select(w => w.Str("id")));
        (await scoped.Post("/v1/admin/workspaces", """{"name":"nope"}""")).Failure(HttpStatusCode.Forbidden, "AB03");
        (await scoped.Post("/v1/api-keys/organisation/service", """{"name":"up","scopes":["workspaces.create"]}""")).Failure(HttpStatusCode.Forbidden, "AB03");
        var escalate = (await scoped.Post("/v1/api-keys/workspace/service", """{"name":"up","scopes":["virtual_keys.delete"]}"""))
            .Failure(HttpStatusCode.Forbidden, "AB03");
        Assert.Equal("This API key cannot grant the scope 'virtual_keys.delete', which it does not hold.", escalate.Str("message"));

        var audit = (await scoped.Get("/v1/audit-logs")).Ok();
        Assert.NotEmpty(audit.GetProperty("records").EnumerateArray());
        Assert.All(audit.GetProperty("records").EnumerateArray(), r => Assert.Equal(mine, r.Str("workspace_id")));
        (await scoped.Get($"/v1/audit-logs?workspace_id={theirs}")).Failure(HttpStatusCode.Forbidden, "AB03");
    }

    [Fact]
    public async Task OrganisationKey_OnTheDataPath_Is403()
    {
        var (home, _) = await NewWorkspaceAsync("org-data-path");
        var created = (await _admin.Post("/v1/api-keys/organisation/service", $$"""
            {"name":"admin-bot","scopes":["workspaces.list"],"workspace_id":"{{home}}"}
            """)).Ok();

        using var response = await fixture.Client.SendAsync(Requests.Chat("fake-gpt").ToFake(fixture).WithHeader("x-portkey-api-key", created.Str("key")));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("organisation keys administer", (await response.JsonAsync()).GetProperty("message").GetString());
    }

    [Fact]
    public async Task ExpiredKey_401()
    {
        var (home, _) = await NewWorkspaceAsync("expired-home");
        var created = (await _admin.Post("/v1/api-keys/organisation/service", $$"""
            {"name":"old","scopes":["workspaces.list"],"workspace_id":"{{home}}","expires_at":"2001-01-01T00:00:00Z"}
            """)).Ok();
        var body = (await new AdminCalls(fixture.Client, created.Str("key")).Get("/v1/admin/workspaces")).Failure(HttpStatusCode.Unauthorized, "AB05");
        Assert.Equal("This API key has expired.", body.Str("message"));
    }

    [Fact]
    public async Task LimitsExtensions_RoundTripAndValidate()
    {
        var created = (await _admin.Post("/v1/admin/workspaces", """
            {"name":"limits","max_concurrent_requests":4,
             "usage_limits":{"credit_limit":50,"periodic_reset":"daily","time_zone":"Europe/Berlin","enforcement":"soft",
                             "alert_threshold":90,"alert_thresholds":[50,75],"alert_webhook_url":"https://hooks.example/budget"},
             "price_overrides":{"openai/gpt-4o":{"input_per_million":2.5,"output_per_million":10},"my-model":{"input_per_million":0,"output_per_million":0.5}}}
            """)).Ok();
        Assert.Equal(
            """[{"credit_limit":50,"type":"cost","alert_threshold":50,"periodic_reset":"daily","periodic_reset_days":null,"next_usage_reset_at":null,"time_zone":"Europe/Berlin","enforcement":"soft","alert_thresholds":[50,75,90],"alert_webhook_url":"https://hooks.example/budget"}]""",
            created.GetProperty("usage_limits").GetRawText());
        Assert.Equal(4, created.GetProperty("max_concurrent_requests").GetInt32());
        Assert.Equal(
            """{"openai/gpt-4o":{"input_per_million":2.5,"output_per_million":10},"my-model":{"input_per_million":0,"output_per_million":0.5}}""",
            created.GetProperty("price_overrides").GetRawText());

        var stored = await fixture.Services.GetRequiredService<IKeyStore>().GetWorkspaceAsync(created.Str("id"), CancellationToken.None);
        Assert.Equal(BudgetPeriod.Daily, stored!.Limits.Usage!.Period);
        Assert.Equal("Europe/Berlin", stored.Limits.Usage.TimeZone);
        Assert.False(stored.Limits.Usage.Hard);
        Assert.Equal([50, 75, 90], stored.Limits.Usage.AlertThresholds);
        Assert.Equal("https://hooks.example/budget", stored.Limits.Usage.AlertWebhookUrl);
        Assert.Equal(4, stored.Limits.MaxConcurrentRequests);
        Assert.Equal(new ModelPriceOverride(2.5m, 10m), stored.PriceOverrides["openai/gpt-4o"]);

        (await _admin.Put($"/v1/admin/workspaces/{created.Str("id")}", """{"max_concurrent_requests":null,"price_overrides":null}""")).Empty();
        var cleared = (await _admin.Get($"/v1/admin/workspaces/{created.Str("id")}")).Ok();
        Assert.Equal(JsonValueKind.Null, cleared.GetProperty("max_concurrent_requests").ValueKind);
        Assert.Equal("{}", cleared.GetProperty("price_overrides").GetRawText());
        Assert.Equal("soft", cleared.GetProperty("usage_limits")[0].Str("enforcement"));

        var bad = (await _admin.Post("/v1/admin/workspaces", """
            {"name":"bad","max_concurrent_requests":0,
             "usage_limits":{"credit_limit":5,"time_zone":"Mars/Olympus","enforcement":"maybe","alert_thresholds":[0],"alert_webhook_url":"ftp://x"},
             "price_overrides":{"gpt-4o":{"input_per_million":-1}}}
            """)).Failure(HttpStatusCode.BadRequest, "AB01");
        Assert.Equal(
            """["usage_limits.alert_thresholds: must be an array of integers of at least 1 (percent of the limit)","usage_limits.time_zone: must be an IANA time zone id such as Europe/Berlin (default UTC)","usage_limits.enforcement: must be hard or soft","usage_limits.alert_webhook_url: must be an absolute http or https URL","max_concurrent_requests: must be an integer of at least 1, or null","price_overrides.gpt-4o.input_per_million: is required, a number of at least 0 (USD per million tokens)","price_overrides.gpt-4o.output_per_million: is required, a number of at least 0 (USD per million tokens)"]""",
            bad.GetProperty("errors").GetRawText());

        var vk = (await _admin.Post("/v1/virtual-keys", $$"""{"name":"c","provider":"openai","key":"{{ProviderSecret}}","workspace_id":"{{created.Str("id")}}","max_concurrent_requests":2}""")).Ok();
        Assert.Equal(2, (await _admin.Get($"/v1/virtual-keys/{vk.Str("slug")}")).Ok().GetProperty("max_concurrent_requests").GetInt32());
    }

    [Fact]
    public async Task AuditLog_EveryMutationRecordedWithActorRequestIdAndMaskedViews()
    {
        var (workspace, _) = await NewWorkspaceAsync("audited");
        var create = await _admin.Post("/v1/virtual-keys", $$"""{"name":"audited","provider":"openai","key":"{{ProviderSecret}}","workspace_id":"{{workspace}}"}""");
        var vk = create.Ok();
        var rotate = await _admin.Put($"/v1/virtual-keys/{vk.Str("slug")}", """{"key":"sk-provider-rotated-secret-9876543210","note":"rotated"}""");
        rotate.Empty();
        var delete = await _admin.Delete($"/v1/virtual-keys/{vk.Str("slug")}");
        delete.Empty();

        var (orgKeyId, orgKey) = await NewKeyAsync("organisation", workspace, "configs.create", "audit_logs.list");
        var config = await new AdminCalls(fixture.Client, orgKey).Post("/v1/configs", $$$"""{"name":"audited","config":{"retry":{"attempts":2}},"workspace_id":"{{{workspace}}}"}""");
        config.Ok();

        var records = (await _admin.Get($"/v1/audit-logs?resource_id={vk.Str("id")}")).Ok();
        Assert.Equal("analytics-graph", records.Str("object"));
        Assert.Equal(3, records.GetProperty("total").GetInt32());
        var items = records.GetProperty("records").EnumerateArray().ToArray();
        Assert.Equal(["virtual_keys.delete", "virtual_keys.update", "virtual_keys.create"], items.Select(r => r.Str("action")));
        Assert.Equal([delete.RequestId, rotate.RequestId, create.RequestId], items.Select(r => r.Str("request_id")));
        Assert.All(items, r =>
        {
            Assert.Equal("admin-token", r.Str("user_id"));
            Assert.Equal("virtual_key", r.Str("resource_type"));
            Assert.Equal(workspace, r.Str("workspace_id"));
        });
        Assert.Equal(JsonValueKind.Null, items[2].GetProperty("before").ValueKind);
        Assert.Equal("sk-p…6789", items[2].GetProperty("after").Str("masked_api_key"));
        Assert.Equal("sk-p…3210", items[1].GetProperty("after").Str("masked_api_key"));
        Assert.Equal("rotated", items[1].GetProperty("after").Str("note"));
        Assert.Equal(JsonValueKind.Null, items[0].GetProperty("after").ValueKind);

        var byOrgKey = (await _admin.Get($"/v1/audit-logs?action=configs.create&workspace_id={workspace}")).Ok().GetProperty("records")[0];
        Assert.Equal($"api-key:{orgKeyId}", byOrgKey.Str("user_id"));
        Assert.Equal("api-key", byOrgKey.Str("user_type"));
        Assert.Equal(config.RequestId, byOrgKey.Str("request_id"));

        var keyCreate = (await _admin.Get($"/v1/audit-logs?resource_type=api_key&resource_id={orgKeyId}")).Ok();
        Assert.Equal("api_keys.create", keyCreate.GetProperty("records")[0].Str("action"));

        var page = (await _admin.Get($"/v1/audit-logs?resource_id={vk.Str("id")}&page_size=1&current_page=1")).Ok();
        Assert.Equal(3, page.GetProperty("total").GetInt32());
        Assert.Equal("virtual_keys.update", page.GetProperty("records")[0].Str("action"));
        var future = DateTimeOffset.UtcNow.AddHours(1).ToString("O");
        Assert.Equal(0, (await _admin.Get($"/v1/audit-logs?resource_id={vk.Str("id")}&start_time={Uri.EscapeDataString(future)}")).Ok().GetProperty("total").GetInt32());

        var everything = (await _admin.Get("/v1/audit-logs?page_size=500")).Text;
        Assert.DoesNotContain(ProviderSecret, everything, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-provider-rotated-secret-9876543210", everything, StringComparison.Ordinal);
        Assert.DoesNotContain(orgKey, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(orgKey[6..], everything, StringComparison.Ordinal);
        Assert.DoesNotContain(GatewayFixture.AdminToken, everything, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConcurrentCreatesOfOneSlug_OneWinsTheOthers409()
    {
        var slug = $"race-{Guid.NewGuid():N}"[..20];
        var replies = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _admin.Post("/v1/admin/workspaces", $$"""{"name":"race","slug":"{{slug}}"}""")));
        Assert.Single(replies, r => r.Status == HttpStatusCode.OK);
        Assert.All(replies.Where(r => r.Status != HttpStatusCode.OK), r => r.Failure(HttpStatusCode.Conflict, "AB07"));
        Assert.Equal(1, (await _admin.Get($"/v1/audit-logs?action=workspaces.create&resource_id={replies.Single(r => r.Status == HttpStatusCode.OK).Body.Str("id")}")).Ok().GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task ApiKeyRotate_NewSecretWorksOldFails()
    {
        var (home, _) = await NewWorkspaceAsync("rotate");
        var (id, key) = await NewKeyAsync("organisation", home, "workspaces.list");
        var rotated = (await _admin.Post($"/v1/api-keys/{id}/rotate", """{"key_transition_period_ms":1800000}""")).Ok();
        Assert.Equal(id, rotated.Str("id"));
        (await new AdminCalls(fixture.Client, key).Get("/v1/admin/workspaces")).Failure(HttpStatusCode.Unauthorized, "AB05");
        (await new AdminCalls(fixture.Client, rotated.Str("key")).Get("/v1/admin/workspaces")).Ok();
        Assert.Equal("api_keys.rotate", (await _admin.Get($"/v1/audit-logs?resource_id={id}&page_size=1")).Ok().GetProperty("records")[0].Str("action"));
    }
}
