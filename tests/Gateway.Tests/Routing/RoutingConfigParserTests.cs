using System.Text.Json;
using Switchyard.Gateway.Routing;

namespace Switchyard.Gateway.Tests.Routing;

public sealed class RoutingConfigParserTests
{
    private const string FullExample = """
        {
          "strategy": { "mode": "fallback", "on_status_codes": [429, 503] },
          "override_params": { "temperature": 0.2, "model": "gpt-4o-mini" },
          "retry": { "attempts": 2 },
          "request_timeout": 30000,
          "custom_host": "https://llm-proxy.example.com/v1",
          "forward_headers": ["x-trace", "x-team"],
          "strict_open_ai_compliance": false,
          "unknown_key": { "ignored": true },
          "targets": [
            { "name": "big", "provider": "openai", "api_key": "sk-big", "weight": 0.7,
              "override_params": { "model": "gpt-4o", "max_tokens": 512 },
              "retry": { "attempts": 3, "on_status_codes": [429, 500], "use_retry_after_header": true },
              "request_timeout": 10000,
              "cache": { "mode": "simple", "max_age": 60 },
              "openai_project": "proj_1", "openai_organization": "org_1",
              "input_guardrails": [{ "default.wordCount": { "minWords": 1, "maxWords": 500 }, "deny": true }] },
            { "name": "small",
              "strategy": { "mode": "conditional",
                "conditions": [ { "query": { "metadata.tier": { "$eq": "pro" } }, "then": "pro" } ],
                "default": "free" },
              "cache": { "mode": "semantic" },
              "targets": [
                { "name": "pro", "virtual_key": "anthropic-prod", "retry": { "attempts": 1, "use_retry_after_headers": true } },
                { "name": "free", "provider": "azure-openai", "azure_resource_name": "res",
                  "azure_deployment_id": "dep", "aws_region": "us-east-1", "anthropic_version": "2023-06-01",
                  "vertex_service_account_json": { "type": "service_account" } }
              ] },
            { "strategy": { "mode": "loadbalance" },
              "targets": [
                { "provider": "groq", "weight": 3 },
                { "provider": "openai", "weight": 0 },
                { "strategy": { "mode": "single" }, "targets": [ { "provider": "anthropic" } ] }
              ] }
          ]
        }
        """;

