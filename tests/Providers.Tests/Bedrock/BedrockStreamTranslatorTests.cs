using System.Text;
using Switchyard.Providers.Bedrock;
using Switchyard.Providers.Streaming;

namespace Switchyard.Providers.Tests.Bedrock;

public sealed class BedrockStreamTranslatorTests
{
    private const string Head = """{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"m",""";

    private static List<string> Translate(params (string Name, string Json)[] events)
    {
        var translator = new BedrockStreamTranslator("chatcmpl-1", 1700000000, "m");
        var output = new List<byte[]>();
        foreach (var (name, json) in events)
        {
            translator.Translate(new StreamEvent(name, Encoding.UTF8.GetBytes(json)), output);
        }

        return [.. output.Select(chunk => Encoding.UTF8.GetString(chunk))];
    }

    private static string Delta(string delta, string finish = "null") =>
        Head + $$"""
            "choices":[{"index":0,"delta":{{{delta}}},"logprobs":null,"finish_reason":{{finish}}}]}
            """;

    [Fact]
    public void Translate_TextStream_IsRoleContentFinishUsageDone()
    {
        var chunks = Translate(
            ("messageStart", """{"p":"abc","role":"assistant"}"""),
            ("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":"Hello "},"p":"x"}"""),
            ("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":"there"}}"""),
            ("contentBlockStop", """{"contentBlockIndex":0}"""),
            ("messageStop", """{"stopReason":"end_turn"}"""),
            ("metadata", """{"usage":{"inputTokens":9,"outputTokens":2,"totalTokens":11},"metrics":{"latencyMs":5}}"""));

        Assert.Equal(
            [
                Delta("\"role\":\"assistant\",\"content\":\"\""),
                Delta("\"content\":\"Hello \""),
                Delta("\"content\":\"there\""),
                Delta("", "\"stop\""),
                Head + "\"" + """choices":[],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}""",
                "[DONE]",
            ],
            chunks);
    }

    [Fact]
    public void Translate_ToolUseStream_IsIndexedToolCallDeltas()
    {
        var chunks = Translate(
            ("messageStart", """{"role":"assistant"}"""),
            ("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":"Let me check."}}"""),
            ("contentBlockStop", """{"contentBlockIndex":0}"""),
            ("contentBlockStart", """{"contentBlockIndex":1,"start":{"toolUse":{"toolUseId":"tooluse_1","name":"get_weather"}}}"""),
            ("contentBlockDelta", """{"contentBlockIndex":1,"delta":{"toolUse":{"input":"{\"city\":"}}}"""),
            ("contentBlockDelta", """{"contentBlockIndex":1,"delta":{"toolUse":{"input":"\"Oslo\"}"}}}"""),
            ("contentBlockStop", """{"contentBlockIndex":1}"""),
            ("messageStop", """{"stopReason":"tool_use"}"""));

        Assert.Equal(
            [
                Delta("\"role\":\"assistant\",\"content\":\"\""),
                Delta("\"content\":\"Let me check.\""),
                Delta("""
                    "tool_calls":[{"index":0,"id":"tooluse_1","type":"function","function":{"name":"get_weather","arguments":""}}]
                    """),
                Delta("""
                    "tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]
                    """),
                Delta("""
                    "tool_calls":[{"index":0,"function":{"arguments":"\"Oslo\"}"}}]
                    """),
                Delta("", "\"tool_calls\""),
            ],
            chunks);
    }

    [Fact]
    public void Translate_MetadataWithCache_ReportsCachedTokens()
    {
        var chunks = Translate(("metadata", """{"usage":{"inputTokens":1,"outputTokens":2,"totalTokens":8,"cacheReadInputTokens":5}}"""));

        Assert.Equal(Head + "\"" + """choices":[],"usage":{"prompt_tokens":6,"completion_tokens":2,"total_tokens":8,"prompt_tokens_details":{"cached_tokens":5}}}""", chunks[0]);
        Assert.Equal("[DONE]", chunks[1]);
    }

    [Fact]
    public void Translate_ExceptionEvent_ThrowsWithTypeAndMessage()
    {
        var ex = Assert.Throws<UpstreamStreamException>(() => Translate(("exception:throttlingException", """{"message":"Too many tokens, please wait."}""")));

        Assert.Equal("throttlingException: Too many tokens, please wait.", ex.Message);
    }

    [Fact]
    public void Translate_MalformedPayload_ThrowsProtocolException()
    {
        Assert.Throws<StreamProtocolException>(() => Translate(("contentBlockDelta", """{"contentBlockIndex":0,"delta":""")));
        Assert.Throws<StreamProtocolException>(() => Translate(("contentBlockDelta", """{"contentBlockIndex":3,"delta":{"toolUse":{"input":"{"}}}""")));
    }
}
