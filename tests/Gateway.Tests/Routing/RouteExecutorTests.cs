using System.Net;
using System.Text.Json;
using Switchyard.Gateway.Errors;
using Switchyard.Gateway.Routing;
using Switchyard.Gateway.Tests.Health;
using Switchyard.Gateway.Tests.Pipeline;
using Switchyard.Gateway.Upstream;

namespace Switchyard.Gateway.Tests.Routing;

/// <summary>The config tree's walk, with a leaf call that answers from a script and records which leaves it was asked for.</summary>
public sealed class RouteExecutorTests
{
    private readonly List<(string Path, TargetSettings Settings)> _called = [];

    private static RoutePlan Plan(string configJson, string metadata = "{}") => new(
        new RoutingConfig(TestConfigs.Root(configJson)),
        new RouteDefaults(null, null, null, null, null, new Dictionary<string, string>()),
        new RoutingFacts(JsonDocument.Parse(metadata).RootElement, () => null, "/v1/chat/completions"));

    private static UpstreamOutcome Status(int status) =>
        UpstreamOutcome.Answered(new HttpResponseMessage((HttpStatusCode)status), "{}"u8.ToArray());

    /// <summary>A leaf call answering each leaf by its path; a leaf not in the script fails the test.</summary>
    private LeafCall Script(params (string Path, Func<UpstreamOutcome> Outcome)[] answers) => (leaf, settings, _) =>
    {
        _called.Add((leaf.Path, settings));
        var outcome = answers.Single(a => a.Path == leaf.Path).Outcome();
        return Task.FromResult(new RouteResult(outcome, leaf.Path, 0, CircuitTestKit.Request()));
    };

    private static Task<RouteResult> Run(RoutePlan plan, LeafCall leafCall)
    {
        var call = TestCalls.Chat(TestCalls.ChatBody("gpt-4o"));
        call.Plan = plan;
        return RouteExecutor.ExecuteAsync(call, leafCall);
    }

    private IEnumerable<string> CalledPaths => _called.Select(c => c.Path);

    [Fact]
    public async Task ExecuteAsync_SingleTarget_CallsTheRootLeafOnce()
    {
        await using var result = await Run(Plan("""{"provider": "openai"}"""), Script(("config", () => Status(200))));

        Assert.Equal(["config"], CalledPaths);
        Assert.Equal("config", result.OptionPath);
        Assert.Equal(200, result.Outcome.StatusCode);
    }

    [Fact]
    public async Task ExecuteAsync_FallbackFirstFails_TriesTheNextInOrderAndReturnsItsSuccess()
    {
        var plan = Plan("""{"strategy": {"mode": "fallback"}, "targets": [{"provider": "openai"}, {"provider": "groq"}, {"provider": "anthropic"}]}""");

        await using var result = await Run(plan, Script(
            ("config.targets[0]", () => Status(500)),
            ("config.targets[1]", () => Status(200)),
            ("config.targets[2]", () => Status(200))));

        Assert.Equal(["config.targets[0]", "config.targets[1]"], CalledPaths);
        Assert.Equal("config.targets[1]", result.OptionPath);
        Assert.True(result.Outcome.IsSuccess);
    }

    [Fact]
    public async Task ExecuteAsync_FallbackWithoutStatusCodes_MovesOnPastTimeoutAndNetworkFailure()
    {
        var plan = Plan("""{"strategy": {"mode": "fallback"}, "targets": [{"provider": "openai"}, {"provider": "groq"}, {"provider": "anthropic"}]}""");

        await using var result = await Run(plan, Script(
            ("config.targets[0]", () => UpstreamOutcome.TimedOut(TimeSpan.FromSeconds(1))),
            ("config.targets[1]", () => UpstreamOutcome.Failed("connection refused")),
            ("config.targets[2]", () => Status(200))));

        Assert.Equal(["config.targets[0]", "config.targets[1]", "config.targets[2]"], CalledPaths);
        Assert.Equal("config.targets[2]", result.OptionPath);
    }

    [Fact]
    public async Task ExecuteAsync_FallbackStatusNotInOnStatusCodes_StopsAtThatAnswer()
    {
        var plan = Plan("""{"strategy": {"mode": "fallback", "on_status_codes": [429]}, "targets": [{"provider": "openai"}, {"provider": "groq"}]}""");

        await using var result = await Run(plan, Script(("config.targets[0]", () => Status(500)), ("config.targets[1]", () => Status(200))));

        Assert.Equal(["config.targets[0]"], CalledPaths);
        Assert.Equal(500, result.Outcome.StatusCode);
    }

