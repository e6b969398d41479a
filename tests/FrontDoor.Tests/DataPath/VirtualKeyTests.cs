using System.Net;
using System.Text.Json;
using Switchyard.FrontDoor.Tests.Admin;
using Switchyard.FrontDoor.Tests.Infrastructure;

namespace Switchyard.FrontDoor.Tests.DataPath;

/// <summary>
/// Virtual keys, saved configs, defaults and scopes on the data path, end to end: records made through the admin API,
/// requests through the gateway, the FakeProvider showing what reached the provider.
/// </summary>
public sealed class VirtualKeyTests(GatewayFixture fixture) : VirtualKeyTests<GatewayFixture>(fixture), IClassFixture<GatewayFixture>;

/// <summary>The same tests on the PostgreSQL store.</summary>
public sealed class PostgresVirtualKeyTests(PostgresGatewayFixture fixture) : VirtualKeyTests<PostgresGatewayFixture>(fixture), IClassFixture<PostgresGatewayFixture>;

public abstract class VirtualKeyTests<TFixture>(TFixture fixture)
    where TFixture : GatewayFixture
{
    private readonly AdminCalls _admin = new(fixture.Client, GatewayFixture.AdminToken);

    private async Task<string> WorkspaceAsync(string extra = "") =>
        (await _admin.Post("/v1/admin/workspaces", $$"""{"name":"team {{Guid.NewGuid():N}}"{{extra}}}""")).Ok().Str("id");

    private async Task<string> ApiKeyAsync(string workspace, string extra = "", string scopes = """["completions.write"]""") =>
        (await _admin.Post("/v1/api-keys/workspace/service", $$"""{"name":"app","scopes":{{scopes}},"workspace_id":"{{workspace}}"{{extra}}}""")).Ok().Str("key");

    private async Task<string> VirtualKeyAsync(string workspace, string secret, string provider = "openai") =>
        (await _admin.Post("/v1/virtual-keys", $$"""{"name":"vk {{Guid.NewGuid():N}}","provider":"{{provider}}","key":"{{secret}}","workspace_id":"{{workspace}}"}""")).Ok().Str("slug");

    private async Task<string> ConfigAsync(string workspace, string config) =>
        (await _admin.Post("/v1/configs", $$"""{"name":"cfg","config":{{config}},"workspace_id":"{{workspace}}"}""")).Ok().Str("slug");

    private static HttpRequestMessage WithKey(HttpRequestMessage request, string key) => request.WithHeader("x-portkey-api-key", key);

    private async Task<(HttpStatusCode Status, string Message)> RefusedAsync(HttpRequestMessage request)
    {
        using var response = await fixture.Client.SendAsync(request);
        var json = await response.JsonAsync();
        return (response.StatusCode, json.GetProperty("message").GetString()!);
    }

    private static string ModelSent(Switchyard.FakeProvider.Journal.JournalEntry entry)
    {
        using var body = JsonDocument.Parse(entry.Body);
        return body.RootElement.GetProperty("model").GetString()!;
    }

    [Fact]
    public async Task ModelAddress_FakeReceivesTheUnsealedSecretAndTheBareModel()
    {
        var workspace = await WorkspaceAsync();
        var key = await ApiKeyAsync(workspace);
        var slug = await VirtualKeyAsync(workspace, "sk-vk-secret-1");
        var scenario = Requests.NewScenario();

        using var response = await fixture.Client.SendAsync(WithKey(Requests.Chat($"@{slug}/fake-gpt|scenario={scenario}"), key)
            .WithHeader("x-portkey-custom-host", fixture.FakeBase));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("openai", response.Header("x-portkey-provider"));
        var received = Assert.Single(fixture.Fake.Journal.ForScenario(scenario));
        Assert.Equal("Bearer sk-vk-secret-1", received.Headers["Authorization"]);
        Assert.Equal($"fake-gpt|scenario={scenario}", ModelSent(received));
    }

    [Fact]
    public async Task VirtualKeyHeader_CallsWithTheVaultedSecret()
    {
        var workspace = await WorkspaceAsync();
        var key = await ApiKeyAsync(workspace);
        var slug = await VirtualKeyAsync(workspace, "sk-vk-secret-2");
        var scenario = Requests.NewScenario();

        using var response = await fixture.Client.SendAsync(WithKey(Requests.Chat($"fake-gpt|scenario={scenario}"), key)
            .WithHeader("x-portkey-virtual-key", slug).WithHeader("x-portkey-custom-host", fixture.FakeBase));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(fixture.Fake.Journal.ForScenario(scenario));
        Assert.Equal("Bearer sk-vk-secret-2", received.Headers["Authorization"]);
    }

    [Fact]
    public async Task ConfigTargetVirtualKeys_FallbackMovesToTheSecondKey()
    {
        var workspace = await WorkspaceAsync();
        var key = await ApiKeyAsync(workspace);
        var first = await VirtualKeyAsync(workspace, "sk-first");
        var second = await VirtualKeyAsync(workspace, "sk-second");
        var scenario = Requests.NewScenario();
        var config = $$$"""
            {"strategy":{"mode":"fallback"},"targets":[
              {"virtual_key":"{{{first}}}","custom_host":"{{{fixture.FakeBase}}}","override_params":{"model":"fake-gpt|scenario={{{scenario}}}|status=503"}},
              {"virtual_key":"{{{second}}}","custom_host":"{{{fixture.FakeBase}}}","override_params":{"model":"fake-gpt|scenario={{{scenario}}}"}}]}
            """.ReplaceLineEndings("");

        using var response = await fixture.Client.SendAsync(WithKey(Requests.Chat("fake-gpt"), key).WithHeader("x-portkey-config", config));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("config.targets[1]", response.Header("x-portkey-last-used-option-index"));
        var received = fixture.Fake.Journal.ForScenario(scenario);
        Assert.Equal(["Bearer sk-first", "Bearer sk-second"], received.Select(r => r.Headers["Authorization"]).ToArray());
    }

    [Fact]
    public async Task OtherWorkspace_VirtualKeyAndSavedConfig_Are403()
    {
        var workspaceA = await WorkspaceAsync();
        var workspaceB = await WorkspaceAsync();
        var keyOfA = await ApiKeyAsync(workspaceA);
        var vkOfB = await VirtualKeyAsync(workspaceB, "sk-b-secret");
        var configOfB = await ConfigAsync(workspaceB, $$"""{"provider":"openai","custom_host":"{{fixture.FakeBase}}"}""");
        var scenario = Requests.NewScenario();

        var viaHeader = await RefusedAsync(WithKey(Requests.Chat($"fake-gpt|scenario={scenario}"), keyOfA)
            .WithHeader("x-portkey-virtual-key", vkOfB).WithHeader("x-portkey-custom-host", fixture.FakeBase));
        var viaModel = await RefusedAsync(WithKey(Requests.Chat($"@{vkOfB}/fake-gpt|scenario={scenario}"), keyOfA)
            .WithHeader("x-portkey-custom-host", fixture.FakeBase));
        var viaConfig = await RefusedAsync(WithKey(Requests.Chat($"fake-gpt|scenario={scenario}"), keyOfA)
            .WithHeader("x-portkey-config", configOfB).WithHeader("Authorization", "Bearer sk-client"));

        Assert.Equal((HttpStatusCode.Forbidden, $"x-portkey-virtual-key names virtual key '{vkOfB}', which this API key's workspace does not have. Use a virtual key of the key's own workspace."), viaHeader);
        Assert.Equal((HttpStatusCode.Forbidden, $"model names virtual key '{vkOfB}', which this API key's workspace does not have. Use a virtual key of the key's own workspace."), viaModel);
        Assert.Equal((HttpStatusCode.Forbidden, $"x-portkey-config names saved config '{configOfB}', which this API key's workspace does not have. Use a config of the key's own workspace."), viaConfig);
        Assert.Empty(fixture.Fake.Journal.ForScenario(scenario));
    }

    [Fact]
    public async Task SavedConfig_ById_RoutesByTheLatestVersion()
    {
        var workspace = await WorkspaceAsync();
        var key = await ApiKeyAsync(workspace);
        var scenario = Requests.NewScenario();
        var slug = await ConfigAsync(workspace, Requests.Target(fixture, $"fake-gpt|scenario={scenario}", ",\"api_key\":\"sk-v1\""));

        using (var first = await fixture.Client.SendAsync(WithKey(Requests.Chat("ignored"), key).WithHeader("x-portkey-config", slug)))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        (await _admin.Put($"/v1/configs/{slug}", "{\"config\":" + Requests.Target(fixture, $"fake-gpt|scenario={scenario}", ",\"api_key\":\"sk-v2\"") + "}")).Ok();
        using (var second = await fixture.Client.SendAsync(WithKey(Requests.Chat("ignored"), key).WithHeader("x-portkey-config", slug)))
        {
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        }

        Assert.Equal(["Bearer sk-v1", "Bearer sk-v2"], fixture.Fake.Journal.ForScenario(scenario).Select(r => r.Headers["Authorization"]).ToArray());
    }

    [Fact]
    public async Task SavedConfig_AsTheKeysDefault_AppliesWithoutConfigOrProviderHeaders()
    {
        var workspace = await WorkspaceAsync();
        var scenario = Requests.NewScenario();
        var slug = await ConfigAsync(workspace, Requests.Target(fixture, $"fake-gpt|scenario={scenario}", ",\"api_key\":\"sk-default\""));
        var key = await ApiKeyAsync(workspace, $$""","defaults":{"config_id":"{{slug}}"}""");

        using var response = await fixture.Client.SendAsync(WithKey(Requests.Chat("ignored"), key));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(fixture.Fake.Journal.ForScenario(scenario));
        Assert.Equal("Bearer sk-default", received.Headers["Authorization"]);
    }

    [Fact]
    public async Task Metadata_WorkspaceThenKeyThenRequest_LaterWinsPerField()
    {
        var workspace = await WorkspaceAsync(""","defaults":{"metadata":{"env":"ws","team":"search"}}""");
        var key = await ApiKeyAsync(workspace, ""","defaults":{"metadata":{"env":"key","app":"bot"}}""");
        var trace = Requests.NewScenario();

        using var response = await fixture.Client.SendAsync(WithKey(Requests.Chat("fake-gpt").ToFake(fixture), key)
            .WithHeader("x-portkey-metadata", """{"app":"cli","user":"u-1"}""").WithHeader("x-portkey-trace-id", trace));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Eventually.Until(() => fixture.Calls.ContainsKey(trace));
        Assert.Equal("""{"env":"key","team":"search","app":"cli","user":"u-1"}""", fixture.Calls[trace].Metadata!.Value.GetRawText());
    }

    [Fact]
    public async Task Rotation_ThroughTheAdminApi_TakesEffectOnTheNextRequest()
    {
        var workspace = await WorkspaceAsync();
        var key = await ApiKeyAsync(workspace);
        var slug = await VirtualKeyAsync(workspace, "sk-before-rotation");
        var scenario = Requests.NewScenario();
        HttpRequestMessage Call() => WithKey(Requests.Chat($"@{slug}/fake-gpt|scenario={scenario}"), key).WithHeader("x-portkey-custom-host", fixture.FakeBase);

        using (var before = await fixture.Client.SendAsync(Call()))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        (await _admin.Put($"/v1/virtual-keys/{slug}", """{"key":"sk-after-rotation"}""")).Empty();
        using (var after = await fixture.Client.SendAsync(Call()))
        {
            Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        }

        Assert.Equal(["Bearer sk-before-rotation", "Bearer sk-after-rotation"], fixture.Fake.Journal.ForScenario(scenario).Select(r => r.Headers["Authorization"]).ToArray());
    }

    [Fact]
    public async Task Scopes_KeyWithoutCompletionsWrite_Is403()
    {
        var workspace = await WorkspaceAsync();
        var key = await ApiKeyAsync(workspace, scopes: """["logs.view"]""");

        var refused = await RefusedAsync(WithKey(Requests.Chat("fake-gpt").ToFake(fixture), key));

        Assert.Equal((HttpStatusCode.Forbidden, "This API key lacks the scope 'completions.write' that calling the gateway needs (it has: logs.view)."), refused);
    }

    [Fact]
    public async Task VirtualKey_OnAKeylessCall_ResolvesInTheDefaultWorkspaceOnly()
    {
        if (fixture is PostgresGatewayFixture)
        {
            // The cluster store has no keyless calls and so no default workspace: a key is always required.
            var keyless = await RefusedAsync(Requests.Chat("@any-vk/fake-gpt").WithHeader("x-portkey-custom-host", fixture.FakeBase));
            Assert.Equal(HttpStatusCode.Unauthorized, keyless.Status);
            return;
        }

        var other = await WorkspaceAsync();
        var vkOfOther = await VirtualKeyAsync(other, "sk-vk-other");
        var vkOfDefault = await VirtualKeyAsync("ws-default", "sk-vk-default");
        var scenario = Requests.NewScenario();

        using (var ok = await fixture.Client.SendAsync(Requests.Chat($"@{vkOfDefault}/fake-gpt|scenario={scenario}").WithHeader("x-portkey-custom-host", fixture.FakeBase)))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        Assert.Equal("Bearer sk-vk-default", Assert.Single(fixture.Fake.Journal.ForScenario(scenario)).Headers["Authorization"]);
        var refused = await RefusedAsync(Requests.Chat($"@{vkOfOther}/fake-gpt").WithHeader("x-portkey-custom-host", fixture.FakeBase));
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
    }
}
