using Switchyard.Providers.Streaming;
using static Switchyard.Providers.Tests.Gemini.GeminiCalls;

namespace Switchyard.Providers.Tests.Gemini;

public sealed class GeminiStreamTranslatorTests
{
    private const string Header = """{"id":"chatcmpl-r1","object":"chat.completion.chunk","created":1700000000,"model":"gemini-2.0-flash-001","choices":""";

    private static IStreamTranslator Translator() =>
        Adapter().CreateStreamTranslator(Call("""{"model":"gemini-2.0-flash","messages":[],"stream":true}""", stream: true));

    [Fact]
    public void Translate_TextChunks_EndWithFinishUsageAndDone()
    {
        var chunks = GeminiCalls.Translate(
            Translator(),
            """{"candidates":[{"content":{"parts":[{"text":"Hello"}],"role":"model"}}],"usageMetadata":{"promptTokenCount":4,"totalTokenCount":4},"modelVersion":"gemini-2.0-flash-001","responseId":"r1"}""",
            """{"candidates":[{"content":{"parts":[{"text":" world"}],"role":"model"},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":4,"candidatesTokenCount":2,"totalTokenCount":6},"modelVersion":"gemini-2.0-flash-001","responseId":"r1"}""");

        Assert.Equal(
            [
                Header + """[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}""",
                Header + """[{"index":0,"delta":{"content":"Hello"},"logprobs":null,"finish_reason":null}]}""",
                Header + """[{"index":0,"delta":{"content":" world"},"logprobs":null,"finish_reason":null}]}""",
                Header + """[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}""",
                Header + """[],"usage":{"prompt_tokens":4,"completion_tokens":2,"total_tokens":6}}""",
                "[DONE]",
            ],
            chunks);
    }

    [Fact]
    public void Translate_FunctionCall_IsOneToolCallDeltaAndFinishesWithToolCalls()
    {
        var chunks = GeminiCalls.Translate(
            Translator(),
            """{"candidates":[{"content":{"parts":[{"functionCall":{"name":"get_weather","args":{"city":"Oslo"}}}],"role":"model"},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":4,"candidatesTokenCount":5,"totalTokenCount":9}}""");

        const string header = """{"id":"chatcmpl-id1","object":"chat.completion.chunk","created":1700000000,"model":"gemini-2.0-flash","choices":""";
        Assert.Equal(
            [
                header + """[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}""",
                header + """[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_id2","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}}]},"logprobs":null,"finish_reason":null}]}""",
                header + """[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}]}""",
                header + """[],"usage":{"prompt_tokens":4,"completion_tokens":5,"total_tokens":9}}""",
                "[DONE]",
            ],
            chunks);
    }

    [Fact]
    public void Translate_NoFinishReasonYet_DoesNotEndTheStream()
    {
        var chunks = GeminiCalls.Translate(Translator(), """{"candidates":[{"content":{"parts":[{"text":"Hel"}],"role":"model"}}],"responseId":"r1"}""");

        Assert.Equal(2, chunks.Count);
        Assert.DoesNotContain("[DONE]", chunks);
    }

    [Fact]
    public void Translate_BlockedPrompt_EndsWithContentFilter()
    {
        var chunks = GeminiCalls.Translate(Translator(), """{"promptFeedback":{"blockReason":"SAFETY"},"responseId":"r1"}""");

        Assert.Equal(3, chunks.Count);
        Assert.Contains("\"finish_reason\":\"content_filter\"", chunks[1], StringComparison.Ordinal);
        Assert.Equal("[DONE]", chunks[2]);
    }

    [Fact]
    public void Translate_ErrorEvent_ThrowsUpstreamStreamException()
    {
        var exception = Assert.Throws<UpstreamStreamException>(() =>
            GeminiCalls.Translate(Translator(), """{"error":{"code":500,"message":"Internal error encountered.","status":"INTERNAL"}}"""));

        Assert.Equal("Internal error encountered.", exception.Message);
    }

    [Fact]
    public void Translate_MalformedEvent_ThrowsStreamProtocolException()
    {
        Assert.Throws<StreamProtocolException>(() => GeminiCalls.Translate(Translator(), """{"candidates": ["""));
    }
}
