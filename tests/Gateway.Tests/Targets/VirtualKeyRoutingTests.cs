using Switchyard.Gateway.Errors;
using Switchyard.Gateway.Routing;
using Switchyard.Gateway.Tests.Security;

namespace Switchyard.Gateway.Tests.Targets;

/// <summary>Virtual keys on the data path: which one a target uses, what it is sent with, and who may use it.</summary>
public sealed class VirtualKeyRoutingTests
{
    private readonly KeyWorld _world = new();

    private async Task<string> KeyOfAAsync(Func<State.ApiKey, State.ApiKey>? shape = null)
    {
        var key = _world.AddApiKey(_world.A, shape);
        await _world.RefreshAsync();
        return key;
    }

    private static GatewayException Refused(Action action) => Assert.Throws<GatewayException>(action);

    [Fact]
    public async Task Create_HeaderVirtualKey_CallsItsProviderWithTheUnsealedSecret()
    {
        var vk = _world.AddVirtualKey(_world.A, "oa", "openai", "sk-a-secret");
        var key = await KeyOfAAsync();

        var request = _world.FirstRequest(_world.Call(KeyWorld.Chat("gpt-4o"), ("x-portkey-api-key", key), ("x-portkey-virtual-key", "oa")));

        Assert.Equal("openai", request.ProviderSlug);
        Assert.Equal("Bearer sk-a-secret", KeyWorld.Header(request, "Authorization"));
        Assert.Same(vk, request.VirtualKey);
    }

    [Fact]
    public async Task Create_HeaderVirtualKey_BeatsProviderHeaderAndBearer()
    {
        _world.AddVirtualKey(_world.A, "claude", "anthropic", "sk-ant-secret");
        var key = await KeyOfAAsync();

        var request = _world.FirstRequest(_world.Call(KeyWorld.Chat("claude-x"),
            ("x-portkey-api-key", key), ("x-portkey-virtual-key", "claude"), ("x-portkey-provider", "openai"), ("Authorization", "Bearer sk-client")));

        Assert.Equal("anthropic", request.ProviderSlug);
        Assert.Equal("sk-ant-secret", KeyWorld.Header(request, "x-api-key"));
    }

    [Fact]
    public async Task Create_VirtualKeyProviderOptions_FeedTheAdapter()
    {
        _world.AddVirtualKey(_world.A, "az", "azure-openai", "az-secret", new Dictionary<string, string>
        {
            ["azure_resource_name"] = "contoso",
            ["azure_deployment_id"] = "gpt4o-prod",
            ["azure_api_version"] = "2024-10-21",
        });
        var key = await KeyOfAAsync();

        var request = _world.FirstRequest(_world.Call(KeyWorld.Chat("gpt-4o"), ("x-portkey-api-key", key), ("x-portkey-virtual-key", "az")));

        Assert.Equal("https://contoso.openai.azure.com/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21", request.Uri.ToString());
        Assert.Equal("az-secret", KeyWorld.Header(request, "api-key"));
    }

    [Fact]
    public async Task Create_ModelAddress_UsesTheVirtualKeyAndRewritesOnlyTheModel()
    {
        var vk = _world.AddVirtualKey(_world.A, "oa-prod", "openai", "sk-a-secret");
        var key = await KeyOfAAsync();

        var request = _world.FirstRequest(_world.Call(
            """{"model":"@oa-prod/gpt-4o","messages":[{"role":"user","content":"hi"}],"temperature":0.5}""", ("x-portkey-api-key", key)));

        Assert.Same(vk, request.VirtualKey);
        Assert.Equal("Bearer sk-a-secret", KeyWorld.Header(request, "Authorization"));
        Assert.Equal("""{"messages":[{"role":"user","content":"hi"}],"temperature":0.5,"model":"gpt-4o"}""", KeyWorld.Body(request));
        Assert.Equal("gpt-4o", request.Call.Model);
    }

    [Fact]
    public async Task Create_ModelAddressInOverrideParams_IsResolvedToo()
    {
        _world.AddVirtualKey(_world.A, "claude", "anthropic", "sk-ant-secret");
        var key = await KeyOfAAsync();

        var request = _world.FirstRequest(_world.Call(KeyWorld.Chat("anything"),
            ("x-portkey-api-key", key), ("x-portkey-config", """{"override_params":{"model":"@claude/claude-sonnet-4"}}""")));

        Assert.Equal("anthropic", request.ProviderSlug);
        Assert.Equal("claude-sonnet-4", request.Call.Model);
    }

