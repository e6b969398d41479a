using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Switchyard.FrontDoor.Tests.Infrastructure;
using Switchyard.Gateway.Security;
using Switchyard.State;

namespace Switchyard.FrontDoor.Tests.DataPath;

/// <summary>Switchyard API keys on the data path: found by hash in the key directory; unknown, revoked and expired keys are 401; allow-lists are 403.</summary>
public sealed class ApiKeyAuthTests(GatewayFixture fixture) : ApiKeyAuthTests<GatewayFixture>(fixture), IClassFixture<GatewayFixture>;

/// <summary>The same tests on the PostgreSQL store.</summary>
public sealed class PostgresApiKeyAuthTests(PostgresGatewayFixture fixture) : ApiKeyAuthTests<PostgresGatewayFixture>(fixture), IClassFixture<PostgresGatewayFixture>;

public abstract class ApiKeyAuthTests<TFixture>(TFixture fixture)
    where TFixture : GatewayFixture
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private async Task<(string Key, ApiKey Record)> NewKeyAsync(Func<ApiKey, ApiKey>? shape = null)
    {
        var store = fixture.Services.GetRequiredService<IKeyStore>();
        var workspace = await store.AddWorkspaceAsync(new Workspace(
            $"ws_{Guid.NewGuid():N}", $"team-{Guid.NewGuid():N}"[..16], "Team", null, new Dictionary<string, string>(), Limits.None, false, Now, Now), default);
        var key = ApiKeySecrets.Generate();
        var record = new ApiKey($"key_{Guid.NewGuid():N}", workspace.Id, "test", null, ApiKeySecrets.Hash(key), ApiKeySecrets.Hint(key),
            ["completions.write"], null, null, null, new Dictionary<string, string>(), Limits.None, null, null, Now, Now);
        record = await store.AddApiKeyAsync(shape is null ? record : shape(record), default);
        await RefreshAsync();
        return (key, record);
    }

    private Task RefreshAsync() => fixture.Services.GetRequiredService<KeyDirectory>().RefreshAsync(TimeProvider.System, default);

    private async Task<(HttpStatusCode Status, string Message)> SendAsync(HttpRequestMessage request)
    {
        using var response = await fixture.Client.SendAsync(request);
        var json = await response.JsonAsync();
        return (response.StatusCode, json.TryGetProperty("message", out var message) ? message.GetString()! : "");
    }

    [Fact]
    public async Task ApiKey_PortkeyHeader_Authenticates()
    {
        var (key, record) = await NewKeyAsync();
        var trace = Requests.NewScenario();
        using var response = await fixture.Client.SendAsync(Requests.Chat("fake-gpt").ToFake(fixture).WithHeader("x-portkey-api-key", key).WithHeader("x-portkey-trace-id", trace));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Eventually.Until(() => fixture.Calls.ContainsKey(trace));
        Assert.Equal(record.WorkspaceId, fixture.Calls[trace].Workspace!.Id);
        Assert.Equal(record.Id, fixture.Calls[trace].ApiKey!.Id);
    }

    [Fact]
    public async Task ApiKey_AsBearer_IsNeverForwardedToTheProvider()
    {
        var (key, _) = await NewKeyAsync();
        var scenario = Requests.NewScenario();
        var request = Requests.Chat($"fake-gpt|scenario={scenario}").WithConfig(Requests.Target(fixture, $"fake-gpt|scenario={scenario}", ",\"api_key\":\"sk-provider\""));
        request.Headers.Authorization = new("Bearer", key);
        using var response = await fixture.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(fixture.Fake.Journal.ForScenario(scenario));
        Assert.Equal("Bearer sk-provider", received.Headers["Authorization"]);
        Assert.DoesNotContain(key, string.Join("\n", received.Headers.Values), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApiKey_Unknown_Is401()
    {
        var result = await SendAsync(Requests.Chat("fake-gpt").ToFake(fixture).WithHeader("x-portkey-api-key", ApiKeySecrets.Generate()));

        Assert.Equal(HttpStatusCode.Unauthorized, result.Status);
        Assert.Equal("Invalid API key: no such key. Check the key, or create one with the admin API.", result.Message);
    }

    [Fact]
    public async Task ApiKey_RevokedAfterUse_FailsOnTheNextRequest()
    {
        var (key, record) = await NewKeyAsync();
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(Requests.Chat("fake-gpt").ToFake(fixture).WithHeader("x-portkey-api-key", key))).Status);

        await fixture.Services.GetRequiredService<IKeyStore>().UpdateApiKeyAsync(record with { RevokedAt = DateTimeOffset.UtcNow }, default);
        await RefreshAsync();
        var result = await SendAsync(Requests.Chat("fake-gpt").ToFake(fixture).WithHeader("x-portkey-api-key", key));

        Assert.Equal(HttpStatusCode.Unauthorized, result.Status);
        Assert.Equal("Invalid API key: the key was revoked.", result.Message);
    }

    [Fact]
    public async Task ApiKey_Expired_Is401()
    {
        var (key, _) = await NewKeyAsync(k => k with { ExpiresAt = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero) });
        var result = await SendAsync(Requests.Chat("fake-gpt").ToFake(fixture).WithHeader("x-portkey-api-key", key));

        Assert.Equal(HttpStatusCode.Unauthorized, result.Status);
        Assert.Equal("Invalid API key: the key expired at 2020-01-01T00:00:00Z.", result.Message);
    }

    [Fact]
    public async Task ApiKey_ProviderNotAllowed_Is403()
    {
        var (key, _) = await NewKeyAsync(k => k with { AllowedProviders = ["anthropic"] });
        var result = await SendAsync(Requests.Chat("fake-gpt").ToFake(fixture).WithHeader("x-portkey-api-key", key));

        Assert.Equal(HttpStatusCode.Forbidden, result.Status);
        Assert.Equal("This API key may not use provider 'openai' (allowed: anthropic).", result.Message);
    }

    [Fact]
    public async Task ApiKey_ModelNotAllowed_Is403AndNeverReachesTheProvider()
    {
        var (key, _) = await NewKeyAsync(k => k with { AllowedModels = ["fake-gpt-mini"] });
        var scenario = Requests.NewScenario();
        var result = await SendAsync(Requests.Chat($"fake-gpt|scenario={scenario}").ToFake(fixture).WithHeader("x-portkey-api-key", key));

        Assert.Equal(HttpStatusCode.Forbidden, result.Status);
        Assert.StartsWith("This API key may not use model 'fake-gpt|scenario=", result.Message, StringComparison.Ordinal);
        Assert.Empty(fixture.Fake.Journal.ForScenario(scenario));
    }
}

