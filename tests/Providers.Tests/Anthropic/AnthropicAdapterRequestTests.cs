using Switchyard.Providers.Catalog;
using static Switchyard.Providers.Tests.Anthropic.AnthropicTestCalls;

namespace Switchyard.Providers.Tests.Anthropic;

public sealed class AnthropicAdapterRequestTests
{
    private static ProviderHttpRequest Create(string body, bool stream = false) => Adapter.CreateRequest(Call(body, stream: stream));

    [Fact]
    public void CreateRequest_SystemAndUser_WritesMessagesRequestWithDefaultMaxTokens()
    {
        var request = Create("""{"model":"claude-test","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"hello"}]}""");

        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("https://api.anthropic.com/v1/messages", request.Uri.ToString());
        AssertJson("""
            {"model":"claude-test","system":"Be brief.","messages":[{"role":"user","content":"hello"}],"max_tokens":4096}
            """, request.Body);
    }

    [Fact]
    public void CreateRequest_Headers_CarryKeyDefaultVersionAndStreamAccept()
    {
        var request = Create("""{"model":"m","messages":[{"role":"user","content":"hi"}],"stream":true}""", stream: true);

        Assert.Equal(
            [new("x-api-key", "sk-ant-test"), new("anthropic-version", "2023-06-01"), new("Accept", "text/event-stream")],
            request.Headers);
    }

    [Fact]
    public void CreateRequest_VersionAndBetaOptions_ReplaceForwardedCopies()
    {
        var call = Call(
            """{"model":"m","messages":[{"role":"user","content":"hi"}]}""",
            options: new Dictionary<string, string> { ["anthropic_version"] = "2024-01-01", ["anthropic_beta"] = "prompt-caching-2024-07-31" },
            forwarded: [new("anthropic-version", "1999-01-01"), new("x-trace", "t1")]);

        var request = Adapter.CreateRequest(call);

        Assert.Equal(
            [new("x-trace", "t1"), new("x-api-key", "sk-ant-test"), new("anthropic-version", "2024-01-01"), new("anthropic-beta", "prompt-caching-2024-07-31")],
            request.Headers);
    }

    [Fact]
    public void CreateRequest_CustomHostWithTrailingSlash_AppendsMessages()
    {
        var request = Adapter.CreateRequest(Call("""{"model":"m","messages":[]}""", baseUrl: "http://127.0.0.1:9000/v1/"));

        Assert.Equal("http://127.0.0.1:9000/v1/messages", request.Uri.ToString());
    }

    [Fact]
    public void CreateRequest_SamplingStopUserAndStream_AreMapped()
    {
        var request = Create("""
            {"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":50,"max_completion_tokens":60,
             "temperature":0.5,"top_p":0.9,"stop":"END","stream":true,"stream_options":{"include_usage":true},
             "user":"u-1","seed":7,"presence_penalty":0.1,"frequency_penalty":0.2}
            """, stream: true);

        AssertJson("""
            {"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":60,"stop_sequences":["END"],
             "temperature":0.5,"top_p":0.9,"stream":true,"metadata":{"user_id":"u-1"}}
            """, request.Body);
    }

    [Fact]
    public void CreateRequest_StopArray_BecomesStopSequences()
    {
        var request = Create("""{"model":"m","messages":[{"role":"user","content":"hi"}],"stop":["a","b"],"max_tokens":5}""");

        AssertJson("""{"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":5,"stop_sequences":["a","b"]}""", request.Body);
    }

    [Fact]
    public void CreateRequest_ToolConversation_BecomesToolUseAndOneMergedToolResultTurn()
    {
        var request = Create("""
            {"model":"m","messages":[
              {"role":"user","content":"weather in Oslo and Bergen"},
              {"role":"assistant","content":"Checking.","tool_calls":[
                {"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}},
                {"id":"call_2","type":"function","function":{"name":"get_weather","arguments":""}}]},
              {"role":"tool","tool_call_id":"call_1","content":"sunny"},
              {"role":"tool","tool_call_id":"call_2","content":[{"type":"text","text":"rain"}]},
              {"role":"user","content":"and tomorrow?"}]}
            """);

        AssertJson("""
            {"model":"m","messages":[
              {"role":"user","content":"weather in Oslo and Bergen"},
              {"role":"assistant","content":[
                {"type":"text","text":"Checking."},
                {"type":"tool_use","id":"call_1","name":"get_weather","input":{"city":"Oslo"}},
                {"type":"tool_use","id":"call_2","name":"get_weather","input":{}}]},
              {"role":"user","content":[
                {"type":"tool_result","tool_use_id":"call_1","content":"sunny"},
                {"type":"tool_result","tool_use_id":"call_2","content":"rain"},
                {"type":"text","text":"and tomorrow?"}]}],
             "max_tokens":4096}
            """, request.Body);
    }

