using Switchyard.Gateway.Errors;
using Switchyard.Gateway.Tests.Security;

namespace Switchyard.Gateway.Tests.Routing;

/// <summary>Saved configs on the data path: by id in <c>x-portkey-config</c>, or as the API key's default.</summary>
public sealed class SavedConfigRoutingTests
{
    private const string ConfigM1 = """{"provider":"openai","api_key":"sk-cfg","override_params":{"model":"m1"}}""";

    private readonly KeyWorld _world = new();

    [Fact]
    public async Task Plan_SavedConfigId_UsesTheWorkspacesLatestVersion()
    {
        _world.AddConfig(_world.A, "pc-main-abc123", ConfigM1);
        var key = _world.AddApiKey(_world.A);
        await _world.RefreshAsync();

        var first = _world.FirstRequest(_world.Call(KeyWorld.Chat("x"), ("x-portkey-api-key", key), ("x-portkey-config", "pc-main-abc123")));
        _world.AddConfig(_world.A, "pc-main-abc123", ConfigM1.Replace("m1", "m2", StringComparison.Ordinal), version: 2);
        await _world.RefreshAsync();
        var second = _world.FirstRequest(_world.Call(KeyWorld.Chat("x"), ("x-portkey-api-key", key), ("x-portkey-config", " pc-main-abc123 ")));

        Assert.Equal(("m1", "Bearer sk-cfg"), (first.Call.Model, KeyWorld.Header(first, "Authorization")));
        Assert.Equal("m2", second.Call.Model);
    }

    [Fact]
    public async Task Plan_OtherWorkspacesConfig_Is403()
    {
        _world.AddConfig(_world.B, "pc-theirs-abc123", ConfigM1);
        var key = _world.AddApiKey(_world.A);
        await _world.RefreshAsync();

        var refused = Assert.Throws<GatewayException>(() => _world.Planner.Plan(_world.Call(KeyWorld.Chat("x"), ("x-portkey-api-key", key), ("x-portkey-config", "pc-theirs-abc123"))));

        Assert.Equal(403, refused.StatusCode);
        Assert.Equal("x-portkey-config names saved config 'pc-theirs-abc123', which this API key's workspace does not have. Use a config of the key's own workspace.", refused.Message);
    }

    [Fact]
    public async Task Plan_KeyDefaultConfig_AppliesWhenNeitherConfigNorProviderIsSent()
    {
        _world.AddConfig(_world.A, "pc-default-abc123", ConfigM1);
        var key = _world.AddApiKey(_world.A, k => k with { DefaultConfigSlug = "pc-default-abc123" });
        await _world.RefreshAsync();

        var byDefault = _world.FirstRequest(_world.Call(KeyWorld.Chat("x"), ("x-portkey-api-key", key)));
        var byProvider = _world.FirstRequest(_world.Call(KeyWorld.Chat("x"), ("x-portkey-api-key", key), ("x-portkey-provider", "anthropic"), ("x-api-key", "sk-ant")));

        Assert.Equal(("openai", "m1"), (byDefault.ProviderSlug, byDefault.Call.Model));
        Assert.Equal(("anthropic", "x"), (byProvider.ProviderSlug, byProvider.Call.Model));
    }

    [Fact]
    public async Task Plan_KeyDefaultConfigMissing_Is403NamingTheDefault()
    {
        var key = _world.AddApiKey(_world.A, k => k with { DefaultConfigSlug = "pc-gone-abc123" });
        await _world.RefreshAsync();

        var refused = Assert.Throws<GatewayException>(() => _world.Planner.Plan(_world.Call(KeyWorld.Chat("x"), ("x-portkey-api-key", key))));

        Assert.Equal(403, refused.StatusCode);
        Assert.StartsWith("This API key's default config names saved config 'pc-gone-abc123'", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_SavedConfigWithVirtualKeyTarget_ResolvesInTheCallersWorkspace()
    {
        _world.AddVirtualKey(_world.A, "oa", "openai", "sk-vk");
        _world.AddConfig(_world.A, "pc-vk-abc123", """{"virtual_key":"oa"}""");
        var key = _world.AddApiKey(_world.A);
        await _world.RefreshAsync();

        var request = _world.FirstRequest(_world.Call(KeyWorld.Chat("gpt-4o"), ("x-portkey-api-key", key), ("x-portkey-config", "pc-vk-abc123")));

        Assert.Equal("Bearer sk-vk", KeyWorld.Header(request, "Authorization"));
    }

    [Fact]
    public async Task Plan_EmptyConfigHeader_Is400()
    {
        await _world.RefreshAsync();

        var refused = Assert.Throws<GatewayException>(() => _world.Planner.Plan(_world.Call(KeyWorld.Chat("x"), ("x-portkey-config", "  "))));

        Assert.Equal(400, refused.StatusCode);
    }
}
