using System.Text;
using Switchyard.Providers.Streaming;
using static Switchyard.Providers.Tests.Cohere.CohereCalls;

namespace Switchyard.Providers.Tests.Cohere;

public sealed class CohereStreamTranslatorTests
{
    private const string Header = """{"id":"m1","object":"chat.completion.chunk","created":1700000000,"model":"command-a-03-2025","choices":""";

    private const string MessageStart = """{"id":"m1","type":"message-start","delta":{"message":{"role":"assistant","content":[],"tool_plan":"","tool_calls":[],"citations":[]}}}""";

    private static IStreamTranslator Translator() =>
        Adapter().CreateStreamTranslator(Call("""{"model":"command-a-03-2025","messages":[],"stream":true}""", stream: true));

    [Fact]
    public void Translate_TextEvents_EndWithFinishUsageAndDone()
    {
        var chunks = CohereCalls.Translate(
            Translator(),
            MessageStart,
            """{"type":"content-start","index":0,"delta":{"message":{"content":{"type":"text","text":""}}}}""",
            """{"type":"content-delta","index":0,"delta":{"message":{"content":{"text":"Hello"}}},"logprobs":null}""",
            """{"type":"content-delta","index":0,"delta":{"message":{"content":{"text":" world"}}}}""",
            """{"type":"content-end","index":0}""",
            """{"type":"message-end","delta":{"finish_reason":"COMPLETE","usage":{"billed_units":{"input_tokens":3,"output_tokens":2},"tokens":{"input_tokens":40,"output_tokens":2}}}}""");

        Assert.Equal(
            [
                Header + """[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}""",
                Header + """[{"index":0,"delta":{"content":"Hello"},"logprobs":null,"finish_reason":null}]}""",
                Header + """[{"index":0,"delta":{"content":" world"},"logprobs":null,"finish_reason":null}]}""",
                Header + """[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}""",
                Header + """[],"usage":{"prompt_tokens":40,"completion_tokens":2,"total_tokens":42}}""",
                "[DONE]",
            ],
            chunks);
    }

    [Fact]
    public void Translate_ToolCallEvents_AreToolCallDeltas()
    {
        var chunks = CohereCalls.Translate(
            Translator(),
            MessageStart,
            """{"type":"tool-plan-delta","delta":{"message":{"tool_plan":"I will"}}}""",
            """{"type":"tool-call-start","index":0,"delta":{"message":{"tool_calls":{"id":"get_weather_x","type":"function","function":{"name":"get_weather","arguments":""}}}}}""",
            """{"type":"tool-call-delta","index":0,"delta":{"message":{"tool_calls":{"function":{"arguments":"{\"city\":"}}}}}""",
            """{"type":"tool-call-delta","index":0,"delta":{"message":{"tool_calls":{"function":{"arguments":"\"Oslo\"}"}}}}}""",
            """{"type":"tool-call-end","index":0}""",
            """{"type":"message-end","delta":{"finish_reason":"TOOL_CALL","usage":{"billed_units":{"input_tokens":3,"output_tokens":9}}}}""");

        Assert.Equal(
            [
                Header + """[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}""",
                Header + """[{"index":0,"delta":{"content":"I will"},"logprobs":null,"finish_reason":null}]}""",
                Header + """[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"get_weather_x","type":"function","function":{"name":"get_weather","arguments":""}}]},"logprobs":null,"finish_reason":null}]}""",
                Header + """[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]},"logprobs":null,"finish_reason":null}]}""",
                Header + """[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Oslo\"}"}}]},"logprobs":null,"finish_reason":null}]}""",
                Header + """[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}]}""",
                Header + """[],"usage":{"prompt_tokens":3,"completion_tokens":9,"total_tokens":12}}""",
                "[DONE]",
            ],
            chunks);
    }

    [Fact]
    public void Translate_SecondToolCall_GetsTheNextIndex()
    {
        var chunks = CohereCalls.Translate(
            Translator(),
            MessageStart,
            """{"type":"tool-call-start","index":0,"delta":{"message":{"tool_calls":{"id":"a","type":"function","function":{"name":"f","arguments":""}}}}}""",
            """{"type":"tool-call-start","index":1,"delta":{"message":{"tool_calls":{"id":"b","type":"function","function":{"name":"g","arguments":""}}}}}""",
            """{"type":"tool-call-delta","index":1,"delta":{"message":{"tool_calls":{"function":{"arguments":"{}"}}}}}""");

        Assert.Contains("\"tool_calls\":[{\"index\":1,\"id\":\"b\"", chunks[2], StringComparison.Ordinal);
        Assert.Contains("\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":\"{}\"}}]", chunks[3], StringComparison.Ordinal);
    }

    [Fact]
    public void Translate_TypeOnlyInTheEventName_IsRead()
    {
        var output = new List<byte[]>();
        var translator = Translator();

        translator.Translate(new StreamEvent("message-end", """{"delta":{"finish_reason":"MAX_TOKENS"}}"""u8.ToArray()), output);

        Assert.Equal(3, output.Count);
        Assert.Contains("\"finish_reason\":\"length\"", Encoding.UTF8.GetString(output[1]), StringComparison.Ordinal);
        Assert.Equal("[DONE]", Encoding.UTF8.GetString(output[2]));
    }

    [Fact]
    public void Translate_ErrorFinish_ThrowsUpstreamStreamException()
    {
        var exception = Assert.Throws<UpstreamStreamException>(() =>
            CohereCalls.Translate(Translator(), MessageStart, """{"type":"message-end","delta":{"finish_reason":"ERROR","error":"generation failed"}}"""));

        Assert.Equal("generation failed", exception.Message);
    }

    [Fact]
    public void Translate_MalformedEvent_ThrowsStreamProtocolException()
    {
        Assert.Throws<StreamProtocolException>(() => CohereCalls.Translate(Translator(), """{"type":"content-delta","delta":{"""));
    }
}
