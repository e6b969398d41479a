using Switchyard.Gateway.Errors;
using Switchyard.Gateway.Pipeline;
using Switchyard.Gateway.Routing;
using Switchyard.Gateway.Tests.Pipeline;
using Switchyard.Gateway.Tests.Routing;
using Switchyard.Gateway.Tests.Security;
using Switchyard.Gateway.Upstream;
using Switchyard.Providers.Dialects.Anthropic;

namespace Switchyard.Gateway.Tests.Targets;

/// <summary>A leaf, its settings and the header defaults turned into the provider's HTTP request (virtual keys: VirtualKeyRoutingTests).</summary>
public sealed class TargetRequestFactoryTests
{
    private readonly KeyWorld _world = new();

    private UpstreamRequest First(string body, params (string Name, string Value)[] headers) => _world.FirstRequest(_world.Call(body, headers));

    [Fact]
    public void Create_OpenAiClientToOpenAi_SendsTheClientsBytesWithItsCredential()
    {
        var body = KeyWorld.Chat("gpt-4o");

        var request = First(body, (GatewayHeaders.Provider, "openai"), (GatewayHeaders.Authorization, "Bearer sk-provider"));

        Assert.Equal("openai", request.ProviderSlug);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("https://api.openai.com/v1/chat/completions", request.Uri.ToString());
        Assert.Equal("Bearer sk-provider", KeyWorld.Header(request, "Authorization"));
        Assert.Equal(body, KeyWorld.Body(request));
        Assert.False(request.IsCustomHost);
        Assert.False(request.Stream);
    }

    [Fact]
    public void Create_Timeout_HeaderBeatsConfigBeatsTheGatewayDefault()
    {
        var body = KeyWorld.Chat("gpt-4o");
        const string config = """{"provider": "openai", "request_timeout": 7000}""";

        Assert.Equal(TimeSpan.FromMinutes(10), First(body, (GatewayHeaders.Provider, "openai")).Timeout);
        Assert.Equal(TimeSpan.FromSeconds(7), First(body, (GatewayHeaders.Config, config)).Timeout);
        Assert.Equal(TimeSpan.FromSeconds(2), First(body, (GatewayHeaders.Config, config), (GatewayHeaders.RequestTimeout, "2000")).Timeout);
    }

    [Fact]
    public void Create_OverrideParamsModel_ReplacesTheClientsModel()
    {
        var request = First(KeyWorld.Chat("gpt-4o"), (GatewayHeaders.Config, """{"provider": "openai", "override_params": {"model": "gpt-4o-mini"}}"""));

        Assert.Equal("gpt-4o-mini", request.Call.Model);
        Assert.Contains("\"gpt-4o-mini\"", KeyWorld.Body(request), StringComparison.Ordinal);
    }

    [Fact]
    public void Create_NoModelAnywhere_Is400()
    {
        var refusal = Assert.Throws<GatewayException>(() => First("""{"messages":[{"role":"user","content":"hi"}]}""", (GatewayHeaders.Provider, "openai")));

        Assert.Equal(400, refusal.StatusCode);
        Assert.StartsWith("'model' is required", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_LeafNamingNoProvider_Is400NamingItsPath()
    {
        var root = TestConfigs.Root("""{"strategy": {"mode": "fallback"}, "targets": [{"api_key": "sk-x"}]}""", hasDefaultProvider: true);
        var leaf = root.Targets[0];
        var defaults = new RouteDefaults(null, null, null, null, null, new Dictionary<string, string>());

        var refusal = Assert.Throws<GatewayException>(() =>
            _world.Factory.Create(leaf, TargetSettings.Empty.InheritInto(root).InheritInto(leaf), defaults, _world.Call(KeyWorld.Chat("gpt-4o"))));

        Assert.Equal(400, refusal.StatusCode);
        Assert.StartsWith("config.targets[0]: names no provider", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_ProviderOutsideTheKeysAllowList_Is403()
    {
        var secret = _world.AddApiKey(_world.A, key => key with { AllowedProviders = ["groq"] });
        await _world.RefreshAsync();

        var refusal = Assert.Throws<GatewayException>(() => First(KeyWorld.Chat("gpt-4o"), (GatewayHeaders.ApiKey, secret), (GatewayHeaders.Provider, "openai")));

        Assert.Equal(403, refusal.StatusCode);
        Assert.Equal("This API key may not use provider 'openai' (allowed: groq).", refusal.Message);
    }

    [Fact]
    public void Create_StreamWithoutUsageRequested_AsksForUsageAndDropsItsChunk()
    {
        var request = First("""{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"hi"}]}""", (GatewayHeaders.Provider, "openai"));

        Assert.True(request.Stream);
        Assert.True(request.DropUsageChunk);
        Assert.Contains("\"stream_options\":{\"include_usage\":true}", KeyWorld.Body(request), StringComparison.Ordinal);
    }

    [Fact]
    public void Create_CustomHostHeader_ReplacesTheBaseUrl()
    {
        var request = First(KeyWorld.Chat("gpt-4o"), (GatewayHeaders.Provider, "openai"), (GatewayHeaders.CustomHost, "http://127.0.0.1:9/v1"));

        Assert.True(request.IsCustomHost);
        Assert.Equal("http://127.0.0.1:9/v1/chat/completions", request.Uri.ToString());
    }

    [Fact]
    public void Create_ForwardHeaders_PassListedHeadersButNeverPortkeyOnes()
    {
        var request = First(KeyWorld.Chat("gpt-4o"),
            (GatewayHeaders.Provider, "openai"), ("x-team", "blue"), (GatewayHeaders.ForwardHeaders, "x-team, x-portkey-provider, x-absent"));

        Assert.Equal("blue", KeyWorld.Header(request, "x-team"));
        Assert.DoesNotContain(request.Headers, h => h.Key.StartsWith("x-portkey-", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(request.Headers, h => h.Key == "x-absent");
    }

    [Fact]
    public void Create_AnthropicClient_NativeToAnthropicTranslatedToOpenAi()
    {
        const string body = """{"model":"claude-sonnet-4-5","max_tokens":100,"messages":[{"role":"user","content":"hi"}]}""";
        var toAnthropic = TestCalls.Chat(body, AnthropicDialect.Instance, headers: [(GatewayHeaders.Provider, "anthropic"), (GatewayHeaders.XApiKey, "sk-ant")]);
        var toOpenAi = TestCalls.Chat(body, AnthropicDialect.Instance, headers: [(GatewayHeaders.Provider, "openai"), (GatewayHeaders.XApiKey, "sk-oa")]);

        var native = _world.FirstRequest(toAnthropic);
        var translated = _world.FirstRequest(toOpenAi);

        Assert.Equal(body, KeyWorld.Body(native));
        Assert.Equal("https://api.openai.com/v1/chat/completions", translated.Uri.ToString());
        Assert.NotEqual(body, KeyWorld.Body(translated));
        Assert.Contains("\"max_tokens\":100", KeyWorld.Body(translated), StringComparison.Ordinal);
        Assert.Equal("Bearer sk-oa", KeyWorld.Header(translated, "Authorization"));
    }
}
