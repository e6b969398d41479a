using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Switchyard.FrontDoor.Tests.Admin;
using Switchyard.FrontDoor.Tests.Infrastructure;
using Switchyard.State;

namespace Switchyard.FrontDoor.Tests.Caching;

/// <summary>
/// The cache and the tenants: entries never cross workspaces, a hit is free against budgets and token limits but
/// counts as a request, and the admin API reads statistics and invalidates within a caller's scope. The fake's usage
/// for "free hit " and a 32-digit id with <c>max_tokens: 5</c> is 18 prompt + 5 completion tokens; at $0.01 a token a
/// call costs $0.23.
/// </summary>
public sealed class CacheTenancyTests(CachingFixture fixture) : IClassFixture<CachingFixture>
{
    private const string Simple = """{"cache":{"mode":"simple","max_age":300}}""";

    private readonly AdminCalls _admin = new(fixture.Client, GatewayFixture.AdminToken);

    private Task<Tenant> NewTenantAsync(Limits? keyLimits = null) => Tenant.CreateAsync(fixture, fixture.Clock, keyLimits);

    private async Task<HttpResponseMessage> SendAsync(Tenant tenant, string text = "hi", string config = Simple, string? @namespace = null)
    {
        var request = Requests.Chat("fake-gpt", text, extra: ",\"max_tokens\":5").ToFake(fixture).WithConfig(config).WithHeader("x-portkey-api-key", tenant.Secret);
        if (@namespace is not null)
        {
            request.WithHeader("x-portkey-cache-namespace", @namespace);
        }

        var response = await fixture.Client.SendAsync(request);
        var trace = response.Header("x-portkey-trace-id");
        await Eventually.Until(() => fixture.Calls.ContainsKey(trace));
        await fixture.Cache.FlushAsync(CancellationToken.None);
        return response;
    }

    private async Task<QuotaUsage?> SettledAsync(GovernedKind kind, string id, QuotaMeter meter)
    {
        var bank = fixture.Services.GetRequiredService<IQuotaBank>();
        QuotaUsage? usage = null;
        await Eventually.Until(() =>
        {
            usage = bank.UsageAsync(kind, id, default).GetAwaiter().GetResult().SingleOrDefault(u => u.Window.Meter == meter);
            return usage is null or { Reserved: 0 };
        });
        return usage;
    }

    [Fact]
    public async Task TwoWorkspaces_IdenticalRequests_NeverShareAnEntry()
    {
        var a = await NewTenantAsync();
        var b = await NewTenantAsync();
        var text = $"tenant-safe {Guid.NewGuid():N}";

        using var aMiss = await SendAsync(a, text);
        using var aHit = await SendAsync(a, text);
        using var bMiss = await SendAsync(b, text);
        using var bHit = await SendAsync(b, text);

        Assert.Equal("MISS", aMiss.Header("x-portkey-cache-status"));
        Assert.Equal("HIT", aHit.Header("x-portkey-cache-status"));
        Assert.Equal("MISS", bMiss.Header("x-portkey-cache-status"));
        Assert.Equal("HIT", bHit.Header("x-portkey-cache-status"));
        Assert.NotEqual(aMiss.Header("x-switchyard-cache-key"), bMiss.Header("x-switchyard-cache-key"));
    }

