using System.Text;
using System.Text.Json;
using Switchyard.Providers.Streaming;
using static Switchyard.Providers.Tests.Gemini.GeminiCalls;

namespace Switchyard.Providers.Tests.Gemini;

public sealed class GeminiResponseTranslatorTests
{
    private static readonly ProviderCall Chat = Call("""{"model":"gemini-2.0-flash","messages":[{"role":"user","content":"hi"}]}""");

    private static string Translate(string body) => Encoding.UTF8.GetString(Adapter().TranslateResponse(Chat, Encoding.UTF8.GetBytes(body)));

    [Fact]
    public void TranslateResponse_Text_IsAChatCompletionWithoutThoughts()
    {
        const string body = """
            {"candidates":[{"content":{"parts":[{"text":"Hello "},{"text":"let me think","thought":true},{"text":"world"}],"role":"model"},
              "finishReason":"STOP","index":0,"safetyRatings":[]}],
             "usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":4,"thoughtsTokenCount":6,"totalTokenCount":20,"cachedContentTokenCount":2},
             "modelVersion":"gemini-2.5-flash","responseId":"abc"}
            """;

        Assert.Equal(Compact("""
            {"id":"chatcmpl-abc","object":"chat.completion","created":1700000000,"model":"gemini-2.5-flash",
             "choices":[{"index":0,"message":{"role":"assistant","content":"Hello world"},"logprobs":null,"finish_reason":"stop"}],
             "usage":{"prompt_tokens":10,"completion_tokens":10,"total_tokens":20,
               "prompt_tokens_details":{"cached_tokens":2},"completion_tokens_details":{"reasoning_tokens":6}}}
            """), Translate(body));
    }

    [Fact]
    public void TranslateResponse_FunctionCalls_AreToolCallsWithGeneratedIds()
    {
        const string body = """
            {"candidates":[{"content":{"parts":[{"functionCall":{"name":"get_weather","args":{"city":"Oslo"}}},{"functionCall":{"name":"now","args":{}}}],"role":"model"},
              "finishReason":"STOP"}],
             "usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":3,"totalTokenCount":8}}
            """;

        Assert.Equal(Compact("""
            {"id":"chatcmpl-id1","object":"chat.completion","created":1700000000,"model":"gemini-2.0-flash",
             "choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[
               {"id":"call_id2","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}},
               {"id":"call_id3","type":"function","function":{"name":"now","arguments":"{}"}}]},
               "logprobs":null,"finish_reason":"tool_calls"}],
             "usage":{"prompt_tokens":5,"completion_tokens":3,"total_tokens":8}}
            """), Translate(body));
    }