    [Fact]
    public async Task Create_ModelAddressThatIsNoVirtualKey_GoesAsIsWhenAProviderIsNamed()
    {
        var key = await KeyOfAAsync();

        var request = _world.FirstRequest(_world.Call(KeyWorld.Chat("@cf/meta/llama-3-8b"),
            ("x-portkey-api-key", key), ("x-portkey-provider", "openai"), ("Authorization", "Bearer sk-client")));

        Assert.Null(request.VirtualKey);
        Assert.Equal("@cf/meta/llama-3-8b", request.Call.Model);
        Assert.Equal("Bearer sk-client", KeyWorld.Header(request, "Authorization"));
    }

    [Fact]
    public async Task Create_OtherWorkspacesVirtualKey_Is403LikeAnUnknownOne()
    {
        _world.AddVirtualKey(_world.B, "b-only", "openai", "sk-b-secret");
        var key = await KeyOfAAsync();

        var viaHeader = Refused(() => _world.FirstRequest(_world.Call(KeyWorld.Chat("gpt-4o"), ("x-portkey-api-key", key), ("x-portkey-virtual-key", "b-only"))));
        var viaModel = Refused(() => _world.FirstRequest(_world.Call(KeyWorld.Chat("@b-only/gpt-4o"), ("x-portkey-api-key", key))));
        var unknown = Refused(() => _world.FirstRequest(_world.Call(KeyWorld.Chat("@nowhere/gpt-4o"), ("x-portkey-api-key", key))));

        Assert.Equal(403, viaHeader.StatusCode);
        Assert.Equal("x-portkey-virtual-key names virtual key 'b-only', which this API key's workspace does not have. Use a virtual key of the key's own workspace.", viaHeader.Message);
        Assert.Equal(403, viaModel.StatusCode);
        Assert.Equal("model names virtual key 'b-only', which this API key's workspace does not have. Use a virtual key of the key's own workspace.", viaModel.Message);
        Assert.Equal(viaModel.Message.Replace("b-only", "nowhere", StringComparison.Ordinal), unknown.Message);
    }

    [Fact]
    public async Task Create_ExpiredVirtualKey_Is401()
    {
        _world.AddVirtualKey(_world.A, "old", "openai", "sk-old", expiresAt: KeyWorld.Now.AddMinutes(-1));
        var key = await KeyOfAAsync();

        var refused = Refused(() => _world.FirstRequest(_world.Call(KeyWorld.Chat("gpt-4o"), ("x-portkey-api-key", key), ("x-portkey-virtual-key", "old"))));

        Assert.Equal(401, refused.StatusCode);
        Assert.Equal("virtual_key_expired_error: virtual key 'old' expired at 2026-05-01T11:59:00Z; extend it or create a new one with the admin API.", refused.Message);
    }

