using System.Text;
using System.Text.Json;
using Switchyard.Providers.Streaming;
using static Switchyard.Providers.Tests.Cohere.CohereCalls;

namespace Switchyard.Providers.Tests.Cohere;

public sealed class CohereResponseTranslatorTests
{
    private static readonly ProviderCall Chat = Call("""{"model":"command-a-03-2025","messages":[{"role":"user","content":"hi"}]}""");

    private static string Translate(string body) => Encoding.UTF8.GetString(Adapter().TranslateResponse(Chat, Encoding.UTF8.GetBytes(body)));

    [Fact]
    public void TranslateResponse_Text_UsesModelTokensAndCachedTokens()
    {
        const string body = """
            {"id":"c1","finish_reason":"COMPLETE","message":{"role":"assistant","content":[{"type":"thinking","thinking":"hmm"},{"type":"text","text":"Hello"}]},
             "usage":{"billed_units":{"input_tokens":5,"output_tokens":2},"tokens":{"input_tokens":70.0,"output_tokens":2},"cached_tokens":10}}
            """;

        Assert.Equal(Compact("""
            {"id":"c1","object":"chat.completion","created":1700000000,"model":"command-a-03-2025",
             "choices":[{"index":0,"message":{"role":"assistant","content":"Hello"},"logprobs":null,"finish_reason":"stop"}],
             "usage":{"prompt_tokens":70,"completion_tokens":2,"total_tokens":72,"prompt_tokens_details":{"cached_tokens":10}}}
            """), Translate(body));
    }

    [Fact]
    public void TranslateResponse_ToolCalls_KeepIdsAndTheToolPlanAsContent()
    {
        const string body = """
            {"id":"c2","finish_reason":"TOOL_CALL","message":{"role":"assistant","tool_plan":"I will check.",
              "tool_calls":[{"id":"get_weather_abc","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}}]},
             "usage":{"billed_units":{"input_tokens":5,"output_tokens":9}}}
            """;

        Assert.Equal(Compact("""
            {"id":"c2","object":"chat.completion","created":1700000000,"model":"command-a-03-2025",
             "choices":[{"index":0,"message":{"role":"assistant","content":"I will check.","tool_calls":[
               {"id":"get_weather_abc","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}}]},
               "logprobs":null,"finish_reason":"tool_calls"}],
             "usage":{"prompt_tokens":5,"completion_tokens":9,"total_tokens":14}}
            """), Translate(body));
    }

    [Theory]
    [InlineData("COMPLETE", "stop")]
    [InlineData("STOP_SEQUENCE", "stop")]
    [InlineData("MAX_TOKENS", "length")]
    [InlineData("TOOL_CALL", "tool_calls")]
    [InlineData("ERROR", "stop")]
    [InlineData("TIMEOUT", "stop")]
    public void TranslateResponse_FinishReason_MapsToOpenAis(string cohere, string openAi)
    {
        var body = """{"id":"c","message":{"role":"assistant","content":[{"type":"text","text":"x"}]},"finish_reason":"FINISH"}""".Replace("FINISH", cohere, StringComparison.Ordinal);

        using var json = JsonDocument.Parse(Translate(body));

        Assert.Equal(openAi, json.RootElement.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }

    [Theory]
    [InlineData("""{"id":"c"}""")]
    [InlineData("""{"id":""")]
    public void TranslateResponse_NotCoheresShape_ThrowsStreamProtocolException(string body)
    {
        Assert.Throws<StreamProtocolException>(() => Translate(body));
    }

    [Fact]
    public void TranslateResponse_Embeddings_AreAnOpenAiListWithBilledTokens()
    {
        var call = Call("""{"model":"x","input":["alpha","beta"]}""", model: "embed-v4.0", operation: ApiOperation.Embeddings);
        const string body = """{"id":"e","embeddings":{"float":[[0.5,-0.25],[1,0]]},"texts":["alpha","beta"],"meta":{"api_version":{"version":"2"},"billed_units":{"input_tokens":3}},"response_type":"embeddings_by_type"}""";

        var text = Encoding.UTF8.GetString(Adapter().TranslateResponse(call, Encoding.UTF8.GetBytes(body)));

        Assert.Equal(Compact("""
            {"object":"list","data":[
              {"object":"embedding","index":0,"embedding":[0.5,-0.25]},
              {"object":"embedding","index":1,"embedding":[1,0]}],
             "model":"embed-v4.0","usage":{"prompt_tokens":3,"total_tokens":3}}
            """), text);
    }

    [Theory]
    [InlineData(400, "invalid_request_error")]
    [InlineData(401, "authentication_error")]
    [InlineData(498, "authentication_error")]
    [InlineData(403, "permission_error")]
    [InlineData(404, "not_found_error")]
    [InlineData(422, "invalid_request_error")]
    [InlineData(429, "rate_limit_error")]
    [InlineData(499, "api_error")]
    [InlineData(500, "api_error")]
    [InlineData(503, "overloaded_error")]
    public void TranslateError_Status_IsAnOpenAiErrorType(int status, string type)
    {
        var error = Encoding.UTF8.GetString(Adapter().TranslateError(Chat, status, """{"id":"x","message":"went wrong"}"""u8));

        Assert.Equal("""{"error":{"message":"went wrong","type":"TYPE","param":null,"code":null}}""".Replace("TYPE", type, StringComparison.Ordinal), error);
    }

    [Fact]
    public void TranslateError_NotJson_KeepsTheStatusAndBody()
    {
        using var json = JsonDocument.Parse(Adapter().TranslateError(Chat, 502, "Bad gateway"u8));

        Assert.Equal("Cohere answered 502: Bad gateway", json.RootElement.GetProperty("error").GetProperty("message").GetString());
    }
}
