using System.Text;
using Switchyard.Gateway.Routing;

namespace Switchyard.Gateway.Tests.Routing;

/// <summary>A validation context with a fixed provider list and custom-host rule, and parse shortcuts.</summary>
internal static class TestConfigs
{
    public const string RefusedHostMessage = "custom host is not allowed (private address)";

    private static readonly HashSet<string> KnownProviders = ["openai", "anthropic", "azure-openai", "groq"];

    public static ConfigValidationContext Context(bool hasDefaultProvider = false) => new(
        KnownProviders.Contains,
        host => host.Contains("169.254.", StringComparison.Ordinal) ? RefusedHostMessage : null,
        hasDefaultProvider);

    public static ConfigParseResult Parse(string json, bool hasDefaultProvider = false) =>
        RoutingConfigParser.Parse(Encoding.UTF8.GetBytes(json), Context(hasDefaultProvider));

    /// <summary>Parses a config that must be valid, failing the test with its errors otherwise.</summary>
    public static ConfigNode Root(string json, bool hasDefaultProvider = false)
    {
        var result = Parse(json, hasDefaultProvider);
        Assert.True(result.Config is not null, string.Join("\n", result.Errors));
        Assert.Empty(result.Errors);
        return result.Config.Root;
    }

    /// <summary>Compiles one query through a minimal conditional config.</summary>
    public static QueryCondition Query(string queryJson) =>
        Root($$"""
            {"strategy": {"mode": "conditional", "conditions": [{"query": {{queryJson}}, "then": "a"}]},
             "targets": [{"name": "a", "provider": "openai"}]}
            """).Strategy!.Conditions[0].Query;

    /// <summary>The single error a config must produce.</summary>
    public static string SingleError(string json, bool hasDefaultProvider = false)
    {
        var result = Parse(json, hasDefaultProvider);
        Assert.Null(result.Config);
        return Assert.Single(result.Errors);
    }
}
