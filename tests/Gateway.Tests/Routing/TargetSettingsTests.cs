using Switchyard.Gateway.Routing;

namespace Switchyard.Gateway.Tests.Routing;

public sealed class TargetSettingsTests
{
    private const string Tree = """
        {
          "strategy": {"mode": "fallback"},
          "override_params": {"model": "gpt-4o-mini", "temperature": 0.2, "top_p": 1},
          "retry": {"attempts": 3, "on_status_codes": [500]},
          "cache": {"mode": "simple", "max_age": 60},
          "request_timeout": 20000,
          "custom_host": "https://proxy.example.com",
          "forward_headers": ["x-trace"],
          "strict_open_ai_compliance": false,
          "targets": [
            {"provider": "openai",
             "override_params": {"max_tokens": 100, "model": "gpt-4o", "seed": 7},
             "retry": {"attempts": 1},
             "cache": {"mode": "semantic"}},
            {"strategy": {"mode": "single"},
             "override_params": {"temperature": 0.9},
             "request_timeout": 5000,
             "targets": [
               {"provider": "groq", "override_params": {"top_p": 0.5, "stop": ["\n"]},
                "custom_host": "https://groq.internal.example.com", "forward_headers": [], "strict_open_ai_compliance": true}
             ]},
            {"provider": "anthropic"}
          ]
        }
        """;

    private static IEnumerable<string> Render(TargetSettings settings) =>
        settings.OverrideParams.Select(p => $"{p.Key}={p.Value.GetRawText()}");

    [Fact]
    public void InheritInto_Root_TakesTheRootsOwnSettings()
    {
        var root = TestConfigs.Root(Tree);

        var settings = TargetSettings.Empty.InheritInto(root);

        Assert.Equal(["model=\"gpt-4o-mini\"", "temperature=0.2", "top_p=1"], Render(settings));
        Assert.Same(root.Retry, settings.Retry);
        Assert.Same(root.Cache, settings.Cache);
        Assert.Equal(20000, settings.RequestTimeoutMs);
        Assert.Equal("https://proxy.example.com", settings.CustomHost);
        Assert.Equal(["x-trace"], settings.ForwardHeaders!);
        Assert.False(settings.StrictOpenAiCompliance);
    }

    [Fact]
    public void InheritInto_ChildOverrideParams_ChildWinsInParentOrderThenNewKeys()
    {
        var root = TestConfigs.Root(Tree);

        var settings = TargetSettings.Empty.InheritInto(root).InheritInto(root.Targets[0]);

        Assert.Equal(["model=\"gpt-4o\"", "temperature=0.2", "top_p=1", "max_tokens=100", "seed=7"], Render(settings));
    }

    [Fact]
    public void InheritInto_ChildRetryAndCache_AreTakenWhole()
    {
        var root = TestConfigs.Root(Tree);

        var settings = TargetSettings.Empty.InheritInto(root).InheritInto(root.Targets[0]);

        // The child's retry replaces the parent's entirely: its status codes are the defaults, not [500].
        Assert.Equal(1, settings.Retry!.Attempts);
        Assert.Equal([429, 500, 502, 503, 504], settings.Retry.OnStatusCodes);
        Assert.Equal(new CacheSettings("semantic", null), settings.Cache);
        Assert.Equal(20000, settings.RequestTimeoutMs);
        Assert.Equal("https://proxy.example.com", settings.CustomHost);
        Assert.Equal(["x-trace"], settings.ForwardHeaders!);
        Assert.False(settings.StrictOpenAiCompliance);
    }

    [Fact]
    public void InheritInto_ThreeLevels_MergesEveryLevel()
    {
        var root = TestConfigs.Root(Tree);
        var middle = root.Targets[1];

        var settings = TargetSettings.Empty.InheritInto(root).InheritInto(middle).InheritInto(middle.Targets[0]);

        Assert.Equal(["model=\"gpt-4o-mini\"", "temperature=0.9", "top_p=0.5", "stop=[\"\\n\"]"], Render(settings));
        Assert.Equal(3, settings.Retry!.Attempts);
        Assert.Equal([500], settings.Retry.OnStatusCodes);
        Assert.Equal(new CacheSettings("simple", 60), settings.Cache);
        Assert.Equal(5000, settings.RequestTimeoutMs);
        Assert.Equal("https://groq.internal.example.com", settings.CustomHost);
        Assert.Empty(settings.ForwardHeaders!);
        Assert.True(settings.StrictOpenAiCompliance);
    }

    [Fact]
    public void InheritInto_ChildWithNothing_InheritsEverything()
    {
        var root = TestConfigs.Root(Tree);
        var parent = TargetSettings.Empty.InheritInto(root);

        var settings = parent.InheritInto(root.Targets[2]);

        Assert.Equal(parent, settings);
        Assert.Same(parent.OverrideParams, settings.OverrideParams);
    }

    [Fact]
    public void InheritInto_EmptyAndBareLeaf_StaysEmpty()
    {
        var leaf = TestConfigs.Root("""{"provider": "openai"}""");

        var settings = TargetSettings.Empty.InheritInto(leaf);

        Assert.Empty(settings.OverrideParams);
        Assert.Null(settings.Retry);
        Assert.Null(settings.Cache);
        Assert.Null(settings.RequestTimeoutMs);
        Assert.Null(settings.CustomHost);
        Assert.Null(settings.ForwardHeaders);
        Assert.Null(settings.StrictOpenAiCompliance);
    }

    [Fact]
    public void InheritInto_DoesNotChangeTheParent()
    {
        var root = TestConfigs.Root(Tree);
        var parent = TargetSettings.Empty.InheritInto(root);

        _ = parent.InheritInto(root.Targets[0]);

        Assert.Equal(["model=\"gpt-4o-mini\"", "temperature=0.2", "top_p=1"], Render(parent));
    }
}