    [Fact]
    public void Parse_FullNestedExample_ReadsEveryField()
    {
        var root = TestConfigs.Root(FullExample);

        Assert.Equal("config", root.Path);
        Assert.False(root.IsLeaf);
        Assert.Equal(StrategyMode.Fallback, root.Strategy!.Mode);
        Assert.Equal([429, 503], root.Strategy.OnStatusCodes!);
        Assert.Empty(root.Strategy.Conditions);
        Assert.Null(root.Strategy.Default);
        Assert.Equal(["temperature", "model"], root.OverrideParams.Select(p => p.Key));
        Assert.Equal(0.2, root.OverrideParams[0].Value.GetDouble());
        Assert.Equal("gpt-4o-mini", root.OverrideParams[1].Value.GetString());
        Assert.Equal(2, root.Retry!.Attempts);
        Assert.Equal([429, 500, 502, 503, 504], root.Retry.OnStatusCodes);
        Assert.False(root.Retry.UseRetryAfterHeader);
        Assert.Null(root.Cache);
        Assert.Equal(30000, root.RequestTimeoutMs);
        Assert.Equal("https://llm-proxy.example.com/v1", root.CustomHost);
        Assert.Equal(["x-trace", "x-team"], root.ForwardHeaders!);
        Assert.False(root.StrictOpenAiCompliance);
        Assert.Empty(root.ProviderOptions);
        Assert.Equal(3, root.Targets.Count);

        var big = root.Targets[0];
        Assert.Equal("config.targets[0]", big.Path);
        Assert.True(big.IsLeaf);
        Assert.Equal("big", big.Name);
        Assert.Equal("openai", big.Provider);
        Assert.Equal("sk-big", big.ApiKey);
        Assert.Null(big.VirtualKey);
        Assert.Equal(0.7, big.Weight);
        Assert.Null(big.Strategy);
        Assert.Equal(["model", "max_tokens"], big.OverrideParams.Select(p => p.Key));
        Assert.Equal(512, big.OverrideParams[1].Value.GetInt32());
        Assert.Equal(3, big.Retry!.Attempts);
        Assert.Equal([429, 500], big.Retry.OnStatusCodes);
        Assert.True(big.Retry.UseRetryAfterHeader);
        Assert.Equal(new CacheSettings("simple", 60), big.Cache);
        Assert.Equal(10000, big.RequestTimeoutMs);
        Assert.Null(big.CustomHost);
        Assert.Null(big.ForwardHeaders);
        Assert.Null(big.StrictOpenAiCompliance);
        Assert.Equal(
            new Dictionary<string, string> { ["openai_project"] = "proj_1", ["openai_organization"] = "org_1" },
            big.ProviderOptions.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary());

        var small = root.Targets[1];
        Assert.Equal("config.targets[1]", small.Path);
        Assert.Equal(1.0, small.Weight);
        Assert.Equal(StrategyMode.Conditional, small.Strategy!.Mode);
        Assert.Null(small.Strategy.OnStatusCodes);
        Assert.Equal("pro", Assert.Single(small.Strategy.Conditions).Then);
        Assert.Equal("free", small.Strategy.Default);
        Assert.Equal(new CacheSettings("semantic", null), small.Cache);

        var pro = small.Targets[0];
        Assert.Equal("config.targets[1].targets[0]", pro.Path);
        Assert.Equal("anthropic-prod", pro.VirtualKey);
        Assert.Null(pro.Provider);
        Assert.Null(pro.ApiKey);
        Assert.True(pro.Retry!.UseRetryAfterHeader);
        Assert.Equal(1, pro.Retry.Attempts);

        var free = small.Targets[1];
        Assert.Equal("config.targets[1].targets[1]", free.Path);
        Assert.Equal("azure-openai", free.Provider);
        Assert.Equal("res", free.ProviderOptions["azure_resource_name"]);
        Assert.Equal("dep", free.ProviderOptions["azure_deployment_id"]);
        Assert.Equal("us-east-1", free.ProviderOptions["aws_region"]);
        Assert.Equal("2023-06-01", free.ProviderOptions["anthropic_version"]);
        Assert.Equal("{ \"type\": \"service_account\" }", free.ProviderOptions["vertex_service_account_json"]);
        Assert.Equal(5, free.ProviderOptions.Count);

        var balanced = root.Targets[2];
        Assert.Equal(StrategyMode.LoadBalance, balanced.Strategy!.Mode);
        Assert.Equal([3.0, 0.0, 1.0], balanced.Targets.Select(t => t.Weight));
        var single = balanced.Targets[2];
        Assert.Equal("config.targets[2].targets[2]", single.Path);
        Assert.Equal(StrategyMode.Single, single.Strategy!.Mode);
        Assert.Equal("config.targets[2].targets[2].targets[0]", single.Targets[0].Path);
        Assert.Equal("anthropic", single.Targets[0].Provider);
    }

    [Fact]
    public void Parse_FullNestedExample_ConditionMatchesMetadata()
    {
        var small = TestConfigs.Root(FullExample).Targets[1];
        var pro = new RoutingFacts(JsonDocument.Parse("""{"tier":"pro"}""").RootElement, () => null, "/v1/chat/completions");
        var free = new RoutingFacts(JsonDocument.Parse("""{"tier":"free"}""").RootElement, () => null, "/v1/chat/completions");

        Assert.Same(small.Targets[0], ConditionalRouter.Route(small, pro));
        Assert.Same(small.Targets[1], ConditionalRouter.Route(small, free));
    }

    [Fact]
    public void Parse_OverrideParams_StayValidAndKeepDocumentOrder()
    {
        var root = TestConfigs.Root("""
            {"provider": "openai", "override_params": {"z": 1, "messages": [{"role": "system"}], "a": {"b": true}, "z": 2}}
            """);

        // A repeated key keeps its first position with its last value, as JSON.parse does.
        Assert.Equal(["z", "messages", "a"], root.OverrideParams.Select(p => p.Key));
        Assert.Equal("2", root.OverrideParams[0].Value.GetRawText());
        Assert.Equal("system", root.OverrideParams[1].Value[0].GetProperty("role").GetString());
        Assert.True(root.OverrideParams[2].Value.GetProperty("b").GetBoolean());
    }

    [Fact]
    public void Parse_MinimalLeaf_HasDefaults()
    {
        var root = TestConfigs.Root("""{"provider": "openai"}""");

        Assert.True(root.IsLeaf);
        Assert.Equal("config", root.Path);
        Assert.Null(root.Name);
        Assert.Equal(1.0, root.Weight);
        Assert.Null(root.Strategy);
        Assert.Empty(root.Targets);
        Assert.Empty(root.OverrideParams);
        Assert.Null(root.Retry);
        Assert.Null(root.Cache);
        Assert.Null(root.RequestTimeoutMs);
        Assert.Null(root.CustomHost);
        Assert.Null(root.ForwardHeaders);
        Assert.Null(root.StrictOpenAiCompliance);
        Assert.Empty(root.ProviderOptions);
    }