/// <summary>Keys made and revoked through the admin API take effect on the data path with the next request.</summary>
public sealed class AdminIssuedKeyTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private async Task<System.Text.Json.JsonElement> AdminAsync(HttpMethod method, string path, string? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("x-portkey-api-key", GatewayFixture.AdminToken);
        if (body is not null)
        {
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        }

        using var response = await fixture.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.JsonAsync();
    }

    [Fact]
    public async Task ApiKey_CreatedThenRevokedByAdmin_WorksThenFailsOnTheNextRequest()
    {
        var workspace = (await AdminAsync(HttpMethod.Post, "/v1/admin/workspaces", $$"""{"name":"team {{Guid.NewGuid():N}}"}""")).GetProperty("id").GetString();
        var created = await AdminAsync(HttpMethod.Post, "/v1/api-keys/workspace/service", $$"""{"name":"app","scopes":["completions.write"],"workspace_id":"{{workspace}}"}""");
        var key = created.GetProperty("key").GetString()!;

        using (var first = await fixture.Client.SendAsync(Requests.Chat("fake-gpt").ToFake(fixture).WithHeader("x-portkey-api-key", key)))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        await AdminAsync(HttpMethod.Delete, $"/v1/api-keys/{created.GetProperty("id").GetString()}");
        using var second = await fixture.Client.SendAsync(Requests.Chat("fake-gpt").ToFake(fixture).WithHeader("x-portkey-api-key", key));

        Assert.Equal(HttpStatusCode.Unauthorized, second.StatusCode);
    }
}
