using System.Text;

namespace Switchyard.Bench.Micro.Payloads;

/// <summary>
/// One streamed answer of <see cref="ContentDeltas"/> text deltas, as each provider frames it: OpenAI's
/// <c>data: {chunk}</c> events ending in <c>data: [DONE]</c> (about 50 events), and Anthropic's named message events.
/// </summary>
internal static class ChatStreams
{
    public const int ContentDeltas = 47;

    private static readonly string[] Deltas = Prose.Deltas(ContentDeltas).ToArray();

    /// <summary>Role chunk, 47 content chunks, finish chunk, usage-only chunk (stream_options.include_usage), [DONE].</summary>
    public static byte[] OpenAi()
    {
        const string head = """{"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_06737a9306","choices":""";
        var sse = new StringBuilder();
        void Event(string choices, string usage = "null") => sse.Append("data: ").Append(head).Append(choices).Append(",\"usage\":").Append(usage).Append("}\n\n");

        Event("""[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]""");
        foreach (var delta in Deltas)
        {
            Event($$$"""[{"index":0,"delta":{"content":{{{Prose.Quote(delta)}}}},"logprobs":null,"finish_reason":null}]""");
        }

        Event("""[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]""");
        Event("[]", """{"prompt_tokens":2095,"completion_tokens":47,"total_tokens":2142,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}""");
        sse.Append("data: [DONE]\n\n");
        return Encoding.UTF8.GetBytes(sse.ToString());
    }

    /// <summary>message_start, content_block_start, ping, 47 text deltas, content_block_stop, message_delta, message_stop.</summary>
    public static byte[] Anthropic()
    {
        var sse = new StringBuilder();
        void Event(string name, string data) => sse.Append("event: ").Append(name).Append("\ndata: ").Append(data).Append("\n\n");

        Event("message_start", """{"type":"message_start","message":{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":2095,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}}""");
        Event("content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}""");
        Event("ping", """{"type": "ping"}""");
        foreach (var delta in Deltas)
        {
            Event("content_block_delta", $$$"""{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":{{{Prose.Quote(delta)}}}}}""");
        }

        Event("content_block_stop", """{"type":"content_block_stop","index":0}""");
        Event("message_delta", """{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":47}}""");
        Event("message_stop", """{"type":"message_stop"}""");
        return Encoding.UTF8.GetBytes(sse.ToString());
    }
}