    [Fact]
    public async Task Create_VirtualKeyOnAKeylessCall_Is401()
    {
        _world.AddVirtualKey(_world.A, "oa", "openai", "sk-a-secret");
        await _world.RefreshAsync();

        var refused = Refused(() => _world.FirstRequest(_world.Call(KeyWorld.Chat("gpt-4o"), ("x-portkey-virtual-key", "oa"))));

        Assert.Equal(401, refused.StatusCode);
        Assert.StartsWith("x-portkey-virtual-key names virtual key 'oa', but virtual keys belong to a workspace: send a Switchyard API key", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_ConfigTargetVirtualKeys_EachFallbackTargetUsesItsOwn()
    {
        _world.AddVirtualKey(_world.A, "first", "openai", "sk-first");
        _world.AddVirtualKey(_world.A, "second", "anthropic", "sk-second");
        var key = await KeyOfAAsync();
        var call = _world.Call(KeyWorld.Chat("m"), ("x-portkey-api-key", key),
            ("x-portkey-config", """{"strategy":{"mode":"fallback"},"targets":[{"virtual_key":"first"},{"virtual_key":"second","override_params":{"model":"claude-x"}}]}"""));

        var first = _world.Request(call, 0);
        var second = _world.Request(call, 1);

        Assert.Equal(("openai", "Bearer sk-first", "first"), (first.ProviderSlug, KeyWorld.Header(first, "Authorization"), first.VirtualKey!.Slug));
        Assert.Equal(("anthropic", "sk-second", "second"), (second.ProviderSlug, KeyWorld.Header(second, "x-api-key"), second.VirtualKey!.Slug));
    }

    [Fact]
    public async Task Create_ConfigTargetVirtualKeyOfAnotherWorkspace_Is403NamingThePath()
    {
        _world.AddVirtualKey(_world.B, "theirs", "openai", "sk-b");
        var key = await KeyOfAAsync();
        var call = _world.Call(KeyWorld.Chat("m"), ("x-portkey-api-key", key),
            ("x-portkey-config", """{"strategy":{"mode":"fallback"},"targets":[{"provider":"openai","api_key":"x"},{"virtual_key":"theirs"}]}"""));

        var refused = Refused(() => _world.Request(call, 1));

        Assert.Equal(403, refused.StatusCode);
        Assert.StartsWith("config.targets[1].virtual_key names virtual key 'theirs', which this API key's workspace does not have.", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_VirtualKeysProvider_CountsForTheAllowList()
    {
        _world.AddVirtualKey(_world.A, "oa", "openai", "sk-a");
        var key = await KeyOfAAsync(k => k with { AllowedProviders = ["anthropic"] });

        var refused = Refused(() => _world.FirstRequest(_world.Call(KeyWorld.Chat("@oa/gpt-4o"), ("x-portkey-api-key", key))));

        Assert.Equal(403, refused.StatusCode);
        Assert.Equal("This API key may not use provider 'openai' (allowed: anthropic).", refused.Message);
    }

    [Fact]
    public async Task Create_ModelAllowList_ChecksTheBareModel()
    {
        _world.AddVirtualKey(_world.A, "oa", "openai", "sk-a");
        var key = await KeyOfAAsync(k => k with { AllowedModels = ["gpt-4o"] });

        var allowed = _world.FirstRequest(_world.Call(KeyWorld.Chat("@oa/gpt-4o"), ("x-portkey-api-key", key)));
        var refused = Refused(() => _world.FirstRequest(_world.Call(KeyWorld.Chat("@oa/o3"), ("x-portkey-api-key", key))));

        Assert.Equal("gpt-4o", allowed.Call.Model);
        Assert.Equal("This API key may not use model 'o3' (allowed: gpt-4o).", refused.Message);
    }

    [Fact]
    public async Task Create_RotatedSecret_IsUsedFromTheNextRefresh()
    {
        _world.AddVirtualKey(_world.A, "oa", "openai", "sk-old");
        var key = await KeyOfAAsync();
        var call = () => _world.Call(KeyWorld.Chat("@oa/gpt-4o"), ("x-portkey-api-key", key));
        var before = _world.FirstRequest(call());

        _world.AddVirtualKey(_world.A, "oa", "openai", "sk-new");
        var stale = _world.FirstRequest(call());
        await _world.RefreshAsync();
        var after = _world.FirstRequest(call());

        Assert.Equal("Bearer sk-old", KeyWorld.Header(before, "Authorization"));
        Assert.Equal("Bearer sk-old", KeyWorld.Header(stale, "Authorization"));
        Assert.Equal("Bearer sk-new", KeyWorld.Header(after, "Authorization"));
    }

    [Fact]
    public async Task Create_SecretSealedUnderAnotherMasterKey_Is500WithoutTheSecret()
    {
        var other = new Switchyard.Gateway.Security.SecretVault(new byte[32]);
        _world.AddVirtualKey(_world.A, "oa", "openai", "sk-a");
        var key = await KeyOfAAsync();
        var resolver = new Switchyard.Gateway.Security.VirtualKeyResolver(_world.Directory, () => other, _world.Time);

        var refused = Refused(() => resolver.Resolve(_world.Call(KeyWorld.Chat("m"), ("x-portkey-api-key", key)), "oa", "model"));

        Assert.Equal(500, refused.StatusCode);
        Assert.Equal("Virtual key 'oa' cannot be opened with this host's master key; set its secret again with the admin API (PUT /v1/virtual-keys/oa).", refused.Message);
    }

    [Fact]
    public async Task ProviderFor_ModelAddress_IsTheVirtualKeysProvider()
    {
        _world.AddVirtualKey(_world.A, "claude", "anthropic", "sk-ant");
        var key = await KeyOfAAsync();
        var call = _world.Call(KeyWorld.Chat("@claude/claude-x"), ("x-portkey-api-key", key));
        var plan = _world.Planner.Plan(call);
        var (leaf, settings) = RouteExecutor.FirstLeaf(plan);

        Assert.Equal("anthropic", _world.Factory.ProviderFor(leaf, settings, plan.Defaults, call));
    }
}
