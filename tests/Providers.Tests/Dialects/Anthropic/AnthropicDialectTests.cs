using System.Buffers;
using System.Text;
using Switchyard.Providers.Catalog;
using Switchyard.Providers.Dialects;
using Switchyard.Providers.Dialects.Anthropic;
using static Switchyard.Providers.Tests.Anthropic.AnthropicTestCalls;

namespace Switchyard.Providers.Tests.Dialects.Anthropic;

public sealed class AnthropicDialectTests
{
    private static readonly AnthropicDialect Dialect = AnthropicDialect.Instance;

    private static byte[] ToOpenAi(string body) => Dialect.RequestToOpenAi(Bytes(body));

    [Fact]
    public void Formats_AreAnthropic()
    {
        Assert.Equal(ClientFormat.Anthropic, Dialect.Format);
        Assert.Equal(WireFormat.Anthropic, Dialect.NativeFormat);
    }

    [Fact]
    public void RequestToOpenAi_TextRequest_MapsEveryField()
    {
        var result = ToOpenAi("""
            {"model":"claude-test","max_tokens":100,"system":"Be brief.","messages":[{"role":"user","content":"hello"}],
             "temperature":0.3,"top_p":0.8,"top_k":40,"stop_sequences":["END"],"stream":true,"metadata":{"user_id":"u-1"}}
            """);

        AssertJson("""
            {"model":"claude-test","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"hello"}],
             "max_tokens":100,"temperature":0.3,"top_p":0.8,"stop":["END"],"stream":true,"user":"u-1"}
            """, result);
    }

    [Fact]
    public void RequestToOpenAi_SystemBlocks_AreJoined()
    {
        var result = ToOpenAi("""{"model":"m","max_tokens":1,"system":[{"type":"text","text":"one"},{"type":"text","text":"two","cache_control":{"type":"ephemeral"}}],"messages":[]}""");

        AssertJson("""{"model":"m","messages":[{"role":"system","content":"one\ntwo"}],"max_tokens":1}""", result);
    }

    [Fact]
    public void RequestToOpenAi_SystemMessageInTheConversation_StaysInPlace()
    {
        var result = ToOpenAi("""{"model":"m","max_tokens":1,"system":"first","messages":[{"role":"user","content":"a"},{"role":"system","content":[{"type":"text","text":"later"}]}]}""");

        AssertJson("""
            {"model":"m","messages":[{"role":"system","content":"first"},{"role":"user","content":"a"},{"role":"system","content":"later"}],"max_tokens":1}
            """, result);
    }

    [Fact]
    public void RequestToOpenAi_ToolConversation_BecomesToolCallsAndToolMessages()
    {
        var result = ToOpenAi("""
            {"model":"m","max_tokens":10,"messages":[
              {"role":"user","content":[{"type":"text","text":"weather?"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBOR"}},
                                        {"type":"image","source":{"type":"url","url":"https://example.com/a.png"}}]},
              {"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"s"},{"type":"text","text":"Checking."},
                                             {"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Oslo"}}]},
              {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":[{"type":"text","text":"sunny"},{"type":"text","text":"20C"}]},
                                        {"type":"text","text":"thanks"}]}],
             "tools":[{"name":"get_weather","description":"Weather","input_schema":{"type":"object","properties":{"city":{"type":"string"}}}}],
             "tool_choice":{"type":"tool","name":"get_weather","disable_parallel_tool_use":true}}
            """);

        AssertJson("""
            {"model":"m","messages":[
              {"role":"user","content":[{"type":"text","text":"weather?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBOR"}},
                                        {"type":"image_url","image_url":{"url":"https://example.com/a.png"}}]},
              {"role":"assistant","content":"Checking.","tool_calls":[{"id":"toolu_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}}]},
              {"role":"tool","tool_call_id":"toolu_1","content":"sunny\n20C"},
              {"role":"user","content":"thanks"}],
             "max_tokens":10,
             "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}],
             "tool_choice":{"type":"function","function":{"name":"get_weather"}},"parallel_tool_calls":false}
            """, result);
    }

