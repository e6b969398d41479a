using Switchyard.Providers.Streaming;
using static Switchyard.Providers.Tests.Anthropic.AnthropicTestCalls;

namespace Switchyard.Providers.Tests.Anthropic;

public sealed class AnthropicAdapterResponseTests
{
    private static readonly ProviderCall PlainCall = Call("""{"model":"m","messages":[{"role":"user","content":"hi"}]}""");

    private static byte[] Translate(string body, ProviderCall? call = null) => Adapter.TranslateResponse(call ?? PlainCall, Bytes(body));

    [Fact]
    public void TranslateResponse_TextMessage_IsChatCompletion()
    {
        var result = Translate("""
            {"id":"msg_01","type":"message","role":"assistant","model":"claude-test",
             "content":[{"type":"text","text":"Hello "},{"type":"text","text":"there"}],
             "stop_reason":"end_turn","stop_sequence":null,
             "usage":{"input_tokens":10,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":3}}
            """);

        AssertJson("""
            {"id":"msg_01","object":"chat.completion","created":1700000000,"model":"claude-test",
             "choices":[{"index":0,"message":{"role":"assistant","content":"Hello there"},"logprobs":null,"finish_reason":"stop"}],
             "usage":{"prompt_tokens":10,"completion_tokens":3,"total_tokens":13,"prompt_tokens_details":{"cached_tokens":0}}}
            """, result);
    }

    [Fact]
    public void TranslateResponse_ToolUse_IsToolCallsWithJsonStringArguments()
    {
        var result = Translate("""
            {"id":"msg_02","type":"message","role":"assistant","model":"claude-test",
             "content":[{"type":"thinking","thinking":"hmm","signature":"s"},{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Oslo"}}],
             "stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":20,"output_tokens":8}}
            """);

        AssertJson("""
            {"id":"msg_02","object":"chat.completion","created":1700000000,"model":"claude-test",
             "choices":[{"index":0,"message":{"role":"assistant","content":null,
               "tool_calls":[{"id":"toolu_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}}]},
               "logprobs":null,"finish_reason":"tool_calls"}],
             "usage":{"prompt_tokens":20,"completion_tokens":8,"total_tokens":28}}
            """, result);
    }

    [Fact]
    public void TranslateResponse_CacheCounters_AddToPromptTokensAndReportCachedReads()
    {
        var result = Translate("""
            {"id":"m","type":"message","role":"assistant","model":"c","content":[{"type":"text","text":"x"}],"stop_reason":"end_turn",
             "usage":{"input_tokens":5,"cache_creation_input_tokens":100,"cache_read_input_tokens":1000,"output_tokens":2}}
            """);

        Assert.EndsWith(
            """usage":{"prompt_tokens":1105,"completion_tokens":2,"total_tokens":1107,"prompt_tokens_details":{"cached_tokens":1000}}}""",
            Text(result),
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("end_turn", "stop")]
    [InlineData("stop_sequence", "stop")]
    [InlineData("max_tokens", "length")]
    [InlineData("tool_use", "tool_calls")]
    [InlineData("refusal", "content_filter")]
    [InlineData("pause_turn", "stop")]
    public void TranslateResponse_StopReason_MapsToFinishReason(string stopReason, string finishReason)
    {
        var result = Translate($$$"""{"id":"m","type":"message","role":"assistant","model":"c","content":[],"stop_reason":"{{{stopReason}}}","usage":{"input_tokens":1,"output_tokens":0}}""");

        Assert.Contains($"\"finish_reason\":\"{finishReason}\"", Text(result), StringComparison.Ordinal);
    }

    [Fact]
    public void TranslateResponse_EmptyContent_IsEmptyString()
    {
        var result = Translate("""{"id":"m","type":"message","role":"assistant","model":"c","content":[],"stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":0}}""");

        Assert.Contains("""message":{"role":"assistant","content":""}""", Text(result), StringComparison.Ordinal);
    }

    [Fact]
    public void TranslateResponse_JsonMode_ToolInputIsTheContent()
    {
        var call = Call("""{"model":"m","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_object"}}""");

        var result = Translate("""
            {"id":"m","type":"message","role":"assistant","model":"c",
             "content":[{"type":"tool_use","id":"toolu_1","name":"json_response","input":{"name":"Ada"}}],"stop_reason":"tool_use","usage":{"input_tokens":1,"output_tokens":4}}
            """, call);

        Assert.Contains("""message":{"role":"assistant","content":"{\"name\":\"Ada\"}"},"logprobs":null,"finish_reason":"stop"}""", Text(result), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"id":"x","object":"chat.completion"}""")]
    [InlineData("""[1,2]""")]
    [InlineData("""{"type":"message","content":[""")]
    public void TranslateResponse_NotAMessage_ThrowsStreamProtocolException(string body)
    {
        Assert.Throws<StreamProtocolException>(() => Translate(body));
    }

    [Fact]
    public void TranslateResponse_ModelList_IsOpenAiList()
    {
        var call = Call("", operation: ApiOperation.Models);

        var result = Adapter.TranslateResponse(call, Bytes("""
            {"data":[{"type":"model","id":"claude-sonnet-4-5","display_name":"Claude Sonnet 4.5","created_at":"2025-09-29T00:00:00Z"}],"has_more":false,"first_id":"claude-sonnet-4-5","last_id":"claude-sonnet-4-5"}
            """));

        AssertJson("""{"object":"list","data":[{"id":"claude-sonnet-4-5","object":"model","created":1759104000,"owned_by":"anthropic"}]}""", result);
    }

    [Fact]
    public void TranslateError_AnthropicError_IsOpenAiErrorWithTheSameType()
    {
        var result = Adapter.TranslateError(PlainCall, 529, Bytes("""{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_1"}"""));

        AssertJson("""{"error":{"message":"Overloaded","type":"overloaded_error","param":null,"code":null}}""", result);
    }

    [Theory]
    [InlineData(401, "authentication_error")]
    [InlineData(429, "rate_limit_error")]
    [InlineData(500, "api_error")]
    [InlineData(400, "invalid_request_error")]
    public void TranslateError_BodyWithoutError_TypeFollowsStatus(int status, string type)
    {
        var result = Adapter.TranslateError(PlainCall, status, Bytes("<html>bad gateway</html>"));

        AssertJson($$$"""{"error":{"message":"Anthropic answered {{{status}}}","type":"{{{type}}}","param":null,"code":null}}""", result);
    }

    [Fact]
    public void TranslateError_PlainTextBody_BecomesTheMessage()
    {
        var result = Adapter.TranslateError(PlainCall, 502, Bytes("upstream connect error"));

        AssertJson("""{"error":{"message":"upstream connect error","type":"api_error","param":null,"code":null}}""", result);
    }
}