    [Fact]
    public void Parse_LeafWithoutProviderButDefaultProviderHeader_IsValid()
    {
        var root = TestConfigs.Root("""{"override_params": {"model": "gpt-4o"}}""", hasDefaultProvider: true);

        Assert.Null(root.Provider);
        Assert.Equal("model", Assert.Single(root.OverrideParams).Key);
    }

    [Fact]
    public void Parse_NullValues_CountAsAbsent()
    {
        var root = TestConfigs.Root("""{"provider": "openai", "name": null, "retry": null, "weight": null, "targets": null, "strategy": null}""");

        Assert.Null(root.Retry);
        Assert.Equal(1.0, root.Weight);
        Assert.True(root.IsLeaf);
    }

    [Theory]
    [InlineData("""{"attempts": 0}""", 0)]
    [InlineData("""{"attempts": 10}""", 10)]
    [InlineData("""{"attempts": 4.0}""", 4)]
    public void Parse_RetryAttemptsInRange_AreKept(string retry, int expected)
    {
        Assert.Equal(expected, TestConfigs.Root($$"""{"provider": "openai", "retry": {{retry}}}""").Retry!.Attempts);
    }

    [Theory]
    [InlineData("""{"attempts": 1}""", false)]
    [InlineData("""{"attempts": 1, "use_retry_after_header": true}""", true)]
    [InlineData("""{"attempts": 1, "use_retry_after_headers": true}""", true)]
    [InlineData("""{"attempts": 1, "use_retry_after_header": true, "use_retry_after_headers": false}""", false)]
    public void Parse_RetryAfterHeaderEitherSpelling_IsRead(string retry, bool expected)
    {
        Assert.Equal(expected, TestConfigs.Root($$"""{"provider": "openai", "retry": {{retry}}}""").Retry!.UseRetryAfterHeader);
    }

    [Fact]
    public void Parse_RetryEmptyStatusList_IsKeptEmpty()
    {
        Assert.Empty(TestConfigs.Root("""{"provider": "openai", "retry": {"attempts": 2, "on_status_codes": []}}""").Retry!.OnStatusCodes);
    }

    [Fact]
    public void Parse_MaxRetryAttemptsFromContext_IsTheUpperBound()
    {
        var context = TestConfigs.Context() with { MaxRetryAttempts = 3 };
        var result = RoutingConfigParser.Parse("""{"provider": "openai", "retry": {"attempts": 4}}"""u8, context);

        Assert.Equal(["config.retry.attempts: must be an integer from 0 to 3"], result.Errors);
    }

    [Fact]
    public void Parse_CustomHostAllowed_IsPassedToTheCheck()
    {
        var seen = new List<string>();
        var context = TestConfigs.Context() with { CheckCustomHost = host => { seen.Add(host); return null; } };
        var result = RoutingConfigParser.Parse("""{"provider": "openai", "custom_host": "http://localhost:11434"}"""u8, context);

        Assert.Equal("http://localhost:11434", result.Config!.Root.CustomHost);
        Assert.Equal(["http://localhost:11434"], seen);
    }

    [Fact]
    public void Parse_LoadBalanceWithSomeZeroWeights_IsValid()
    {
        var root = TestConfigs.Root("""
            {"strategy": {"mode": "loadbalance"}, "targets": [{"provider": "openai", "weight": 0}, {"provider": "groq", "weight": 0.5}]}
            """);

        Assert.Equal([0.0, 0.5], root.Targets.Select(t => t.Weight));
    }

    [Fact]
    public void Parse_ConditionalDuplicateNames_FirstTargetWins()
    {
        var root = TestConfigs.Root("""
            {"strategy": {"mode": "conditional", "conditions": [{"query": {}, "then": "a"}]},
             "targets": [{"name": "a", "provider": "openai"}, {"name": "a", "provider": "groq"}]}
            """);

        Assert.Same(root.Targets[0], ConditionalRouter.Route(root, new RoutingFacts(null, () => null, "/")));
    }

    [Fact]
    public void Parse_NonConditionalStrategy_IgnoresConditionsAndDefault()
    {
        var root = TestConfigs.Root("""
            {"strategy": {"mode": "fallback", "conditions": "nonsense", "default": 5}, "targets": [{"provider": "openai"}]}
            """);

        Assert.Empty(root.Strategy!.Conditions);
        Assert.Null(root.Strategy.Default);
    }

    [Fact]
    public void Parse_MaximumDepth_IsAccepted()
    {
        // The root object is level 1; 31 nested arrays under an ignored key make 32.
        var json = "{\"provider\": \"openai\", \"x\": " + new string('[', 31) + new string(']', 31) + "}";

        Assert.Empty(TestConfigs.Parse(json).Errors);
    }
}
