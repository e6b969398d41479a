using System.Text;
using Switchyard.Gateway.Routing;

namespace Switchyard.Gateway.Tests.Routing;

public sealed class RoutingConfigParserErrorTests
{
    private const string Modes = "single, fallback, loadbalance, conditional";
    private const string NoProvider = "names no provider; add 'provider' (or 'virtual_key', or a model \"@virtual-key/model\"), or send the x-portkey-provider header";

    /// <summary>A conditional config around one query, for query errors.</summary>
    private static string Conditional(string query) => $$"""
        {"strategy": {"mode": "conditional", "conditions": [{"query": {{query}}, "then": "a"}]},
         "targets": [{"name": "a", "provider": "openai"}]}
        """;

    public static TheoryData<string, string> SingleErrorCases() => new()
    {
        // Legacy and shape.
        { """{"options": [{"provider": "openai"}], "provider": "openai"}""", "config.options: this version of config is not supported; use 'targets' (see Portkey config v2)" },
        { """{"strategy": {"mode": "round-robin"}, "targets": [{"provider": "openai"}]}""", $"config.strategy.mode: must be one of {Modes} (got 'round-robin')" },
        { """{"strategy": {"mode": "Fallback"}, "targets": [{"provider": "openai"}]}""", $"config.strategy.mode: must be one of {Modes} (got 'Fallback')" },
        { """{"strategy": {"mode": 1}, "targets": [{"provider": "openai"}]}""", $"config.strategy.mode: must be one of {Modes}" },
        { """{"strategy": {}, "targets": [{"provider": "openai"}]}""", $"config.strategy.mode: required: one of {Modes}" },
        { """{"strategy": "fallback", "targets": [{"provider": "openai"}]}""", "config.strategy: must be an object" },
        { """{"strategy": {"mode": "fallback"}}""", "config.targets: 'strategy' needs a non-empty array of targets" },
        { """{"strategy": {"mode": "fallback"}, "targets": []}""", "config.targets: 'strategy' needs a non-empty array of targets" },
        { """{"strategy": {"mode": "fallback"}, "targets": {"provider": "openai"}}""", "config.targets: must be an array of targets" },
        { """{"strategy": {"mode": "fallback"}, "targets": [{"provider": "openai"}, "openai"]}""", "config.targets[1]: must be an object" },
        { """{"targets": [{"provider": "openai"}]}""", $"config.strategy: 'targets' needs a strategy (mode one of {Modes})" },
        { """{"strategy": {"mode": "fallback"}, "targets": [{"targets": [{"provider": "openai"}]}]}""", $"config.targets[0].strategy: 'targets' needs a strategy (mode one of {Modes})" },

        // Status codes.
        { """{"strategy": {"mode": "fallback", "on_status_codes": "429"}, "targets": [{"provider": "openai"}]}""", "config.strategy.on_status_codes: must be an array of HTTP status codes (integers from 100 to 599)" },
        { """{"strategy": {"mode": "fallback", "on_status_codes": [429, 99]}, "targets": [{"provider": "openai"}]}""", "config.strategy.on_status_codes[1]: must be an integer from 100 to 599" },
        { """{"strategy": {"mode": "fallback", "on_status_codes": [600]}, "targets": [{"provider": "openai"}]}""", "config.strategy.on_status_codes[0]: must be an integer from 100 to 599" },
        { """{"strategy": {"mode": "fallback", "on_status_codes": [429.5]}, "targets": [{"provider": "openai"}]}""", "config.strategy.on_status_codes[0]: must be an integer from 100 to 599" },
        { """{"strategy": {"mode": "fallback", "on_status_codes": ["429"]}, "targets": [{"provider": "openai"}]}""", "config.strategy.on_status_codes[0]: must be an integer from 100 to 599" },

        // Load balancing.
        { """{"strategy": {"mode": "loadbalance"}, "targets": [{"provider": "openai", "weight": "abc"}]}""", "config.targets[0].weight: must be a number >= 0" },
        { """{"strategy": {"mode": "loadbalance"}, "targets": [{"provider": "openai", "weight": -1}]}""", "config.targets[0].weight: must be a number >= 0" },
        { """{"strategy": {"mode": "loadbalance"}, "targets": [{"provider": "openai", "weight": 0}, {"provider": "groq", "weight": 0}]}""", "config.strategy: loadbalance needs at least one target with weight > 0" },
        { """{"strategy": {"mode": "fallback"}, "targets": [{"strategy": {"mode": "loadbalance"}, "targets": [{"provider": "openai", "weight": 0}]}]}""", "config.targets[0].strategy: loadbalance needs at least one target with weight > 0" },

        // Conditional structure.
        { """{"strategy": {"mode": "conditional"}, "targets": [{"name": "a", "provider": "openai"}]}""", "config.strategy.conditions: conditional mode needs a non-empty array of {query, then}" },
        { """{"strategy": {"mode": "conditional", "conditions": []}, "targets": [{"name": "a", "provider": "openai"}]}""", "config.strategy.conditions: conditional mode needs a non-empty array of {query, then}" },
        { """{"strategy": {"mode": "conditional", "conditions": {"query": {}, "then": "a"}}, "targets": [{"name": "a", "provider": "openai"}]}""", "config.strategy.conditions: conditional mode needs a non-empty array of {query, then}" },
        { """{"strategy": {"mode": "conditional", "conditions": [1]}, "targets": [{"name": "a", "provider": "openai"}]}""", "config.strategy.conditions[0]: must be an object with 'query' and 'then'" },
        { """{"strategy": {"mode": "conditional", "conditions": [{"then": "a"}]}, "targets": [{"name": "a", "provider": "openai"}]}""", "config.strategy.conditions[0].query: must be a query object" },
        { """{"strategy": {"mode": "conditional", "conditions": [{"query": "metadata.tier == 'pro'", "then": "a"}]}, "targets": [{"name": "a", "provider": "openai"}]}""", "config.strategy.conditions[0].query: must be a query object" },
        { """{"strategy": {"mode": "conditional", "conditions": [{"query": {}}]}, "targets": [{"name": "a", "provider": "openai"}]}""", "config.strategy.conditions[0].then: required: the name of a target" },
        { """{"strategy": {"mode": "conditional", "conditions": [{"query": {}, "then": 0}]}, "targets": [{"name": "a", "provider": "openai"}]}""", "config.strategy.conditions[0].then: must be the name of a target" },
        { """{"strategy": {"mode": "conditional", "conditions": [{"query": {}, "then": "ghost"}]}, "targets": [{"name": "a", "provider": "openai"}]}""", "config.strategy.conditions[0].then: no target named 'ghost' in config.targets" },
        { """{"strategy": {"mode": "conditional", "conditions": [{"query": {}, "then": "a"}], "default": "ghost"}, "targets": [{"name": "a", "provider": "openai"}]}""", "config.strategy.default: no target named 'ghost' in config.targets" },
        { """{"strategy": {"mode": "conditional", "conditions": [{"query": {}, "then": "a"}], "default": ["a"]}, "targets": [{"name": "a", "provider": "openai"}]}""", "config.strategy.default: must be the name of a target" },
        { """{"strategy": {"mode": "fallback"}, "targets": [{"strategy": {"mode": "conditional", "conditions": [{"query": {}, "then": "b"}]}, "targets": [{"name": "a", "provider": "openai"}]}, {"name": "b", "provider": "openai"}]}""", "config.targets[0].strategy.conditions[0].then: no target named 'b' in config.targets[0].targets" },

        // Query operators.
        { Conditional("""{"metadata.tier": {"$foo": 1}}"""), "config.strategy.conditions[0].query.metadata.tier: unsupported operator '$foo'" },
        { Conditional("""{"$foo": [{"metadata.tier": "pro"}]}"""), "config.strategy.conditions[0].query: unsupported operator '$foo'" },
        { Conditional("""{"metadata.tier": {"$and": [{"$eq": "pro"}]}}"""), "config.strategy.conditions[0].query.metadata.tier: unsupported operator '$and'" },
        { Conditional("""{"metadata.tier": {"tier": "pro"}}"""), "config.strategy.conditions[0].query.metadata.tier: unsupported operator 'tier'" },
        { Conditional("""{"$eq": "pro"}"""), """config.strategy.conditions[0].query: operator '$eq' needs a field, as in {"metadata.tier": {"$eq": ...}}""" },
        { Conditional("""{"metadata.tier": {"$in": "pro"}}"""), "config.strategy.conditions[0].query.metadata.tier.$in: must be an array" },
        { Conditional("""{"metadata.tier": {"$nin": {"a": 1}}}"""), "config.strategy.conditions[0].query.metadata.tier.$nin: must be an array" },
        { Conditional("""{"$and": {"metadata.tier": "pro"}}"""), "config.strategy.conditions[0].query.$and: must be an array of query objects" },
        { Conditional("""{"$or": [{"metadata.tier": "pro"}, "free"]}"""), "config.strategy.conditions[0].query.$or[1]: must be a query object" },
        { Conditional("""{"$and": [{"$or": [{"metadata.x": {"$bad": 1}}]}]}"""), "config.strategy.conditions[0].query.$and[0].$or[0].metadata.x: unsupported operator '$bad'" },
        { Conditional("""{"metadata.tier": {"$regex": 5}}"""), "config.strategy.conditions[0].query.metadata.tier.$regex: must be a string holding a regular expression" },
        { Conditional("""{"metadata.n": {"$gt": "abc"}}"""), "config.strategy.conditions[0].query.metadata.n.$gt: must be a number" },
        { Conditional("""{"metadata.n": {"$lte": [1]}}"""), "config.strategy.conditions[0].query.metadata.n.$lte: must be a number" },
        { Conditional("""{"user.id": "u1"}"""), "config.strategy.conditions[0].query.user.id: unknown field; conditions can read metadata.*, params.* and url.pathname" },
        { Conditional("""{"url.host": "x"}"""), "config.strategy.conditions[0].query.url.host: unknown field; conditions can read metadata.*, params.* and url.pathname" },
        { Conditional("""{"metadata..tier": "x"}"""), "config.strategy.conditions[0].query.metadata..tier: unknown field; conditions can read metadata.*, params.* and url.pathname" },
        { Conditional("""{"metadata.tier": {}}"""), """config.strategy.conditions[0].query.metadata.tier: must name at least one operator, e.g. {"$eq": ...}""" },

        // Retry.
        { """{"provider": "openai", "retry": {}}""", "config.retry.attempts: required: an integer from 0 to 10" },
        { """{"provider": "openai", "retry": {"attempts": 11}}""", "config.retry.attempts: must be an integer from 0 to 10" },
        { """{"provider": "openai", "retry": {"attempts": -1}}""", "config.retry.attempts: must be an integer from 0 to 10" },
        { """{"provider": "openai", "retry": {"attempts": 2.5}}""", "config.retry.attempts: must be an integer from 0 to 10" },
        { """{"provider": "openai", "retry": {"attempts": "3"}}""", "config.retry.attempts: must be an integer from 0 to 10" },
        { """{"strategy": {"mode": "fallback"}, "targets": [{"provider": "openai", "retry": {"attempts": 99}}]}""", "config.targets[0].retry.attempts: must be an integer from 0 to 10" },
        { """{"provider": "openai", "retry": 3}""", "config.retry: must be an object" },
        { """{"provider": "openai", "retry": {"attempts": 1, "on_status_codes": [429, 700]}}""", "config.retry.on_status_codes[1]: must be an integer from 100 to 599" },
        { """{"provider": "openai", "retry": {"attempts": 1, "on_status_codes": 429}}""", "config.retry.on_status_codes: must be an array of HTTP status codes (integers from 100 to 599)" },
        { """{"provider": "openai", "retry": {"attempts": 1, "use_retry_after_header": "yes"}}""", "config.retry.use_retry_after_header: must be true or false" },
        { """{"provider": "openai", "retry": {"attempts": 1, "use_retry_after_headers": 1}}""", "config.retry.use_retry_after_headers: must be true or false" },

        // Cache.
        { """{"provider": "openai", "cache": {"mode": "exact"}}""", "config.cache.mode: must be one of simple, semantic" },
        { """{"provider": "openai", "cache": {"max_age": 60}}""", "config.cache.mode: required: one of simple, semantic" },
        { """{"provider": "openai", "cache": "simple"}""", "config.cache: must be an object" },
        { """{"provider": "openai", "cache": {"mode": "simple", "max_age": 0}}""", "config.cache.max_age: must be a positive integer (seconds)" },
        { """{"provider": "openai", "cache": {"mode": "simple", "max_age": "60"}}""", "config.cache.max_age: must be a positive integer (seconds)" },
        { """{"provider": "openai", "cache": {"mode": "simple", "max_age": 1.5}}""", "config.cache.max_age: must be a positive integer (seconds)" },
        { """{"provider": "openai", "cache": {"mode": "semantic", "similarity_threshold": 1.5}}""", "config.cache.similarity_threshold: must be a number greater than 0 and at most 1" },
        { """{"provider": "openai", "cache": {"mode": "semantic", "similarity_threshold": 0}}""", "config.cache.similarity_threshold: must be a number greater than 0 and at most 1" },
        { """{"provider": "openai", "cache": {"mode": "semantic", "max_messages": 0}}""", "config.cache.max_messages: must be a positive integer (messages)" },
        { """{"provider": "openai", "cache": {"mode": "simple", "key_metadata": "yes"}}""", "config.cache.key_metadata: must be true or false" },
        { """{"provider": "openai", "cache": {"mode": "semantic", "embedding": "openai"}}""", "config.cache.embedding: must be an object naming an embeddings target: provider or virtual_key, and model" },
        { """{"provider": "openai", "cache": {"mode": "semantic", "embedding": {"provider": "openai"}}}""", "config.cache.embedding.model: required: the embedding model to call" },
        { """{"provider": "openai", "cache": {"mode": "semantic", "embedding": {"provider": "nope", "model": "m"}}}""", "config.cache.embedding.provider: unknown provider 'nope'" },
        { """{"provider": "openai", "cache": {"mode": "semantic", "embedding": {"provider": "openai", "model": "m", "cache": {"mode": "simple"}}}}""", "config.cache.embedding.cache: is not allowed in an embeddings target" },

        // Request settings.
        { """{"provider": "openai", "request_timeout": 0}""", "config.request_timeout: must be a positive integer (milliseconds)" },
        { """{"provider": "openai", "request_timeout": "1000"}""", "config.request_timeout: must be a positive integer (milliseconds)" },
        { """{"provider": "openai", "request_timeout": 1e12}""", "config.request_timeout: must be a positive integer (milliseconds)" },
        { """{"provider": "openai", "forward_headers": "x-trace"}""", "config.forward_headers: must be an array of header names" },
        { """{"provider": "openai", "forward_headers": ["x-trace", 1]}""", "config.forward_headers[1]: must be a header name" },
        { """{"provider": "openai", "forward_headers": [""]}""", "config.forward_headers[0]: must be a header name" },
        { """{"provider": "openai", "forward_headers": ["X-Portkey-Forward-Headers"]}""", "config.forward_headers[0]: may not list 'x-portkey-forward-headers' itself" },
        { """{"provider": "openai", "custom_host": "http://169.254.169.254/latest"}""", $"config.custom_host: {TestConfigs.RefusedHostMessage}" },
        { """{"provider": "openai", "custom_host": 8080}""", "config.custom_host: must be a string" },
        { """{"provider": "openai", "strict_open_ai_compliance": "false"}""", "config.strict_open_ai_compliance: must be true or false" },
        { """{"provider": "openai", "override_params": [["model", "gpt-4o"]]}""", "config.override_params: must be an object" },

        // Target identity.
        { """{"strategy": {"mode": "fallback"}, "targets": [{"provider": "openai"}, {"provider": "groq"}, {"provider": "foo"}]}""", "config.targets[2].provider: unknown provider 'foo'" },
        { """{"provider": "OpenAI"}""", "config.provider: unknown provider 'OpenAI'" },
        { """{"provider": ["openai"]}""", "config.provider: must be a string" },
        { """{"strategy": {"mode": "fallback"}, "targets": [{"provider": "openai", "name": 1}]}""", "config.targets[0].name: must be a string" },
        { """{"provider": "openai", "api_key": 42}""", "config.api_key: must be a string" },
        { """{"virtual_key": true}""", "config.virtual_key: must be a string" },
        { """{"provider": "openai", "aws_region": 5}""", "config.aws_region: must be a string" },
        { """{"strategy": {"mode": "fallback"}, "targets": [{"provider": "openai"}, {"override_params": {"model": "x"}}]}""", $"config.targets[1]: {NoProvider}" },
        { """{}""", $"config: {NoProvider}" },
        { """{"api_key": "sk-1"}""", $"config: {NoProvider}" },
    };

