using Microsoft.Extensions.DependencyInjection;
using Switchyard.Gateway.Security;
using Switchyard.State;

namespace Switchyard.FrontDoor.Tests.Infrastructure;

/// <summary>A workspace and an API key in it (its secret too), written straight to the gateway's store.</summary>
internal sealed record Tenant(Workspace Workspace, ApiKey Key, string Secret)
{
    /// <summary>
    /// A new workspace, priced at <paramref name="usdPerMillion"/> per million tokens for the fake's
    /// <paramref name="model"/>, and a key in it with the <c>completions.write</c> scope; the key directory reloaded.
    /// </summary>
    public static async Task<Tenant> CreateAsync(
        GatewayFixture fixture, TimeProvider clock, Limits? keyLimits = null, Limits? workspaceLimits = null, decimal usdPerMillion = 10_000m, string model = "fake-gpt")
    {
        var store = fixture.Services.GetRequiredService<IKeyStore>();
        var now = clock.GetUtcNow();
        var workspace = await store.AddWorkspaceAsync(new Workspace(
            $"ws_{Guid.NewGuid():N}", $"team-{Guid.NewGuid():N}"[..16], "Team", null, new Dictionary<string, string>(), workspaceLimits ?? Limits.None, false, now, now)
        {
            PriceOverrides = new Dictionary<string, ModelPriceOverride> { [$"openai/{model}"] = new(usdPerMillion, usdPerMillion) },
        }, default);
        var secret = ApiKeySecrets.Generate();
        var key = await store.AddApiKeyAsync(new ApiKey($"key_{Guid.NewGuid():N}", workspace.Id, "ci-bot", null, ApiKeySecrets.Hash(secret), ApiKeySecrets.Hint(secret),
            ["completions.write"], null, null, null, new Dictionary<string, string>(), keyLimits ?? Limits.None, null, null, now, now), default);
        await fixture.Services.GetRequiredService<KeyDirectory>().RefreshAsync(clock, default);
        return new Tenant(workspace, key, secret);
    }
}
