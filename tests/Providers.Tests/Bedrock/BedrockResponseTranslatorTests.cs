using System.Text;
using Switchyard.Providers.Bedrock;
using Switchyard.Providers.Streaming;

namespace Switchyard.Providers.Tests.Bedrock;

public sealed class BedrockResponseTranslatorTests
{
    private static string Translate(string converse) =>
        Encoding.UTF8.GetString(BedrockResponseTranslator.ToOpenAi(Encoding.UTF8.GetBytes(converse), "chatcmpl-1", 1700000000, "anthropic.claude-v2:1"));

    [Fact]
    public void ToOpenAi_TextAnswer_IsAChatCompletion()
    {
        var openAi = Translate("""{"output":{"message":{"role":"assistant","content":[{"text":"Hello "},{"text":"there"}]}},"stopReason":"end_turn","usage":{"inputTokens":12,"outputTokens":2,"totalTokens":14},"metrics":{"latencyMs":100}}""");

        Assert.Equal(
            """{"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"anthropic.claude-v2:1","choices":[{"index":0,"message":{"role":"assistant","content":"Hello there"},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":2,"total_tokens":14}}""",
            openAi);
    }

    [Fact]
    public void ToOpenAi_ToolUse_BecomesToolCalls()
    {
        var openAi = Translate("""{"output":{"message":{"role":"assistant","content":[{"toolUse":{"toolUseId":"tooluse_1","name":"get_weather","input":{"city":"Oslo"}}}]}},"stopReason":"tool_use","usage":{"inputTokens":3,"outputTokens":4,"totalTokens":7}}""");

        Assert.Equal(
            """{"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"anthropic.claude-v2:1","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"tooluse_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}}]},"logprobs":null,"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}""",
            openAi);
    }

    [Fact]
    public void ToOpenAi_CachedTokens_AreCountedInThePromptAndReported()
    {
        var openAi = Translate("""{"output":{"message":{"role":"assistant","content":[{"text":"x"}]}},"stopReason":"end_turn","usage":{"inputTokens":10,"outputTokens":1,"totalTokens":111,"cacheReadInputTokens":80,"cacheWriteInputTokens":20}}""");

        Assert.EndsWith("\"" + """usage":{"prompt_tokens":110,"completion_tokens":1,"total_tokens":111,"prompt_tokens_details":{"cached_tokens":80}}}""", openAi);
    }

    [Theory]
    [InlineData("end_turn", "stop")]
    [InlineData("stop_sequence", "stop")]
    [InlineData("max_tokens", "length")]
    [InlineData("tool_use", "tool_calls")]
    [InlineData("guardrail_intervened", "content_filter")]
    [InlineData("content_filtered", "content_filter")]
    [InlineData("model_context_window_exceeded", "length")]
    public void FinishReason_StopReason_MapsToOpenAi(string stopReason, string finishReason)
    {
        Assert.Equal(finishReason, BedrockResponseTranslator.FinishReason(stopReason));
    }

    [Fact]
    public void ToOpenAi_NotAConverseAnswer_Throws()
    {
        Assert.Throws<StreamProtocolException>(() => Translate("""{"message":"hi"}"""));
        Assert.Throws<StreamProtocolException>(() => Translate("""{"output":"""));
    }
}
