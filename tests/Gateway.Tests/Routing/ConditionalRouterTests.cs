using System.Text.Json;
using Switchyard.Gateway.Routing;

namespace Switchyard.Gateway.Tests.Routing;

public sealed class ConditionalRouterTests
{
    private const string Router = """
        {"strategy": {"mode": "conditional",
           "conditions": [
             {"query": {"metadata.tier": "enterprise"}, "then": "big"},
             {"query": {"metadata.tier": {"$in": ["pro", "enterprise"]}}, "then": "medium"},
             {"query": {"params.max_tokens": {"$gt": 4000}}, "then": "big"}
           ]%DEFAULT%},
         "targets": [
           {"name": "small", "provider": "groq"},
           {"name": "medium", "provider": "openai"},
           {"name": "big", "provider": "anthropic"}
         ]}
        """;

    private static RoutingFacts Facts(string metadata, string body = "{}") =>
        new(JsonDocument.Parse(metadata).RootElement, () => JsonDocument.Parse(body).RootElement, "/v1/chat/completions");

    private static ConfigNode Node(bool withDefault = true) =>
        TestConfigs.Root(Router.Replace("%DEFAULT%", withDefault ? ", \"default\": \"small\"" : "", StringComparison.Ordinal));

    [Theory]
    [InlineData("""{"tier": "enterprise"}""", "{}", "config.targets[2]")]
    [InlineData("""{"tier": "pro"}""", "{}", "config.targets[1]")]
    [InlineData("""{"tier": "pro"}""", """{"max_tokens": 8000}""", "config.targets[1]")]
    [InlineData("""{"tier": "free"}""", """{"max_tokens": 8000}""", "config.targets[2]")]
    [InlineData("""{"tier": "free"}""", """{"max_tokens": 100}""", "config.targets[0]")]
    [InlineData("{}", "{}", "config.targets[0]")]
    public void Route_Facts_FirstMatchingConditionElseDefault(string metadata, string body, string expectedPath)
    {
        Assert.Equal(expectedPath, ConditionalRouter.Route(Node(), Facts(metadata, body))!.Path);
    }

    [Fact]
    public void Route_NoMatchAndNoDefault_ReturnsNull()
    {
        Assert.Null(ConditionalRouter.Route(Node(withDefault: false), Facts("""{"tier": "free"}""")));
    }

    [Fact]
    public void Route_MatchWithoutDefault_ReturnsThen()
    {
        Assert.Equal("medium", ConditionalRouter.Route(Node(withDefault: false), Facts("""{"tier": "pro"}"""))!.Name);
    }

    [Fact]
    public void Route_NotAConditionalNode_Throws()
    {
        var node = TestConfigs.Root("""{"strategy": {"mode": "fallback"}, "targets": [{"provider": "openai"}]}""");

        Assert.Throws<ArgumentException>(() => ConditionalRouter.Route(node, Facts("{}")));
    }

    [Fact]
    public void Route_Leaf_Throws()
    {
        Assert.Throws<ArgumentException>(() => ConditionalRouter.Route(TestConfigs.Root("""{"provider": "openai"}"""), Facts("{}")));
    }
}
