using System.Text;

namespace Switchyard.Bench.Load;

/// <summary>The bytes every contender sees: one realistic chat request, and the upstream's fixed answers to it.</summary>
internal static class Payloads
{
    public const string Model = "gpt-4o-mini";

    public static readonly string ChatRequest =
        $$"""{"model":"{{Model}}","messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Say hello to the benchmark in one short sentence."}],"max_tokens":64}""";

    public static readonly string StreamRequest =
        $$$"""{"model":"{{{Model}}}","messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Say hello to the benchmark in one short sentence."}],"max_tokens":64,"stream":true,"stream_options":{"include_usage":true}}""";

    /// <summary>An OpenAI chat completion as the cheap upstream returns it for every request.</summary>
    public static readonly string Completion =
        $$"""{"id":"chatcmpl-bench0000000000000001","object":"chat.completion","created":1700000000,"model":"{{Model}}","choices":[{"index":0,"message":{"role":"assistant","content":"Hello, benchmark! Nice to meet you.","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":31,"completion_tokens":9,"total_tokens":40},"system_fingerprint":"fp_bench"}""";

    /// <summary>Words of the cheap upstream's stream: one event each, then a finish event, a usage event and [DONE].</summary>
    public const int StreamWords = 50;

    public static readonly string Stream = BuildStream();

    private static string BuildStream()
    {
        const string Head = """{"id":"chatcmpl-bench0000000000000002","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini","system_fingerprint":"fp_bench","choices":""";
        var text = new StringBuilder();
        text.Append("data: ").Append(Head).Append("""[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}],"usage":null}""").Append("\n\n");
        for (var i = 0; i < StreamWords; i++)
        {
            text.Append("data: ").Append(Head).Append($$"""[{"index":0,"delta":{"content":"word{{i}} "},"logprobs":null,"finish_reason":null}],"usage":null}""").Append("\n\n");
        }

        text.Append("data: ").Append(Head).Append("""[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}""").Append("\n\n");
        text.Append("data: ").Append(Head).Append("""[],"usage":{"prompt_tokens":31,"completion_tokens":50,"total_tokens":81}}""").Append("\n\n");
        text.Append("data: [DONE]\n\n");
        return text.ToString();
    }
}