    [Fact]
    public void RequestToOpenAi_ToolResultsOnlyWithImage_ImageFollowsInAUserMessage()
    {
        var result = ToOpenAi("""
            {"model":"m","max_tokens":10,"messages":[
              {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"shot","input":{}}]},
              {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":[{"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"AA"}}]}]}]}
            """);

        AssertJson("""
            {"model":"m","messages":[
              {"role":"assistant","content":null,"tool_calls":[{"id":"t1","type":"function","function":{"name":"shot","arguments":"{}"}}]},
              {"role":"tool","tool_call_id":"t1","content":""},
              {"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/jpeg;base64,AA"}}]}],
             "max_tokens":10}
            """, result);
    }

    [Theory]
    [InlineData("""{"type":"auto"}""", "\"tool_choice\":\"auto\"")]
    [InlineData("""{"type":"any"}""", "\"tool_choice\":\"required\"")]
    [InlineData("""{"type":"none"}""", "\"tool_choice\":\"none\"")]
    public void RequestToOpenAi_ToolChoice_MapsToOpenAiWords(string choice, string expected)
    {
        var result = ToOpenAi($$$"""{"model":"m","max_tokens":1,"messages":[],"tools":[{"name":"f","input_schema":{"type":"object"}}],"tool_choice":{{{choice}}}}""");

        Assert.EndsWith(expected + "}", Text(result), StringComparison.Ordinal);
    }

    [Fact]
    public void RequestToOpenAi_PdfDocument_BecomesFilePart()
    {
        var result = ToOpenAi("""{"model":"m","max_tokens":1,"messages":[{"role":"user","content":[{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBE"},"title":"a.pdf"},{"type":"text","text":"sum"}]}]}""");

        AssertJson("""
            {"model":"m","messages":[{"role":"user","content":[{"type":"file","file":{"file_data":"data:application/pdf;base64,JVBE","filename":"a.pdf"}},{"type":"text","text":"sum"}]}],"max_tokens":1}
            """, result);
    }

