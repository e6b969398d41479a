using System.Text;

namespace Switchyard.Bench.Micro.Payloads;

/// <summary>Non-streamed answers, about 2 KB each, with the same assistant text in each provider's shape.</summary>
internal static class ProviderAnswers
{
    private static readonly string Answer = Prose.Text(1600, seed: 3);

    /// <summary>An Anthropic Messages answer (<c>POST /v1/messages</c>).</summary>
    public static byte[] AnthropicMessage() => Encoding.UTF8.GetBytes($$$"""
        {"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929",
        "content":[{"type":"text","text":{{{Prose.Quote(Answer)}}}}],
        "stop_reason":"end_turn","stop_sequence":null,
        "usage":{"input_tokens":2095,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":503}}
        """.Replace("\n", "", StringComparison.Ordinal));

    /// <summary>An OpenAI <c>chat.completion</c>, as it reaches an Anthropic client's dialect.</summary>
    public static byte[] OpenAiCompletion() => Encoding.UTF8.GetBytes($$$"""
        {"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion","created":1741569952,"model":"gpt-4o-mini-2024-07-18",
        "choices":[{"index":0,"message":{"role":"assistant","content":{{{Prose.Quote(Answer)}}},"refusal":null,"annotations":[]},
        "logprobs":null,"finish_reason":"stop"}],
        "usage":{"prompt_tokens":2095,"completion_tokens":503,"total_tokens":2598,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},
        "completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},
        "service_tier":"default","system_fingerprint":"fp_06737a9306"}
        """.Replace("\n", "", StringComparison.Ordinal));
}
