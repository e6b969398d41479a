using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchyard.FrontDoor.Tests.Infrastructure;
using Switchyard.Gateway.Security;
using Switchyard.State;

namespace Switchyard.FrontDoor.Tests.Admin;

/// <summary>The admin API on a real Kestrel gateway, with the fixture's admin token and master key.</summary>
public sealed class AdminApiTests(GatewayFixture fixture) : AdminApiTests<GatewayFixture>(fixture), IClassFixture<GatewayFixture>;

/// <summary>The same tests on the PostgreSQL store.</summary>
public sealed class PostgresAdminApiTests(PostgresGatewayFixture fixture) : AdminApiTests<PostgresGatewayFixture>(fixture), IClassFixture<PostgresGatewayFixture>;

public abstract class AdminApiTests<TFixture>(TFixture fixture)
    where TFixture : GatewayFixture
{
    private readonly AdminCalls _admin = new(fixture.Client, GatewayFixture.AdminToken);

    private async Task<string> NewWorkspaceAsync(string name)
    {
        var created = (await _admin.Post("/v1/admin/workspaces", $$"""{"name":"{{name}}"}""")).Ok();
        return created.Str("id");
    }

    [Fact]
    public async Task Workspaces_CreateReadUpdateArchive_PortkeyShapes()
    {
        var created = (await _admin.Post("/v1/admin/workspaces", """
            {"name":"Team Alpha","description":"first","defaults":{"metadata":{"team":"alpha"}},
             "usage_limits":[{"credit_limit":100,"type":"cost","alert_threshold":80,"periodic_reset":"monthly"}],
             "rate_limits":{"type":"requests","unit":"rpm","value":60},"unknown_field":true}
            """)).Ok();
        var id = created.Str("id");
        var slug = created.Str("slug");
        Assert.Matches("^ws-team-alpha-[0-9a-f]{6}$", slug);
        Assert.True(Guid.TryParse(id, out _));
        Assert.Equal("Team Alpha", created.Str("name"));
        Assert.Equal("first", created.Str("description"));
        Assert.Equal("active", created.Str("status"));
        Assert.Equal("workspace", created.Str("object"));
        Assert.Equal("alpha", created.GetProperty("defaults").GetProperty("metadata").Str("team"));
        Assert.Equal(0, created.GetProperty("defaults").GetProperty("is_default").GetInt32());
        Assert.Equal(
            """[{"credit_limit":100,"type":"cost","alert_threshold":80,"periodic_reset":"monthly","periodic_reset_days":null,"next_usage_reset_at":null,"time_zone":"UTC","enforcement":"hard","alert_thresholds":[80],"alert_webhook_url":null}]""",
            created.GetProperty("usage_limits").GetRawText());
        Assert.Equal("""[{"type":"requests","unit":"rpm","value":60}]""", created.GetProperty("rate_limits").GetRawText());

        var bySlug = (await _admin.Get($"/v1/admin/workspaces/{slug}")).Ok();
        Assert.Equal(id, bySlug.Str("id"));
        Assert.Equal(0, bySlug.GetProperty("users").GetArrayLength());

        var list = (await _admin.Get("/v1/admin/workspaces?name=team%20alpha")).Ok();
        Assert.Equal("list", list.Str("object"));
        Assert.Contains(list.GetProperty("data").EnumerateArray(), w => w.Str("id") == id);
        Assert.Equal(list.GetProperty("data").GetArrayLength(), list.GetProperty("total").GetInt32());

        (await _admin.Put($"/v1/admin/workspaces/{id}", """{"name":"Team A","rate_limits":[],"usage_limits":null}""")).Empty();
        var updated = (await _admin.Get($"/v1/admin/workspaces/{id}")).Ok();
        Assert.Equal("Team A", updated.Str("name"));
        Assert.Equal("first", updated.Str("description"));
        Assert.Equal("[]", updated.GetProperty("rate_limits").GetRawText());
        Assert.Equal("[]", updated.GetProperty("usage_limits").GetRawText());

        (await _admin.Delete($"/v1/admin/workspaces/{id}")).Empty();
        Assert.Equal("archived", (await _admin.Get($"/v1/admin/workspaces/{id}")).Ok().Str("status"));
        var active = (await _admin.Get("/v1/admin/workspaces")).Ok();
        Assert.DoesNotContain(active.GetProperty("data").EnumerateArray(), w => w.Str("id") == id);
        var archived = (await _admin.Get("/v1/admin/workspaces?status=archived")).Ok();
        Assert.Contains(archived.GetProperty("data").EnumerateArray(), w => w.Str("id") == id);
    }

    [Fact]
    public async Task Workspaces_BadBody_400ListsEveryProblem()
    {
        var body = (await _admin.Post("/v1/admin/workspaces", """
            {"description":5,"usage_limits":{"credit_limit":0,"type":"dollars","periodic_reset":"hourly"},"rate_limits":[{"type":"requests","unit":"rps","value":1}]}
            """)).Failure(HttpStatusCode.BadRequest, "AB01");
        var errors = body.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToArray();
        Assert.Equal<string>(
            [
                "name: is required",
                "description: must be a string",
                "usage_limits.type: must be cost or tokens",
                "usage_limits.credit_limit: is required, an integer of at least 1",
                "usage_limits.periodic_reset: must be monthly, weekly, daily or null",
                "rate_limits[0].unit: must be rpm, rph or rpd",
            ],
            errors);
    }

    [Fact]
    public async Task ApiKeys_Create_ReturnsTheKeyOnceAndReadsShowOnlyTheHint()
    {
        var workspace = await NewWorkspaceAsync("keys");
        var created = (await _admin.Post("/v1/api-keys/workspace/service", $$$"""
            {"name":"ci","description":"for CI","scopes":["completions.write"],"workspace_id":"{{{workspace}}}",
             "defaults":{"config_id":"pc-x-000000","metadata":{"env":"ci"}},
             "usage_limits":{"credit_limit":5000,"type":"tokens","periodic_reset":"weekly"},
             "rate_limits":[{"type":"tokens","unit":"rpd","value":100000}],
             "expires_at":"2031-01-02T03:04:05Z","type":"workspace","sub-type":"service"}
            """)).Ok();
        var id = created.Str("id");
        var secret = created.Str("key");
        Assert.Equal("api-key", created.Str("object"));
        Assert.True(ApiKeySecrets.LooksLikeKey(secret));
        Assert.Equal(["id", "key", "object"], created.EnumerateObject().Select(p => p.Name));

        var stored = await fixture.Services.GetRequiredService<IKeyStore>().FindApiKeyByHashAsync(ApiKeySecrets.Hash(secret), CancellationToken.None);
        Assert.Equal(id, stored!.Id);

        var read = await _admin.Get($"/v1/api-keys/{id}");
        var key = read.Ok();
        Assert.Equal(ApiKeySecrets.Hint(secret), key.Str("key"));
        Assert.Equal("ci", key.Str("name"));
        Assert.Equal("for CI", key.Str("description"));
        Assert.Equal("workspace-service", key.Str("type"));
        Assert.Equal(workspace, key.Str("workspace_id"));
        Assert.Equal("active", key.Str("status"));
        Assert.Equal("api", key.Str("creation_mode"));
        Assert.Equal("""["completions.write"]""", key.GetProperty("scopes").GetRawText());
        Assert.Equal("""{"config_id":"pc-x-000000","metadata":{"env":"ci"}}""", key.GetProperty("defaults").GetRawText());
        Assert.Equal(
            """{"credit_limit":5000,"type":"tokens","alert_threshold":null,"periodic_reset":"weekly","periodic_reset_days":null,"next_usage_reset_at":null,"time_zone":"UTC","enforcement":"hard","alert_thresholds":[],"alert_webhook_url":null}""",
            key.GetProperty("usage_limits").GetRawText());
        Assert.Equal("""[{"type":"tokens","unit":"rpd","value":100000}]""", key.GetProperty("rate_limits").GetRawText());
        Assert.Equal(new DateTimeOffset(2031, 1, 2, 3, 4, 5, TimeSpan.Zero), key.GetProperty("expires_at").GetDateTimeOffset());
        Assert.Equal("api-key", key.Str("object"));

        var list = await _admin.Get($"/v1/api-keys?workspace_id={workspace}");
        Assert.Equal(1, list.Ok().GetProperty("total").GetInt32());
        Assert.Equal(id, list.Body.GetProperty("data")[0].Str("id"));

        (await _admin.Put($"/v1/api-keys/{id}", """{"name":"ci-2","scopes":["completions.write","logs.view"],"expires_at":null}""")).Empty();
        var updated = await _admin.Get($"/v1/api-keys/{id}");
        Assert.Equal("ci-2", updated.Ok().Str("name"));
        Assert.Equal(JsonValueKind.Null, updated.Body.GetProperty("expires_at").ValueKind);
        Assert.Equal("""{"config_id":"pc-x-000000","metadata":{"env":"ci"}}""", updated.Body.GetProperty("defaults").GetRawText());

        (await _admin.Delete($"/v1/api-keys/{id}")).Empty();
        var revoked = await _admin.Get($"/v1/api-keys/{id}");
        Assert.Equal("archived", revoked.Ok().Str("status"));
        Assert.NotNull((await fixture.Services.GetRequiredService<IKeyStore>().GetApiKeyAsync(workspace, id, CancellationToken.None))!.RevokedAt);

        foreach (var reply in new[] { read, list, updated, revoked })
        {
            Assert.DoesNotContain(secret, reply.Text, StringComparison.Ordinal);
            Assert.DoesNotContain(secret[6..], reply.Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ApiKeys_OtherTypesAndMissingFields_400()
    {
        var workspace = await NewWorkspaceAsync("keys-400");
        (await _admin.Post("/v1/api-keys/organisation/user", """{"name":"x","scopes":[]}""")).Failure(HttpStatusCode.BadRequest, "AB01");
        var body = (await _admin.Post("/v1/api-keys/workspace/service", $$"""{"workspace_id":"{{workspace}}","scopes":"all"}"""))
            .Failure(HttpStatusCode.BadRequest, "AB01");
        Assert.Equal("""["name: is required","scopes: must be an array of strings"]""", body.GetProperty("errors").GetRawText());
        (await _admin.Post("/v1/api-keys/workspace/service", """{"name":"x","scopes":[],"workspace_id":"ws-none"}""")).Failure(HttpStatusCode.NotFound, "AB02");
        (await _admin.Get($"/v1/api-keys/{Guid.NewGuid()}")).Failure(HttpStatusCode.NotFound, "AB08");
    }

    [Fact]
    public async Task VirtualKeys_CreateReadRotateDelete_SecretNeverRead()
    {
        const string Secret = "sk-provider-secret-0123456789abcdef";
        const string Rotated = "sk-provider-rotated-fedcba9876543210";
        var workspace = await NewWorkspaceAsync("vk");
        var created = (await _admin.Post("/v1/virtual-keys", $$$"""
            {"name":"OpenAI prod","provider":"openai","key":"{{{Secret}}}","note":"main","workspace_id":"{{{workspace}}}",
             "usage_limits":{"credit_limit":10},"rate_limits":{"type":"requests","unit":"rph","value":500}}
            """)).Ok();
        var slug = created.Str("slug");
        Assert.Matches("^openai-prod-[0-9a-f]{6}$", slug);
        Assert.Equal("virtual-key", created.Str("object"));
        Assert.DoesNotContain(Secret, created.GetRawText(), StringComparison.Ordinal);

        var read = await _admin.Get($"/v1/virtual-keys/{slug}?workspace_id={workspace}");
        var key = read.Ok();
        Assert.Equal(created.Str("id"), key.Str("id"));
        Assert.Equal("OpenAI prod", key.Str("name"));
        Assert.Equal("main", key.Str("note"));
        Assert.Equal("active", key.Str("status"));
        Assert.Equal("openai", key.Str("ai_provider_name"));
        Assert.Equal("sk-p…cdef", key.Str("masked_api_key"));
        Assert.Equal(workspace, key.Str("workspace_id"));
        Assert.Equal("{}", key.GetProperty("model_config").GetRawText());
        Assert.Equal(10, key.GetProperty("usage_limits").GetProperty("credit_limit").GetInt32());
        Assert.Equal("""[{"type":"requests","unit":"rph","value":500}]""", key.GetProperty("rate_limits").GetRawText());
        Assert.False(key.TryGetProperty("key", out _));

        var keys = fixture.Services.GetRequiredService<IKeyStore>();
        var vault = fixture.Services.GetRequiredService<SecretVault>();
        var stored = (await keys.GetVirtualKeyAsync(workspace, slug, CancellationToken.None))!;
        Assert.Equal(Secret, vault.Unseal(stored.Secret, $"{workspace}/{slug}"));

        var list = await _admin.Get($"/v1/virtual-keys?workspace_id={workspace}");
        Assert.Equal(1, list.Ok().GetProperty("total").GetInt32());
        Assert.Equal(slug, list.Body.GetProperty("data")[0].Str("slug"));

        (await _admin.Put($"/v1/virtual-keys/{slug}", $$"""{"key":"{{Rotated}}","note":"rotated"}""")).Empty();
        var rotated = await _admin.Get($"/v1/virtual-keys/{slug}");
        Assert.Equal("sk-p…3210", rotated.Ok().Str("masked_api_key"));
        Assert.Equal("rotated", rotated.Body.Str("note"));
        Assert.Equal(created.Str("id"), rotated.Body.Str("id"));
        stored = (await keys.GetVirtualKeyAsync(workspace, slug, CancellationToken.None))!;
        Assert.Equal(Rotated, vault.Unseal(stored.Secret, $"{workspace}/{slug}"));

        foreach (var reply in new[] { read, list, rotated })
        {
            Assert.DoesNotContain(Secret, reply.Text, StringComparison.Ordinal);
            Assert.DoesNotContain(Rotated, reply.Text, StringComparison.Ordinal);
        }

        (await _admin.Delete($"/v1/virtual-keys/{slug}")).Empty();
        (await _admin.Get($"/v1/virtual-keys/{slug}")).Failure(HttpStatusCode.NotFound, "AB08");
    }

    [Fact]
    public async Task VirtualKeys_AzureAndBedrockOptions_StoredUnderTheConfigNames()
    {
        var workspace = await NewWorkspaceAsync("vk-options");
        var azure = (await _admin.Post("/v1/virtual-keys", $$"""
            {"name":"azure","provider":"azure-openai","key":"azure-secret-key-1234","workspace_id":"{{workspace}}",
             "resourceName":"my-res","deployment_name":"gpt4o","apiVersion":"2024-10-21"}
            """)).Ok();
        var bedrock = (await _admin.Post("/v1/virtual-keys", $$"""
            {"name":"bedrock","provider":"bedrock","key":"AKIAEXAMPLEKEY1234","workspace_id":"{{workspace}}","awsRegion":"eu-west-1"}
            """)).Ok();

        // Compared as maps: PostgreSQL's jsonb keeps an object's members in its own order.
        Assert.Equal(
            new Dictionary<string, string> { ["azure_resource_name"] = "my-res", ["azure_deployment_id"] = "gpt4o", ["azure_api_version"] = "2024-10-21" },
            (await _admin.Get($"/v1/virtual-keys/{azure.Str("slug")}")).Ok().GetProperty("model_config").Deserialize<Dictionary<string, string>>());
        Assert.Equal(
            new Dictionary<string, string> { ["aws_region"] = "eu-west-1" },
            (await _admin.Get($"/v1/virtual-keys/{bedrock.Str("slug")}")).Ok().GetProperty("model_config").Deserialize<Dictionary<string, string>>());
    }

    [Fact]
    public async Task VirtualKeys_UnknownProvider_400()
    {
        var workspace = await NewWorkspaceAsync("vk-400");
        var body = (await _admin.Post("/v1/virtual-keys", $$"""{"name":"x","provider":"not-a-provider","key":"k","workspace_id":"{{workspace}}"}"""))
            .Failure(HttpStatusCode.BadRequest, "AB01");
        Assert.Equal(["provider: 'not-a-provider' is not a provider this gateway serves"], body.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!));
    }

    [Fact]
    public async Task VirtualKeys_ReadFromAnotherWorkspace_404()
    {
        var a = await NewWorkspaceAsync("iso-a");
        var b = await NewWorkspaceAsync("iso-b");
        var slug = (await _admin.Post("/v1/virtual-keys", $$"""{"name":"mine","provider":"openai","key":"sk-isolated-secret-9999","workspace_id":"{{a}}"}""")).Ok().Str("slug");

        (await _admin.Get($"/v1/virtual-keys/{slug}?workspace_id={a}")).Ok();
        (await _admin.Get($"/v1/virtual-keys/{slug}?workspace_id={b}")).Failure(HttpStatusCode.NotFound, "AB08");
        (await _admin.Delete($"/v1/virtual-keys/{slug}?workspace_id={b}")).Failure(HttpStatusCode.NotFound, "AB08");
        Assert.Equal(0, (await _admin.Get($"/v1/virtual-keys?workspace_id={b}")).Ok().GetProperty("total").GetInt32());
        (await _admin.Get($"/v1/virtual-keys/{slug}?workspace_id={a}")).Ok();
    }

    [Fact]
    public async Task Configs_CreateReadUpdateVersionsDelete_FlatShapes()
    {
        var workspace = await NewWorkspaceAsync("configs");
        const string Config = """{"strategy":{"mode":"fallback"},"targets":[{"provider":"openai"},{"provider":"anthropic"}]}""";
        var created = (await _admin.Post("/v1/configs", $$"""{"name":"Prod Fallback","config":{{Config}},"isDefault":1,"workspace_id":"{{workspace}}"}""")).Ok();
        var slug = created.Str("slug");
        Assert.Matches("^pc-prod-fallback-[0-9a-f]{6}$", slug);
        Assert.Equal("config", created.Str("object"));
        Assert.True(Guid.TryParse(created.Str("version_id"), out _));

        var read = (await _admin.Get($"/v1/configs/{slug}")).Ok();
        Assert.Equal(created.Str("id"), read.Str("id"));
        Assert.Equal("Prod Fallback", read.Str("name"));
        Assert.Equal(workspace, read.Str("workspace_id"));
        Assert.Equal(1, read.GetProperty("is_default").GetInt32());
        Assert.Equal("active", read.Str("status"));
        Assert.Equal(Config, read.GetProperty("config").GetRawText());
        Assert.Equal(created.Str("version_id"), read.Str("version_id"));
        Assert.Equal("json", read.Str("format"));
        Assert.Equal("config", read.Str("object"));

        var updated = (await _admin.Put($"/v1/configs/{slug}", """{"config":{"retry":{"attempts":2},"provider":"openai"}}""")).Ok();
        Assert.NotEqual(created.Str("version_id"), updated.Str("version_id"));
        var latest = (await _admin.Get($"/v1/configs/{slug}")).Ok();
        Assert.Equal("""{"retry":{"attempts":2},"provider":"openai"}""", latest.GetProperty("config").GetRawText());
        Assert.Equal("Prod Fallback", latest.Str("name"));
        Assert.Equal(2, latest.GetProperty("version").GetInt32());

        var versions = (await _admin.Get($"/v1/configs/{slug}/versions")).Ok();
        Assert.Equal(2, versions.GetProperty("total").GetInt32());
        Assert.Equal(created.Str("version_id"), versions.GetProperty("data")[0].Str("version_id"));
        Assert.Equal(Config, versions.GetProperty("data")[0].Str("config"));
        Assert.Equal(updated.Str("version_id"), versions.GetProperty("data")[1].Str("version_id"));

        var list = (await _admin.Get($"/v1/configs?workspace_id={workspace}")).Ok();
        Assert.Equal(1, list.GetProperty("total").GetInt32());
        Assert.Equal(slug, list.GetProperty("data")[0].Str("slug"));

        (await _admin.Delete($"/v1/configs/{slug}")).Empty();
        (await _admin.Get($"/v1/configs/{slug}")).Failure(HttpStatusCode.NotFound, "AB08");
    }

    [Fact]
    public async Task Configs_WithErrors_400ListsEachPath()
    {
        var workspace = await NewWorkspaceAsync("configs-400");
        var body = (await _admin.Post("/v1/configs", $$$$"""
            {"name":"bad","workspace_id":"{{{{workspace}}}}","config":{"strategy":{"mode":"sometimes"},"targets":[{"provider":"nope"}],"retry":{"attempts":"x"}}}
            """)).Failure(HttpStatusCode.BadRequest, "AB01");
        var errors = body.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToArray();
        Assert.True(errors.Length >= 3, string.Join("\n", errors));
        Assert.Contains(errors, e => e.StartsWith("config.strategy.mode", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("config.targets[0].provider", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("config.retry.attempts", StringComparison.Ordinal));
        Assert.Equal(0, (await _admin.Get($"/v1/configs?workspace_id={workspace}")).Ok().GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Admin_WithoutOrWithWrongToken_401()
    {
        var anonymous = new AdminCalls(fixture.Client, null);
        (await anonymous.Get("/v1/admin/workspaces")).Failure(HttpStatusCode.Unauthorized, "AB05");
        (await anonymous.Post("/v1/virtual-keys", "{}")).Failure(HttpStatusCode.Unauthorized, "AB05");
        var wrong = new AdminCalls(fixture.Client, GatewayFixture.AdminToken + "x");
        (await wrong.Get("/v1/configs")).Failure(HttpStatusCode.Unauthorized, "AB05");
        (await wrong.Get("/v1/api-keys")).Failure(HttpStatusCode.Unauthorized, "AB05");

        var bearer = await anonymous.SendAsync(HttpMethod.Get, "/v1/admin/workspaces", null, h => h.Add("Authorization", $"Bearer {GatewayFixture.AdminToken}"));
        Assert.Equal("list", bearer.Ok().Str("object"));
    }
}