    [Theory]
    [InlineData("STOP", "stop")]
    [InlineData("MAX_TOKENS", "length")]
    [InlineData("SAFETY", "content_filter")]
    [InlineData("RECITATION", "content_filter")]
    [InlineData("BLOCKLIST", "content_filter")]
    [InlineData("PROHIBITED_CONTENT", "content_filter")]
    [InlineData("SPII", "content_filter")]
    [InlineData("OTHER", "stop")]
    public void TranslateResponse_FinishReason_MapsToOpenAis(string gemini, string openAi)
    {
        var body = $$"""{"candidates":[{"content":{"parts":[{"text":"x"}],"role":"model"},"finishReason":"{{gemini}}","index":0}]}""";

        using var json = JsonDocument.Parse(Translate(body));

        Assert.Equal(openAi, json.RootElement.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }

    [Fact]
    public void TranslateResponse_SeveralCandidates_AreSeveralChoices()
    {
        const string body = """
            {"candidates":[{"content":{"parts":[{"text":"a"}],"role":"model"},"finishReason":"STOP"},
                           {"content":{"parts":[{"text":"b"}],"role":"model"},"finishReason":"MAX_TOKENS","index":1}],"responseId":"r"}
            """;

        Assert.Equal(Compact("""
            {"id":"chatcmpl-r","object":"chat.completion","created":1700000000,"model":"gemini-2.0-flash","choices":[
              {"index":0,"message":{"role":"assistant","content":"a"},"logprobs":null,"finish_reason":"stop"},
              {"index":1,"message":{"role":"assistant","content":"b"},"logprobs":null,"finish_reason":"length"}]}
            """), Translate(body));
    }

    [Fact]
    public void TranslateResponse_BlockedPrompt_IsAContentFilterChoice()
    {
        const string body = """{"promptFeedback":{"blockReason":"SAFETY"},"usageMetadata":{"promptTokenCount":3,"totalTokenCount":3},"responseId":"b"}""";

        Assert.Equal(Compact("""
            {"id":"chatcmpl-b","object":"chat.completion","created":1700000000,"model":"gemini-2.0-flash",
             "choices":[{"index":0,"message":{"role":"assistant","content":null},"logprobs":null,"finish_reason":"content_filter"}],
             "usage":{"prompt_tokens":3,"completion_tokens":0,"total_tokens":3}}
            """), Translate(body));
    }

    [Theory]
    [InlineData("{\"candidates\": [")]
    [InlineData("[1,2]")]
    public void TranslateResponse_NotAnObject_ThrowsStreamProtocolException(string body)
    {
        Assert.Throws<StreamProtocolException>(() => Translate(body));
    }

    [Fact]
    public void TranslateResponse_Embeddings_AreAnOpenAiListWithEstimatedUsage()
    {
        var call = Call("""{"model":"text-embedding-004","input":["alpha","beta!"]}""", model: "text-embedding-004", operation: ApiOperation.Embeddings);

        var text = Encoding.UTF8.GetString(Adapter().TranslateResponse(call, """{"embeddings":[{"values":[0.5,-0.25]},{"values":[1,0]}]}"""u8));

        Assert.Equal(Compact("""
            {"object":"list","data":[
              {"object":"embedding","index":0,"embedding":[0.5,-0.25]},
              {"object":"embedding","index":1,"embedding":[1,0]}],
             "model":"text-embedding-004","usage":{"prompt_tokens":4,"total_tokens":4}}
            """), text);
    }

    [Fact]
    public void TranslateResponse_EmbeddingsAsBase64_EncodesLittleEndianFloats()
    {
        var call = Call("""{"model":"e","input":"a","encoding_format":"base64"}""", model: "e", operation: ApiOperation.Embeddings);

        using var json = JsonDocument.Parse(Adapter().TranslateResponse(call, """{"embeddings":[{"values":[1.0,-2.0]}]}"""u8));

        var bytes = Convert.FromBase64String(json.RootElement.GetProperty("data")[0].GetProperty("embedding").GetString()!);
        Assert.Equal([1f, -2f], [BitConverter.ToSingle(bytes, 0), BitConverter.ToSingle(bytes, 4)]);
    }

    [Theory]
    [InlineData(400, "INVALID_ARGUMENT", "invalid_request_error")]
    [InlineData(400, "FAILED_PRECONDITION", "invalid_request_error")]
    [InlineData(401, "UNAUTHENTICATED", "authentication_error")]
    [InlineData(403, "PERMISSION_DENIED", "permission_error")]
    [InlineData(404, "NOT_FOUND", "not_found_error")]
    [InlineData(429, "RESOURCE_EXHAUSTED", "rate_limit_error")]
    [InlineData(500, "INTERNAL", "api_error")]
    [InlineData(503, "UNAVAILABLE", "overloaded_error")]
    [InlineData(504, "DEADLINE_EXCEEDED", "api_error")]
    public void TranslateError_GoogleStatus_IsAnOpenAiErrorType(int status, string rpcStatus, string type)
    {
        var body = Encoding.UTF8.GetBytes($$$"""{"error":{"code":{{{status}}},"message":"went wrong","status":"{{{rpcStatus}}}"}}""");

        var error = Encoding.UTF8.GetString(Adapter().TranslateError(Chat, status, body));

        Assert.Equal($$$"""{"error":{"message":"went wrong","type":"{{{type}}}","param":null,"code":"{{{rpcStatus}}}"}}""", error);
    }

    [Fact]
    public void TranslateError_ArrayShapedError_ReadsTheFirst()
    {
        var error = Encoding.UTF8.GetString(Adapter().TranslateError(Chat, 429, """[{"error":{"code":429,"message":"quota","status":"RESOURCE_EXHAUSTED"}}]"""u8));

        Assert.Equal("""{"error":{"message":"quota","type":"rate_limit_error","param":null,"code":"RESOURCE_EXHAUSTED"}}""", error);
    }

    [Fact]
    public void TranslateError_NotJson_KeepsTheStatusAndBody()
    {
        using var json = JsonDocument.Parse(Adapter().TranslateError(Chat, 502, "Bad gateway"u8));

        var error = json.RootElement.GetProperty("error");
        Assert.Equal("Google Gemini answered 502: Bad gateway", error.GetProperty("message").GetString());
        Assert.Equal("api_error", error.GetProperty("type").GetString());
    }
}