    [Fact]
    public async Task TwoWorkspaces_Paraphrases_NeverShareASemanticEntry()
    {
        var a = await NewTenantAsync();
        var b = await NewTenantAsync();
        const string Semantic = """{"cache":{"mode":"semantic","max_age":300}}""";

        using var aFirst = await SendAsync(a, "Who painted the Mona Lisa?", Semantic);
        using var aParaphrase = await SendAsync(a, "Which artist painted the Mona Lisa?", Semantic);
        using var bParaphrase = await SendAsync(b, "Which artist painted the Mona Lisa?", Semantic);

        Assert.Equal("SEMANTIC MISS", aFirst.Header("x-portkey-cache-status"));
        Assert.Equal("SEMANTIC HIT", aParaphrase.Header("x-portkey-cache-status"));
        Assert.Equal("SEMANTIC MISS", bParaphrase.Header("x-portkey-cache-status"));
        Assert.Equal("You said: Which artist painted", (await bParaphrase.JsonAsync()).GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
    }

    [Fact]
    public async Task Hit_CostsNothingAgainstTheBudget_AndCountsAsARequest()
    {
        var tenant = await NewTenantAsync(new Limits(
            new UsageLimits(10m, null, BudgetPeriod.None, "UTC", [], true),
            [new RateLimit(RateLimitKind.Requests, RateLimitUnit.PerMinute, 3), new RateLimit(RateLimitKind.Tokens, RateLimitUnit.PerMinute, 1000)],
            null));
        var text = $"free hit {Guid.NewGuid():N}";

        using var miss = await SendAsync(tenant, text);
        var afterMiss = await SettledAsync(GovernedKind.ApiKey, tenant.Key.Id, QuotaMeter.CostMicros);
        using var hit = await SendAsync(tenant, text);
        using var secondHit = await SendAsync(tenant, text);
        var afterHits = await SettledAsync(GovernedKind.ApiKey, tenant.Key.Id, QuotaMeter.CostMicros);
        var tokens = await SettledAsync(GovernedKind.ApiKey, tenant.Key.Id, QuotaMeter.Tokens);
        using var fourth = await SendAsync(tenant, text);

        Assert.Equal("HIT", hit.Header("x-portkey-cache-status"));
        Assert.Equal("HIT", secondHit.Header("x-portkey-cache-status"));
        Assert.Equal(230_000, afterMiss!.Used);
        Assert.Equal(230_000, afterHits!.Used);
        Assert.Equal(23, tokens!.Used);
        Assert.Equal(HttpStatusCode.TooManyRequests, fourth.StatusCode);
    }

    [Fact]
    public async Task Admin_StatisticsAndInvalidation_PerWorkspaceNamespaceModelAndKey()
    {
        var tenant = await NewTenantAsync();
        var other = await NewTenantAsync();
        using var miss = await SendAsync(tenant, "stats one");
        using var hit = await SendAsync(tenant, "stats one");
        using var namespaced = await SendAsync(tenant, "stats two", @namespace: "nightly");
        using var theirs = await SendAsync(other, "stats one");

        var stats = (await _admin.Get($"/v1/cache/stats?workspace_id={tenant.Workspace.Id}")).Ok();
        var rows = stats.GetProperty("data").EnumerateArray().ToDictionary(r => r.Str("namespace"));
        Assert.Equal(2, rows.Count);
        Assert.Equal(1, rows[""].GetProperty("entries").GetInt64());
        Assert.Equal(1, rows[""].GetProperty("hits").GetInt64());
        Assert.Equal(1, rows[""].GetProperty("misses").GetInt64());
        Assert.Equal(0.5, rows[""].GetProperty("hit_rate").GetDouble());
        Assert.Equal(1, rows["nightly"].GetProperty("entries").GetInt64());
        Assert.Equal(2, stats.GetProperty("total").GetProperty("entries").GetInt64());

        // One key, then a namespace: the other workspace keeps its entry throughout.
        var one = (await _admin.Post("/v1/cache/invalidate", $$"""{"workspace_id":"{{tenant.Workspace.Id}}","cache_key":"{{miss.Header("x-switchyard-cache-key")}}"}""")).Ok();
        Assert.Equal(1, one.GetProperty("deleted").GetInt64());
        using (var again = await SendAsync(tenant, "stats one"))
        {
            Assert.Equal("MISS", again.Header("x-portkey-cache-status"));
        }

        var byNamespace = (await _admin.Post("/v1/cache/invalidate", $$"""{"workspace_id":"{{tenant.Workspace.Id}}","namespace":"nightly"}""")).Ok();
        Assert.Equal(1, byNamespace.GetProperty("deleted").GetInt64());
        var byModel = (await _admin.Post("/v1/cache/invalidate", $$"""{"workspace_id":"{{tenant.Workspace.Id}}","model":"fake-gpt"}""")).Ok();
        Assert.Equal(1, byModel.GetProperty("deleted").GetInt64());
        using (var still = await SendAsync(other, "stats one"))
        {
            Assert.Equal("HIT", still.Header("x-portkey-cache-status"));
        }

        var byAge = (await _admin.Post("/v1/cache/invalidate", $$"""{"workspace_id":"{{other.Workspace.Id}}","older_than_seconds":0}""")).Ok();
        Assert.Equal(1, byAge.GetProperty("deleted").GetInt64());
        var audit = (await _admin.Get($"/v1/audit-logs?resource_type=cache&workspace_id={other.Workspace.Id}")).Ok();
        Assert.Equal("cache.delete", audit.GetProperty("records")[0].Str("action"));
    }

    [Fact]
    public async Task Admin_WorkspaceKey_SeesAndInvalidatesOnlyItsOwnWorkspace()
    {
        var tenant = await NewTenantAsync();
        var other = await NewTenantAsync();
        var created = (await _admin.Post("/v1/api-keys/workspace/service",
            $$"""{"name":"cache-admin","scopes":["cache.read","cache.delete"],"workspace_id":"{{tenant.Workspace.Id}}"}""")).Ok();
        var keyAdmin = new AdminCalls(fixture.Client, created.Str("key"));
        using var theirs = await SendAsync(other, "their entry");

        (await keyAdmin.Get($"/v1/cache/stats?workspace_id={other.Workspace.Id}")).Failure(HttpStatusCode.Forbidden, "AB03");
        (await keyAdmin.Post("/v1/cache/invalidate", $$"""{"workspace_id":"{{other.Workspace.Id}}"}""")).Failure(HttpStatusCode.Forbidden, "AB03");
        var mine = (await keyAdmin.Post("/v1/cache/invalidate", "{}")).Ok();
        Assert.Equal(0, mine.GetProperty("deleted").GetInt64());
        Assert.Equal(tenant.Workspace.Id, mine.Str("workspace_id"));
        (await _admin.Post("/v1/cache/invalidate", """{"cache_key":"not-a-key","older_than_seconds":-1}""")).Failure(HttpStatusCode.BadRequest, "AB01");
    }
}