    [Fact]
    public void CreateRequest_ConsecutiveUserMessagesAndSeveralSystemMessages_AreMerged()
    {
        var request = Create("""
            {"model":"m","messages":[
              {"role":"system","content":"one"},{"role":"developer","content":[{"type":"text","text":"two"}]},
              {"role":"user","content":"a"},{"role":"user","content":"b"}]}
            """);

        AssertJson("""
            {"model":"m","system":[{"type":"text","text":"one"},{"type":"text","text":"two"}],
             "messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}],"max_tokens":4096}
            """, request.Body);
    }

    [Fact]
    public void CreateRequest_Tools_BecomeInputSchemasWithChoice()
    {
        var request = Create("""
            {"model":"m","messages":[{"role":"user","content":"hi"}],
             "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}},
                      {"type":"function","function":{"name":"now"}}],
             "tool_choice":{"type":"function","function":{"name":"now"}},"parallel_tool_calls":false}
            """);

        AssertJson("""
            {"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":4096,
             "tools":[{"name":"get_weather","description":"Weather","input_schema":{"type":"object","properties":{"city":{"type":"string"}}}},
                      {"name":"now","input_schema":{"type":"object","properties":{}}}],
             "tool_choice":{"type":"tool","name":"now","disable_parallel_tool_use":true}}
            """, request.Body);
    }

    [Theory]
    [InlineData("\"auto\"", """{"type":"auto"}""")]
    [InlineData("\"none\"", """{"type":"none"}""")]
    [InlineData("\"required\"", """{"type":"any"}""")]
    public void CreateRequest_ToolChoiceWord_MapsToAnthropicType(string choice, string expected)
    {
        var request = Create($$$"""{"model":"m","messages":[],"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":{{{choice}}}}""");

        Assert.EndsWith(",\"tool_choice\":" + expected + "}", Text(request.Body), StringComparison.Ordinal);
    }

    [Fact]
    public void CreateRequest_Images_BecomeBase64AndUrlSources()
    {
        var request = Create("""
            {"model":"m","messages":[{"role":"user","content":[
              {"type":"text","text":"look"},
              {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo=","detail":"high"}},
              {"type":"image_url","image_url":{"url":"https://example.com/cat.jpg"}}]}]}
            """);

        AssertJson("""
            {"model":"m","messages":[{"role":"user","content":[
              {"type":"text","text":"look"},
              {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},
              {"type":"image","source":{"type":"url","url":"https://example.com/cat.jpg"}}]}],"max_tokens":4096}
            """, request.Body);
    }

    [Fact]
    public void CreateRequest_PdfFilePartAndCacheControl_BecomeDocumentAndKeepTheMark()
    {
        var request = Create("""
            {"model":"m","messages":[{"role":"user","content":[
              {"type":"file","file":{"file_data":"data:application/pdf;base64,JVBERi0=","filename":"a.pdf"}},
              {"type":"text","text":"summarise","cache_control":{"type":"ephemeral"}}]}]}
            """);

        AssertJson("""
            {"model":"m","messages":[{"role":"user","content":[
              {"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0="},"title":"a.pdf"},
              {"type":"text","text":"summarise","cache_control":{"type":"ephemeral"}}]}],"max_tokens":4096}
            """, request.Body);
    }

    [Fact]
    public void CreateRequest_JsonSchema_ForcesTheSchemaTool()
    {
        var request = Create("""
            {"model":"m","messages":[{"role":"user","content":"hi"}],
             "response_format":{"type":"json_schema","json_schema":{"name":"person","schema":{"type":"object","properties":{"name":{"type":"string"}}}}}}
            """);

        AssertJson("""
            {"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":4096,
             "tools":[{"name":"person","description":"Give the answer as this tool's input, a JSON object.","input_schema":{"type":"object","properties":{"name":{"type":"string"}}}}],
             "tool_choice":{"type":"tool","name":"person"}}
            """, request.Body);
    }

    [Fact]
    public void CreateRequest_JsonObject_ForcesAnObjectTool()
    {
        var request = Create("""{"model":"m","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_object"}}""");

        Assert.EndsWith(
            """tools":[{"name":"json_response","description":"Give the answer as this tool's input, a JSON object.","input_schema":{"type":"object"}}],"tool_choice":{"type":"tool","name":"json_response"}}""",
            Text(request.Body),
            StringComparison.Ordinal);
    }

    [Fact]
    public void CreateRequest_ResponseFormatText_IsIgnored()
    {
        var request = Create("""{"model":"m","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"text"}}""");

        AssertJson("""{"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":4096}""", request.Body);
    }