    [Theory]
    [InlineData("""{"model":"m","max_tokens":1,"messages":[],"tools":[{"type":"web_search_20250305","name":"web_search"}]}""", "runs only on Anthropic")]
    [InlineData("""{"model":"m","max_tokens":1,"messages":[{"role":"user","content":[{"type":"image","source":{"type":"file","file_id":"f"}}]}]}""", "can only be sent to Anthropic")]
    [InlineData("""{"model":"m","max_tokens":1,"messages":[{"role":"tool","content":"x"}]}""", "must be 'user', 'assistant' or 'system'")]
    [InlineData("""{"model":"m","max_tokens":1}""", "messages: Field required")]
    [InlineData("""not json""", "not valid JSON")]
    public void RequestToOpenAi_WhatOnlyAnthropicTakes_ThrowsProviderRequestException(string body, string message)
    {
        var exception = Assert.Throws<ProviderRequestException>(() => ToOpenAi(body));

        Assert.Contains(message, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ResponseFromOpenAi_TextCompletion_IsAnthropicMessage()
    {
        var result = Dialect.ResponseFromOpenAi(Bytes("""
            {"id":"chatcmpl-abc","object":"chat.completion","created":1,"model":"gpt-test",
             "choices":[{"index":0,"message":{"role":"assistant","content":"Hi there","refusal":null},"finish_reason":"length"}],
             "usage":{"prompt_tokens":12,"completion_tokens":2,"total_tokens":14,"prompt_tokens_details":{"cached_tokens":4}}}
            """));

        AssertJson("""
            {"id":"msg_abc","type":"message","role":"assistant","model":"gpt-test","content":[{"type":"text","text":"Hi there"}],
             "stop_reason":"max_tokens","stop_sequence":null,
             "usage":{"input_tokens":8,"cache_creation_input_tokens":0,"cache_read_input_tokens":4,"output_tokens":2}}
            """, result);
    }

    [Fact]
    public void ResponseFromOpenAi_EveryPromptTokenCached_IsAllCacheReadWithNoUncachedInput()
    {
        // A gateway cache hit reports its whole prompt as cached; Anthropic's input_tokens leaves cache reads out.
        var result = Dialect.ResponseFromOpenAi(Bytes("""
            {"id":"chatcmpl-hit","object":"chat.completion","created":1,"model":"gpt-test",
             "choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],
             "usage":{"prompt_tokens":40,"completion_tokens":2,"total_tokens":42,"prompt_tokens_details":{"cached_tokens":40,"audio_tokens":0}}}
            """));

        AssertJson("""
            {"id":"msg_hit","type":"message","role":"assistant","model":"gpt-test","content":[{"type":"text","text":"Hi"}],
             "stop_reason":"end_turn","stop_sequence":null,
             "usage":{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":40,"output_tokens":2}}
            """, result);
    }

    [Theory]
    [InlineData("chatcmpl-3f2a", "msg_3f2a")]
    [InlineData("chatcmpl-b71c", "msg_b71c")]
    [InlineData("gen-123", "msg_gen-123")]
    [InlineData("", "msg_switchyard")]
    public void ResponseFromOpenAi_Id_FollowsTheOpenAiId(string openAiId, string messageId)
    {
        var result = Encoding.UTF8.GetString(Dialect.ResponseFromOpenAi(Bytes($$"""{"id":"{{openAiId}}","model":"m","choices":[]}""")));

        Assert.StartsWith($$"""{"id":"{{messageId}}",""", result, StringComparison.Ordinal);
    }

    [Fact]
    public void ResponseFromOpenAi_ToolCalls_AreToolUseBlocksWithParsedInput()
    {
        var result = Dialect.ResponseFromOpenAi(Bytes("""
            {"id":"chatcmpl-t","object":"chat.completion","created":1,"model":"gpt-test",
             "choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[
               {"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}},
               {"id":"call_2","type":"function","function":{"name":"broken","arguments":"{not json"}}]},"finish_reason":"tool_calls"}],
             "usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}}
            """));

        AssertJson("""
            {"id":"msg_t","type":"message","role":"assistant","model":"gpt-test","content":[
               {"type":"tool_use","id":"call_1","name":"get_weather","input":{"city":"Oslo"}},
               {"type":"tool_use","id":"call_2","name":"broken","input":{}}],
             "stop_reason":"tool_use","stop_sequence":null,
             "usage":{"input_tokens":5,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":7}}
            """, result);
    }

    [Fact]
    public void ResponseFromOpenAi_BodyThatIsNotAnObject_IsAnEmptyMessage()
    {
        AssertJson("""
            {"id":"msg_switchyard","type":"message","role":"assistant","model":"","content":[],"stop_reason":null,"stop_sequence":null,
             "usage":{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0}}
            """, Dialect.ResponseFromOpenAi(Bytes("[1]")));
    }

    [Theory]
    [InlineData(400, "invalid_request_error", "invalid_request_error")]
    [InlineData(408, "timeout_error", "timeout_error")]
    [InlineData(429, "insufficient_quota", "rate_limit_error")]
    [InlineData(500, "server_error", "api_error")]
    [InlineData(502, "upstream_error", "api_error")]
    [InlineData(503, "server_error", "overloaded_error")]
    [InlineData(529, "overloaded_error", "overloaded_error")]
    [InlineData(401, "authentication_error", "authentication_error")]
    [InlineData(404, "not_found", "not_found_error")]
    public void Error_Type_IsWhatAnthropicWouldSend(int status, string type, string expected)
    {
        AssertJson($$$"""{"type":"error","error":{"type":"{{{expected}}}","message":"nope"}}""", Dialect.Error(status, type, "nope"));
    }

    [Fact]
    public void StreamWriter_TextAndUsage_WritesAnthropicEvents()
    {
        var sse = Write(
            """{"id":"chatcmpl-s","object":"chat.completion.chunk","created":1,"model":"gpt-test","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}""",
            """{"id":"chatcmpl-s","object":"chat.completion.chunk","created":1,"model":"gpt-test","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}""",
            """{"id":"chatcmpl-s","object":"chat.completion.chunk","created":1,"model":"gpt-test","choices":[{"index":0,"delta":{"content":" you"},"finish_reason":null}]}""",
            """{"id":"chatcmpl-s","object":"chat.completion.chunk","created":1,"model":"gpt-test","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}""",
            """{"id":"chatcmpl-s","object":"chat.completion.chunk","created":1,"model":"gpt-test","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}""",
            "[DONE]");

        Assert.Equal(
            """
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_s","type":"message","role":"assistant","model":"gpt-test","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0}}}

            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" you"}}

            event: content_block_stop
            data: {"type":"content_block_stop","index":0}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":9,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":2}}

            event: message_stop
            data: {"type":"message_stop"}


            """,
            sse);
    }

    [Fact]
    public void StreamWriter_ToolCalls_OpenOneToolUseBlockEach()
    {
        var sse = Write(
            """{"id":"c","model":"g","choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":""}}]},"finish_reason":null}]}""",
            """{"id":"c","model":"g","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]},"finish_reason":null}]}""",
            """{"id":"c","model":"g","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Oslo\"}"}}]},"finish_reason":null}]}""",
            """{"id":"c","model":"g","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_2","type":"function","function":{"name":"now","arguments":"{}"}}]},"finish_reason":null}]}""",
            """{"id":"c","model":"g","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}""",
            "[DONE]");

        Assert.Equal(
            """
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_c","type":"message","role":"assistant","model":"g","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0}}}

            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"call_1","name":"get_weather","input":{}}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"city\":"}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"\"Oslo\"}"}}

            event: content_block_stop
            data: {"type":"content_block_stop","index":0}

            event: content_block_start
            data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"call_2","name":"now","input":{}}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{}"}}

            event: content_block_stop
            data: {"type":"content_block_stop","index":1}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":0}}

            event: message_stop
            data: {"type":"message_stop"}


            """,
            sse);
    }

    [Fact]
    public void StreamWriter_UsageOnFirstChunk_GoesIntoMessageStart()
    {
        var sse = Write("""{"id":"c","model":"g","choices":[{"index":0,"delta":{"content":"x"}}],"usage":{"prompt_tokens":7,"completion_tokens":0,"total_tokens":7}}""");

        Assert.StartsWith(
            """
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_c","type":"message","role":"assistant","model":"g","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":7,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0}}}
            """,
            sse,
            StringComparison.Ordinal);
    }

    [Fact]
    public void StreamWriter_EveryPromptTokenCached_MessageDeltaIsAllCacheRead()
    {
        var sse = Write(
            """{"id":"chatcmpl-hit","model":"g","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}]}""",
            """{"id":"chatcmpl-hit","model":"g","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}""",
            """{"id":"chatcmpl-hit","model":"g","choices":[],"usage":{"prompt_tokens":40,"completion_tokens":2,"total_tokens":42,"prompt_tokens_details":{"cached_tokens":40}}}""",
            "[DONE]");

        Assert.Contains(
            """
            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":40,"output_tokens":2}}
            """,
            sse,
            StringComparison.Ordinal);
    }

    [Fact]
    public void StreamWriter_Id_FollowsTheFirstChunksId()
    {
        var first = Write("""{"id":"chatcmpl-one","model":"g","choices":[{"index":0,"delta":{"content":"x"}}]}""");
        var second = Write("""{"id":"chatcmpl-two","model":"g","choices":[{"index":0,"delta":{"content":"x"}}]}""");

        Assert.Contains("\"message\":{\"id\":\"msg_one\",", first, StringComparison.Ordinal);
        Assert.Contains("\"message\":{\"id\":\"msg_two\",", second, StringComparison.Ordinal);
    }

    [Fact]
    public void StreamWriter_WriteError_IsAnErrorEvent()
    {
        var writer = Dialect.CreateStreamWriter();
        var buffer = new ArrayBufferWriter<byte>();

        writer.WriteError("stream_error", "Stream interrupted", buffer);

        Assert.Equal(
            "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"Stream interrupted\"}}\n\n",
            Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    private static string Write(params string[] chunks)
    {
        var writer = Dialect.CreateStreamWriter();
        var buffer = new ArrayBufferWriter<byte>();
        foreach (var chunk in chunks)
        {
            writer.Write(Bytes(chunk), buffer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
