using Switchyard.Providers.Streaming;
using static Switchyard.Providers.Tests.Anthropic.AnthropicTestCalls;

namespace Switchyard.Providers.Tests.Anthropic;

public sealed class AnthropicStreamTranslatorTests
{
    private static readonly ProviderCall StreamCall = Call("""{"model":"m","messages":[{"role":"user","content":"hi"}],"stream":true}""", stream: true);

    private const string Header = "\"id\":\"msg_01\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"claude-test\"";

    private static readonly (string, string) MessageStart = ("message_start", """
        {"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant","model":"claude-test","content":[],"stop_reason":null,"stop_sequence":null,
         "usage":{"input_tokens":25,"cache_creation_input_tokens":0,"cache_read_input_tokens":5,"output_tokens":1}}}
        """);

    private static string Chunk(string delta, string? finishReason = null) =>
        "{" + Header + ",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"logprobs\":null,\"finish_reason\":" + (finishReason is null ? "null" : $"\"{finishReason}\"") + "}]}";

    private static string UsageChunk(string usage) => "{" + Header + ",\"choices\":[],\"usage\":" + usage + "}";

    [Fact]
    public void Translate_TextStream_GivesRoleContentFinishUsageAndDone()
    {
        var chunks = Translate(
            StreamCall,
            MessageStart,
            ("content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"""),
            ("ping", """{"type": "ping"}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" there"}}"""),
            ("content_block_stop", """{"type":"content_block_stop","index":0}"""),
            ("message_delta", """{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":15}}"""),
            ("message_stop", """{"type":"message_stop"}"""));

        Assert.Equal(
            [
                Chunk("""{"role":"assistant","content":""}"""),
                Chunk("""{"content":"Hello"}"""),
                Chunk("""{"content":" there"}"""),
                Chunk("{}", "stop"),
                UsageChunk("""{"prompt_tokens":30,"completion_tokens":15,"total_tokens":45,"prompt_tokens_details":{"cached_tokens":5}}"""),
                "[DONE]",
            ],
            chunks);
    }

    [Fact]
    public void Translate_ToolUseStream_GivesToolCallDeltasInOrder()
    {
        var chunks = Translate(
            StreamCall,
            MessageStart,
            ("content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Let me check."}}"""),
            ("content_block_stop", """{"type":"content_block_stop","index":0}"""),
            ("content_block_start", """{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{}}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"city\":"}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"\"Oslo\"}"}}"""),
            ("content_block_stop", """{"type":"content_block_stop","index":1}"""),
            ("content_block_start", """{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_2","name":"now","input":{}}}"""),
            ("content_block_stop", """{"type":"content_block_stop","index":2}"""),
            ("message_delta", """{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":40}}"""),
            ("message_stop", """{"type":"message_stop"}"""));

        Assert.Equal(
            [
                Chunk("""{"role":"assistant","content":""}"""),
                Chunk("""{"content":"Let me check."}"""),
                Chunk("""{"tool_calls":[{"index":0,"id":"toolu_1","type":"function","function":{"name":"get_weather","arguments":""}}]}"""),
                Chunk("""{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]}"""),
                Chunk("""{"tool_calls":[{"index":0,"function":{"arguments":"\"Oslo\"}"}}]}"""),
                Chunk("""{"tool_calls":[{"index":1,"id":"toolu_2","type":"function","function":{"name":"now","arguments":""}}]}"""),
                Chunk("""{"tool_calls":[{"index":1,"function":{"arguments":"{}"}}]}"""),
                Chunk("{}", "tool_calls"),
                UsageChunk("""{"prompt_tokens":30,"completion_tokens":40,"total_tokens":70,"prompt_tokens_details":{"cached_tokens":5}}"""),
                "[DONE]",
            ],
            chunks);
    }

    [Fact]
    public void Translate_MessageDeltaWithInputTotals_OverwritesTheStartCounts()
    {
        var chunks = Translate(
            StreamCall,
            MessageStart,
            ("message_delta", """{"type":"message_delta","delta":{"stop_reason":"max_tokens","stop_sequence":null},"usage":{"input_tokens":26,"cache_read_input_tokens":0,"output_tokens":2}}"""));

        Assert.Equal(Chunk("{}", "length"), chunks[1]);
        Assert.Equal(UsageChunk("""{"prompt_tokens":26,"completion_tokens":2,"total_tokens":28,"prompt_tokens_details":{"cached_tokens":0}}"""), chunks[2]);
    }

    [Fact]
    public void Translate_JsonMode_ToolInputStreamsAsContent()
    {
        var call = Call("""{"model":"m","messages":[],"stream":true,"response_format":{"type":"json_object"}}""", stream: true);

        var chunks = Translate(
            call,
            MessageStart,
            ("content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_1","name":"json_response","input":{}}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"a\":1}"}}"""),
            ("content_block_stop", """{"type":"content_block_stop","index":0}"""),
            ("message_delta", """{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":3}}"""));

        Assert.Equal([Chunk("""{"role":"assistant","content":""}"""), Chunk("""{"content":"{\"a\":1}"}"""), Chunk("{}", "stop")], chunks[..3]);
    }

    [Fact]
    public void Translate_ThinkingAndUnknownEvents_GiveNothing()
    {
        var chunks = Translate(
            StreamCall,
            ("content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"hmm"}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"s"}}"""),
            ("content_block_stop", """{"type":"content_block_stop","index":0}"""),
            ("future_event", """{"type":"future_event"}"""));

        Assert.Empty(chunks);
    }

    [Fact]
    public void Translate_ErrorEvent_ThrowsUpstreamStreamExceptionWithTheMessage()
    {
        var exception = Assert.Throws<UpstreamStreamException>(() => Translate(
            StreamCall,
            ("error", """{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""")));

        Assert.Equal("Overloaded", exception.Message);
    }

    [Theory]
    [InlineData("""{"type": "content_block_delta", "index": 0, "delta": {""")]
    [InlineData("[1]")]
    public void Translate_MalformedEvent_ThrowsStreamProtocolException(string data)
    {
        Assert.Throws<StreamProtocolException>(() => Translate(StreamCall, ("content_block_delta", data)));
    }
}
