using Switchyard.Gateway.Errors;
using Switchyard.Gateway.Pipeline;
using Switchyard.Gateway.Tests.Security;

namespace Switchyard.Gateway.Tests.Routing;

/// <summary>The plan a call's headers make: the config it walks and the header defaults its leaves fall back on.</summary>
public sealed class RoutePlannerTests
{
    private readonly KeyWorld _world = new();

    private Switchyard.Gateway.Routing.RoutePlan Plan(params (string Name, string Value)[] headers) =>
        _world.Planner.Plan(_world.Call(KeyWorld.Chat("gpt-4o"), headers));

    private GatewayException Refusal(params (string Name, string Value)[] headers) =>
        Assert.Throws<GatewayException>(() => Plan(headers));

    [Fact]
    public void Plan_ProviderHeader_IsASingleLeafWithTheBearerAsCredential()
    {
        var plan = Plan((GatewayHeaders.Provider, "openai"), (GatewayHeaders.Authorization, "Bearer sk-provider"));

        Assert.True(plan.Config.Root.IsLeaf);
        Assert.Equal("openai", plan.Config.Root.Provider);
        Assert.Equal("openai", plan.Defaults.Provider);
        Assert.Equal("sk-provider", plan.Defaults.Credential);
        Assert.Null(plan.Defaults.RequestTimeout);
        Assert.Null(plan.Defaults.ForwardHeaders);
    }

    [Fact]
    public void Plan_UnknownProvider_Is400NamingIt()
    {
        var refusal = Refusal((GatewayHeaders.Provider, "no-such-provider"));

        Assert.Equal(400, refusal.StatusCode);
        Assert.StartsWith("Invalid provider passed: 'no-such-provider'.", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_NeitherConfigNorProvider_Is400()
    {
        var refusal = Refusal();

        Assert.Equal(GatewayErrorKind.InvalidRequest, refusal.Kind);
        Assert.StartsWith("Either x-portkey-config or x-portkey-provider header is required", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_InvalidInlineConfig_IsInvalidConfigListingEachProblem()
    {
        var refusal = Refusal((GatewayHeaders.Config, """{"strategy": {"mode": "fallback"}, "targets": []}"""));

        Assert.Equal(GatewayErrorKind.InvalidConfig, refusal.Kind);
        Assert.Equal(400, refusal.StatusCode);
        Assert.Equal("Invalid config passed", refusal.Message);
        Assert.NotEmpty(refusal.Errors);
    }

    [Fact]
    public void Plan_SameInlineConfigText_IsParsedOnce()
    {
        const string config = """{"strategy": {"mode": "fallback"}, "targets": [{"provider": "openai"}, {"provider": "groq"}]}""";

        var first = Plan((GatewayHeaders.Config, config));
        var second = Plan((GatewayHeaders.Config, config));

        Assert.Same(first.Config, second.Config);
        Assert.Equal(2, first.Config.Root.Targets.Count);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("1.5")]
    [InlineData("soon")]
    public void Plan_RequestTimeoutNotAPositiveWholeNumber_Is400(string value)
    {
        var refusal = Refusal((GatewayHeaders.Provider, "openai"), (GatewayHeaders.RequestTimeout, value));

        Assert.Equal(400, refusal.StatusCode);
        Assert.StartsWith("x-portkey-request-timeout must be a positive whole number of milliseconds", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_RequestTimeoutAndForwardHeaders_BecomeTheDefaults()
    {
        var plan = Plan((GatewayHeaders.Provider, "openai"), (GatewayHeaders.RequestTimeout, "2500"), (GatewayHeaders.ForwardHeaders, " x-team , x-user ,"));

        Assert.Equal(TimeSpan.FromMilliseconds(2500), plan.Defaults.RequestTimeout);
        Assert.Equal(["x-team", "x-user"], plan.Defaults.ForwardHeaders);
    }

    [Fact]
    public void Plan_ForwardHeadersListingItself_Is400()
    {
        var refusal = Refusal((GatewayHeaders.Provider, "openai"), (GatewayHeaders.ForwardHeaders, "x-team, X-Portkey-Forward-Headers"));

        Assert.Equal("x-portkey-forward-headers may not list itself.", refusal.Message);
    }

    [Fact]
    public void Plan_ProviderOptionHeaders_AreReadByTheirWireName()
    {
        var plan = Plan((GatewayHeaders.Provider, "openai"), ("x-portkey-openai-project", "proj-1"), ("x-team", "ignored"));

        Assert.Equal("proj-1", Assert.Single(plan.Defaults.ProviderOptions, o => o.Key == "openai_project").Value);
        Assert.DoesNotContain(plan.Defaults.ProviderOptions, o => o.Key.Contains("team", StringComparison.Ordinal));
    }

    [Fact]
    public void Plan_CustomHostOnAForbiddenAddress_Is400()
    {
        var refusal = Refusal((GatewayHeaders.Provider, "openai"), (GatewayHeaders.CustomHost, "http://169.254.169.254/v1"));

        Assert.Equal(400, refusal.StatusCode);
        Assert.StartsWith("Invalid custom host: ", refusal.Message, StringComparison.Ordinal);
    }
}
