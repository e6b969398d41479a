namespace Switchyard.Bench.Micro.Payloads;

/// <summary>The routing strategies a Portkey config can name, as benchmark parameters.</summary>
public enum RoutingStrategy
{
    Fallback,
    LoadBalance,
    Conditional,
}

/// <summary>Portkey configs of the kind users paste into <c>x-portkey-config</c>: a few targets, overrides, retries.</summary>
internal static class RoutingConfigs
{
    /// <summary>OpenAI first, Anthropic when OpenAI is rate limited or down.</summary>
    public const string Fallback = """
        {"strategy":{"mode":"fallback","on_status_codes":[429,500,502,503]},
         "retry":{"attempts":2,"on_status_codes":[429]},
         "targets":[
          {"provider":"openai","api_key":"sk-proj-bench-0000000000000000","override_params":{"model":"gpt-4o-mini"}},
          {"provider":"anthropic","api_key":"sk-ant-bench-0000000000000000","override_params":{"model":"claude-sonnet-4-5","max_tokens":1024}}]}
        """;

    /// <summary>Traffic split 70/20/10 over two OpenAI keys and Groq.</summary>
    public const string LoadBalance = """
        {"strategy":{"mode":"loadbalance"},
         "targets":[
          {"provider":"openai","api_key":"sk-proj-bench-a","weight":0.7},
          {"provider":"openai","api_key":"sk-proj-bench-b","weight":0.2,"override_params":{"model":"gpt-4o"}},
          {"provider":"groq","api_key":"gsk-bench-c","weight":0.1,"override_params":{"model":"llama-3.1-8b-instant"}}]}
        """;

    /// <summary>
    /// Routes on <c>x-portkey-metadata</c>: research teams and EU regions, paid users, everyone else. The matching target
    /// is OpenAI-shaped like the other strategies' first targets, so the comparison is of routing, not of translation.
    /// </summary>
    public const string ConditionalOnMetadata = """
        {"strategy":{"mode":"conditional",
          "conditions":[
           {"query":{"$or":[{"metadata.team":{"$in":["research","ml"]}},{"metadata.region":{"$regex":"^eu-"}}]},"then":"eu"},
           {"query":{"metadata.user_plan":{"$eq":"paid"}},"then":"premium"}],
          "default":"free"},
         "targets":[
          {"name":"eu","provider":"openai","api_key":"sk-proj-bench-eu","override_params":{"model":"gpt-4o"}},
          {"name":"premium","provider":"anthropic","api_key":"sk-ant-bench-p","override_params":{"model":"claude-sonnet-4-5"}},
          {"name":"free","provider":"groq","api_key":"gsk-bench-f","override_params":{"model":"llama-3.1-8b-instant"}}]}
        """;

    /// <summary>Routes on the request body (<c>params.*</c>), which makes the gateway read the body as a document.</summary>
    public const string ConditionalOnParams = """
        {"strategy":{"mode":"conditional",
          "conditions":[{"query":{"params.model":{"$eq":"gpt-4o-mini"}},"then":"cheap"}],
          "default":"strong"},
         "targets":[
          {"name":"cheap","provider":"groq","api_key":"gsk-bench-c","override_params":{"model":"llama-3.1-8b-instant"}},
          {"name":"strong","provider":"openai","api_key":"sk-proj-bench-s"}]}
        """;

    /// <summary>The metadata <see cref="ConditionalOnMetadata"/> routes on: a support user in the EU, matched by the region regex.</summary>
    public const string Metadata = """{"user_plan":"free","team":"support","region":"eu-west-1","_user":"u-42"}""";

    public static string For(RoutingStrategy strategy) => strategy switch
    {
        RoutingStrategy.Fallback => Fallback,
        RoutingStrategy.LoadBalance => LoadBalance,
        RoutingStrategy.Conditional => ConditionalOnMetadata,
        _ => throw new ArgumentOutOfRangeException(nameof(strategy)),
    };
}
