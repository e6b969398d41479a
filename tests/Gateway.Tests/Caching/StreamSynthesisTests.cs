using System.Text;
using Switchyard.Gateway.Caching;

namespace Switchyard.Gateway.Tests.Caching;

public sealed class StreamSynthesisTests
{
    private static readonly ReplayStamp Stamp = new("chatcmpl-fresh", 1_700_000_000);

    private const string Head = """{"id":"chatcmpl-fresh","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o","system_fingerprint":"fp_1","choices":""";

    private static List<string> Chunks(string completion, bool chat = true, bool includeUsage = true) =>
        [.. StreamSynthesis.Chunks(Encoding.UTF8.GetBytes(completion), chat, Stamp, includeUsage).Select(Encoding.UTF8.GetString)];

    [Fact]
    public void Chunks_TextAnswer_AreRoleContentFinishUsageAndDone()
    {
        var chunks = Chunks("""{"id":"chatcmpl-old","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"caf\u00e9 \"ok\"","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11},"system_fingerprint":"fp_1"}""");

        Assert.Equal(
            [
                Head + """[{"index":0,"delta":{"role":"assistant","content":"","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":null}]}""",
                Head + """[{"index":0,"delta":{"content":"caf\u00e9 \"ok\""},"logprobs":null,"finish_reason":null}]}""",
                Head + """[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}""",
                Head + """[],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11,"prompt_tokens_details":{"cached_tokens":9}}}""",
                "[DONE]",
            ],
            chunks);
    }

    [Fact]
    public void Chunks_WithoutIncludeUsage_HaveNoUsageChunk()
    {
        var chunks = Chunks("""{"id":"x","object":"chat.completion","created":1,"model":"gpt-4o","system_fingerprint":"fp_1","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}""", includeUsage: false);

        Assert.Equal(
            [
                Head + """[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}""",
                Head + """[{"index":0,"delta":{"content":"Hi"},"logprobs":null,"finish_reason":null}]}""",
                Head + """[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}""",
                "[DONE]",
            ],
            chunks);
    }

    [Fact]
    public void Chunks_ToolCalls_OneChunkEachWithIndexIdTypeNameAndArguments()
    {
        var chunks = Chunks("""{"id":"x","object":"chat.completion","created":1,"model":"gpt-4o","system_fingerprint":"fp_1","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}},{"id":"call_2","type":"function","function":{"name":"get_time","arguments":"{}"}}],"refusal":null},"logprobs":null,"finish_reason":"tool_calls"}]}""");

        Assert.Equal(
            [
                Head + """[{"index":0,"delta":{"role":"assistant","content":null,"refusal":null},"logprobs":null,"finish_reason":null}]}""",
                Head + """[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}}]},"logprobs":null,"finish_reason":null}]}""",
                Head + """[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_2","type":"function","function":{"name":"get_time","arguments":"{}"}}]},"logprobs":null,"finish_reason":null}]}""",
                Head + """[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}]}""",
                "[DONE]",
            ],
            chunks);
    }

    [Fact]
    public void Chunks_Reasoning_StreamsBeforeTheContent()
    {
        var chunks = Chunks("""{"id":"x","object":"chat.completion","created":1,"model":"gpt-4o","system_fingerprint":"fp_1","choices":[{"index":0,"message":{"role":"assistant","content":"4","reasoning_content":"2+2=4"},"logprobs":null,"finish_reason":"stop"}]}""");

        Assert.Equal(
            [
                Head + """[{"index":0,"delta":{"role":"assistant","content":"","reasoning_content":""},"logprobs":null,"finish_reason":null}]}""",
                Head + """[{"index":0,"delta":{"reasoning_content":"2+2=4"},"logprobs":null,"finish_reason":null}]}""",
                Head + """[{"index":0,"delta":{"content":"4"},"logprobs":null,"finish_reason":null}]}""",
                Head + """[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}""",
                "[DONE]",
            ],
            chunks);
    }

    [Fact]
    public void Chunks_LogprobsAndChoiceExtras_GoWithTheContentAndTheFinish()
    {
        var chunks = Chunks("""{"id":"x","object":"chat.completion","created":1,"model":"gpt-4o","system_fingerprint":"fp_1","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"logprobs":{"content":[{"token":"Hi","logprob":-0.1}],"refusal":null},"finish_reason":"stop","stop_reason":null}]}""");

        Assert.Equal(
            [
                Head + """[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}""",
                Head + """[{"index":0,"delta":{"content":"Hi"},"logprobs":{"content":[{"token":"Hi","logprob":-0.1}],"refusal":null},"finish_reason":null}]}""",
                Head + """[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop","stop_reason":null}]}""",
                "[DONE]",
            ],
            chunks);
    }

    [Fact]
    public void Chunks_TwoChoices_EachHasItsRoleContentAndFinish()
    {
        var chunks = Chunks("""{"id":"x","object":"chat.completion","created":1,"model":"gpt-4o","system_fingerprint":"fp_1","choices":[{"index":0,"message":{"role":"assistant","content":"A"},"finish_reason":"stop"},{"index":1,"message":{"role":"assistant","content":"B"},"finish_reason":"length"}]}""");

        Assert.Equal(
            [
                Head + """[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}""",
                Head + """[{"index":0,"delta":{"content":"A"},"logprobs":null,"finish_reason":null}]}""",
                Head + """[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}""",
                Head + """[{"index":1,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}""",
                Head + """[{"index":1,"delta":{"content":"B"},"logprobs":null,"finish_reason":null}]}""",
                Head + """[{"index":1,"delta":{},"logprobs":null,"finish_reason":"length"}]}""",
                "[DONE]",
            ],
            chunks);
    }

    [Fact]
    public void Chunks_TextCompletion_AreTextCompletionChunks()
    {
        var chunks = Chunks(
            """{"id":"cmpl-old","object":"text_completion","created":1,"model":"gpt-3.5-turbo-instruct","choices":[{"text":"Once upon","index":0,"logprobs":null,"finish_reason":"length"}],"usage":{"prompt_tokens":4,"completion_tokens":2,"total_tokens":6}}""",
            chat: false);

        const string Text = """{"id":"chatcmpl-fresh","object":"text_completion","created":1700000000,"model":"gpt-3.5-turbo-instruct","choices":""";
        Assert.Equal(
            [
                Text + """[{"text":"Once upon","index":0,"logprobs":null,"finish_reason":null}]}""",
                Text + """[{"text":"","index":0,"logprobs":null,"finish_reason":"length"}]}""",
                Text + """[],"usage":{"prompt_tokens":4,"completion_tokens":2,"total_tokens":6,"prompt_tokens_details":{"cached_tokens":4}}}""",
                "[DONE]",
            ],
            chunks);
    }

    [Fact]
    public void Chunks_NotAnObject_ThrowsJsonException()
    {
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => Chunks("[]"));
    }
}