    [Fact]
    public async Task ExecuteAsync_FallbackStatusInOnStatusCodes_MovesOn()
    {
        var plan = Plan("""{"strategy": {"mode": "fallback", "on_status_codes": [429]}, "targets": [{"provider": "openai"}, {"provider": "groq"}]}""");

        await using var result = await Run(plan, Script(("config.targets[0]", () => Status(429)), ("config.targets[1]", () => Status(200))));

        Assert.Equal(["config.targets[0]", "config.targets[1]"], CalledPaths);
        Assert.Equal("config.targets[1]", result.OptionPath);
    }

    [Fact]
    public async Task ExecuteAsync_CircuitOpenNotInOnStatusCodes_StillMovesOn()
    {
        var plan = Plan("""{"strategy": {"mode": "fallback", "on_status_codes": [429]}, "targets": [{"provider": "openai"}, {"provider": "groq"}]}""");

        await using var result = await Run(plan, Script(
            ("config.targets[0]", () => UpstreamOutcome.CircuitOpen("circuit open", TimeSpan.FromSeconds(5))),
            ("config.targets[1]", () => Status(200))));

        Assert.Equal(["config.targets[0]", "config.targets[1]"], CalledPaths);
        Assert.Equal("config.targets[1]", result.OptionPath);
    }

    [Fact]
    public async Task ExecuteAsync_EveryFallbackTargetFails_ReturnsTheLastAnswer()
    {
        var plan = Plan("""{"strategy": {"mode": "fallback"}, "targets": [{"provider": "openai"}, {"provider": "groq"}]}""");

        await using var result = await Run(plan, Script(("config.targets[0]", () => Status(503)), ("config.targets[1]", () => Status(401))));

        Assert.Equal("config.targets[1]", result.OptionPath);
        Assert.Equal(401, result.Outcome.StatusCode);
    }

    [Fact]
    public async Task ExecuteAsync_LoadBalance_NeverPicksAZeroWeightTarget()
    {
        var plan = Plan("""{"strategy": {"mode": "loadbalance"}, "targets": [{"provider": "openai", "weight": 0}, {"provider": "groq", "weight": 1}]}""");
        var leafCall = Script(("config.targets[1]", () => Status(200)));

        for (var i = 0; i < 20; i++)
        {
            await using var result = await Run(plan, leafCall);
        }

        Assert.All(CalledPaths, path => Assert.Equal("config.targets[1]", path));
    }

    [Fact]
    public async Task ExecuteAsync_Conditional_CallsTheMatchingTargetElseRefuses400()
    {
        const string config = """
            {"strategy": {"mode": "conditional", "conditions": [{"query": {"metadata.tier": "pro"}, "then": "big"}]},
             "targets": [{"name": "small", "provider": "groq"}, {"name": "big", "provider": "openai"}]}
            """;

        await using (var result = await Run(Plan(config, """{"tier": "pro"}"""), Script(("config.targets[1]", () => Status(200)))))
        {
            Assert.Equal(["config.targets[1]"], CalledPaths);
        }

        var refusal = await Assert.ThrowsAsync<GatewayException>(() => Run(Plan(config, """{"tier": "free"}"""), Script()));
        Assert.Equal(400, refusal.StatusCode);
        Assert.Equal(GatewayErrorKind.InvalidRequest, refusal.Kind);
    }

    [Fact]
    public async Task ExecuteAsync_NestedNodes_LeafInheritsItsAncestorsSettings()
    {
        var plan = Plan("""
            {"retry": {"attempts": 2}, "request_timeout": 5000,
             "strategy": {"mode": "fallback"},
             "targets": [{"strategy": {"mode": "single"}, "override_params": {"temperature": 0}, "targets": [{"provider": "openai", "request_timeout": 100}]}]}
            """);

        await using var result = await Run(plan, Script(("config.targets[0].targets[0]", () => Status(200))));

        var settings = Assert.Single(_called).Settings;
        Assert.Equal(2, settings.Retry!.Attempts);
        Assert.Equal(100, settings.RequestTimeoutMs);
        Assert.Equal("temperature", Assert.Single(settings.OverrideParams).Key);
    }
}