    [Theory]
    [InlineData("""{"model":"m","messages":[],"response_format":{"type":"json_object"},"tools":[{"type":"function","function":{"name":"f"}}]}""", "cannot be combined with 'tools'")]
    [InlineData("""{"model":"m","messages":[],"n":2}""", "'n' must be 1")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"ftp://x/y.png"}}]}]}""", "must be a data: URL or an http(s) URL")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png,raw"}}]}]}""", "must be a base64 data: URL")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"x","format":"wav"}}]}]}""", "does not take audio")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"file","file":{"file_id":"file-1"}}]}]}""", "cannot read OpenAI file ids")]
    [InlineData("""{"model":"m","messages":[{"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"[1]"}}]}]}""", "must be a JSON object")]
    [InlineData("""{"model":"m","messages":[{"role":"function","name":"f","content":"x"}]}""", "legacy 'function' messages")]
    [InlineData("""{"model":"m","messages":[],"tools":[{"type":"code_interpreter"}]}""", "function tools only")]
    [InlineData("""{"model":"m","messages":[],"max_tokens":0}""", "'max_tokens' must be a positive integer")]
    [InlineData("""{"model":"m"}""", "'messages' is required")]
    [InlineData("""[1]""", "must be a JSON object")]
    public void CreateRequest_WhatAnthropicCannotTake_ThrowsProviderRequestException(string body, string message)
    {
        var exception = Assert.Throws<ProviderRequestException>(() => Create(body));

        Assert.Contains(message, exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ApiOperation.Embeddings)]
    [InlineData(ApiOperation.Completions)]
    public void CreateRequest_OperationAnthropicLacks_ThrowsProviderRequestException(ApiOperation operation)
    {
        var exception = Assert.Throws<ProviderRequestException>(() => Adapter.CreateRequest(Call("""{"model":"m","input":"a"}""", operation: operation)));

        Assert.StartsWith("Anthropic does not serve", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateRequest_Models_GetsTheWholeList()
    {
        var request = Adapter.CreateRequest(Call("", operation: ApiOperation.Models));

        Assert.Equal(HttpMethod.Get, request.Method);
        Assert.Equal("https://api.anthropic.com/v1/models?limit=1000", request.Uri.ToString());
        Assert.True(request.Body.IsEmpty);
    }

    [Fact]
    public void CreateRequest_AnthropicBody_PassesThroughWithBodyFieldsApplied()
    {
        const string body = """{"model":"a","max_tokens":10,"messages":[{"role":"user","content":[{"type":"text","text":"hi","cache_control":{"type":"ephemeral"}}]}],"thinking":{"type":"enabled","budget_tokens":1024}}""";
        var call = Call(body, bodyFormat: WireFormat.Anthropic, fields: [new("model", Bytes("\"claude-b\""))]);

        var request = Adapter.CreateRequest(call);

        Assert.Equal(
            """{"max_tokens":10,"messages":[{"role":"user","content":[{"type":"text","text":"hi","cache_control":{"type":"ephemeral"}}]}],"thinking":{"type":"enabled","budget_tokens":1024},"model":"claude-b"}""",
            Text(request.Body));
    }

    [Fact]
    public void CreateRequest_OpenAiBodyFields_AreAppliedBeforeTranslation()
    {
        var call = Call("""{"model":"a","messages":[{"role":"user","content":"hi"}]}""", fields: [new("model", Bytes("\"claude-b\"")), new("max_tokens", Bytes("7"))]);

        AssertJson("""{"model":"claude-b","messages":[{"role":"user","content":"hi"}],"max_tokens":7}""", Adapter.CreateRequest(call).Body);
    }

    [Fact]
    public void CreateCountTokensRequest_OpenAiBody_KeepsOnlyWhatCountTokensTakes()
    {
        var call = Call("""
            {"model":"m","messages":[{"role":"system","content":"s"},{"role":"user","content":"hi"}],"max_tokens":5,"temperature":1,"stream":true,
             "tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":"auto"}
            """, stream: true);

        var request = Adapter.CreateCountTokensRequest(call);

        Assert.Equal("https://api.anthropic.com/v1/messages/count_tokens", request.Uri.ToString());
        Assert.DoesNotContain(request.Headers, header => header.Key == "Accept");
        AssertJson("""
            {"model":"m","system":"s","messages":[{"role":"user","content":"hi"}],
             "tools":[{"name":"f","input_schema":{"type":"object","properties":{}}}],"tool_choice":{"type":"auto"}}
            """, request.Body);
    }

    [Fact]
    public void CreateCountTokensRequest_AnthropicBody_PassesThrough()
    {
        const string body = """{"model":"m","messages":[{"role":"user","content":"hi"}]}""";

        var request = Adapter.CreateCountTokensRequest(Call(body, bodyFormat: WireFormat.Anthropic));

        Assert.Equal(body, Text(request.Body));
        Assert.Contains(new KeyValuePair<string, string>("x-api-key", "sk-ant-test"), request.Headers);
    }
}