    [Theory]
    [MemberData(nameof(SingleErrorCases))]
    public void Parse_InvalidConfig_ReportsOneErrorWithItsPath(string json, string expected)
    {
        Assert.Equal(expected, TestConfigs.SingleError(json));
    }

    [Fact]
    public void Parse_InvalidRegex_ReportsTheRegexError()
    {
        var error = TestConfigs.SingleError(
            """
            {"strategy": {"mode": "conditional", "conditions": [{"query": {"metadata.tier": {"$regex": "(pro"}}, "then": "a"}]},
             "targets": [{"name": "a", "provider": "openai"}]}
            """);

        Assert.StartsWith("config.strategy.conditions[0].query.metadata.tier.$regex: not a valid regular expression (", error, StringComparison.Ordinal);
        Assert.Contains("(pro", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ManyProblems_ListsEveryErrorTopDown()
    {
        var result = TestConfigs.Parse("""
            {
              "options": [],
              "strategy": {"mode": "conditional", "on_status_codes": [1],
                "conditions": [{"query": {"metadata.tier": {"$like": "p%"}}, "then": "missing"}], "default": "b"},
              "retry": {"attempts": 50},
              "targets": [
                {"name": "a", "provider": "nope", "weight": -2, "cache": {"mode": "fuzzy"}},
                {"name": "b", "strategy": {"mode": "loadbalance"}, "targets": [{"provider": "openai", "weight": 0}, {"weight": 0}]}
              ]
            }
            """);

        Assert.Null(result.Config);
        Assert.Equal(
            [
                "config.options: this version of config is not supported; use 'targets' (see Portkey config v2)",
                "config.retry.attempts: must be an integer from 0 to 10",
                "config.strategy.on_status_codes[0]: must be an integer from 100 to 599",
                "config.strategy.conditions[0].query.metadata.tier: unsupported operator '$like'",
                "config.strategy.conditions[0].then: no target named 'missing' in config.targets",
                "config.targets[0].weight: must be a number >= 0",
                "config.targets[0].provider: unknown provider 'nope'",
                "config.targets[0].cache.mode: must be one of simple, semantic",
                "config.targets[1].strategy: loadbalance needs at least one target with weight > 0",
                $"config.targets[1].targets[1]: {NoProvider}",
            ],
            result.Errors);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{")]
    [InlineData("{\"provider\": \"openai\",}")]
    [InlineData("{'provider': 'openai'}")]
    [InlineData("{\"provider\": \"openai\"} {}")]
    [InlineData("{\"provider\": \"openai\"} x")]
    [InlineData("{\"provider\": \"openai\" /* note */}")]
    [InlineData("{\"provider\": \"open\nai\"}")]
    public void Parse_MalformedJson_ReportsReaderMessage(string json)
    {
        var error = TestConfigs.SingleError(json);

        Assert.StartsWith("config: must be a JSON object (", error, StringComparison.Ordinal);
        Assert.EndsWith(")", error, StringComparison.Ordinal);
        Assert.True(error.Length > "config: must be a JSON object ()".Length);
    }

    [Theory]
    [InlineData("[1, 2]", "config: must be a JSON object (found an array)")]
    [InlineData("\"openai\"", "config: must be a JSON object (found a string)")]
    [InlineData("42", "config: must be a JSON object (found a number)")]
    [InlineData("true", "config: must be a JSON object (found a boolean)")]
    [InlineData("null", "config: must be a JSON object (found null)")]
    public void Parse_JsonThatIsNotAnObject_ReportsWhatWasFound(string json, string expected)
    {
        Assert.Equal(expected, TestConfigs.SingleError(json));
    }

    [Fact]
    public void Parse_InvalidUtf8_ReportsEncoding()
    {
        byte[] json = [.. "{\"provider\": \""u8, 0xC3, 0x28, .. "\"}"u8];

        var result = RoutingConfigParser.Parse(json, TestConfigs.Context());

        Assert.Equal(["config: must be a JSON object (the text is not valid UTF-8)"], result.Errors);
    }

    [Theory]
    [InlineData("{\"provider\": \"\\uD800\"}")]
    [InlineData("{\"\\uDC00\": 1, \"provider\": \"openai\"}")]
    [InlineData("{\"provider\": \"openai\", \"override_params\": {\"\\uD800x\": 1}}")]
    public void Parse_LoneSurrogateEscapes_ReportsReaderMessage(string json)
    {
        var error = TestConfigs.SingleError(json);

        Assert.StartsWith("config: must be a JSON object (Cannot read ", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(33)]
    [InlineData(100)]
    [InlineData(100_000)]
    public void Parse_NestingDeeperThanLimit_ReportsDepth(int depth)
    {
        // Nested targets, the way a deep config would really be written.
        var json = new StringBuilder();
        for (var i = 0; i < depth / 2; i++)
        {
            json.Append("{\"strategy\": {\"mode\": \"single\"}, \"targets\": [");
        }

        json.Append(depth % 2 == 0 ? "{\"provider\": \"openai\"}" : "[]");
        for (var i = 0; i < depth / 2; i++)
        {
            json.Append("]}");
        }

        Assert.Equal("config: nested deeper than 32 levels", TestConfigs.SingleError(json.ToString()));
    }

    public static TheoryData<string> WrongTypeConfigs()
    {
        string[] keys =
        [
            "strategy", "targets", "name", "weight", "provider", "api_key", "virtual_key", "override_params", "retry",
            "cache", "request_timeout", "custom_host", "forward_headers", "strict_open_ai_compliance", "aws_region",
            "vertex_service_account_json", "options", "on_status_codes",
        ];
        string[] values = ["\"abc\"", "-1", "1.5", "1e400", "true", "null", "[]", "[null, 1, \"x\", {}]", "{}", "{\"mode\": {}}", "{\"attempts\": []}"];
        var data = new TheoryData<string>();
        foreach (var key in keys)
        {
            foreach (var value in values)
            {
                data.Add($$"""{"{{key}}": {{value}}}""");
                data.Add($$"""{"strategy": {"mode": "loadbalance"}, "targets": [{"{{key}}": {{value}}}]}""");
                data.Add($$"""{"strategy": {"mode": "conditional", "conditions": [{"query": {"metadata.x": {{value}}, "$or": {{value}}}, "then": {{value}}}], "{{key}}": {{value}}}, "targets": [{"name": "n"}]}""");
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(WrongTypeConfigs))]
    public void Parse_WrongTypes_NeverThrow(string json)
    {
        var result = TestConfigs.Parse(json);

        Assert.True(result.Config is not null || result.Errors.Count > 0);
        Assert.Equal(result.Config is null, result.Errors.Count > 0);
    }
}
