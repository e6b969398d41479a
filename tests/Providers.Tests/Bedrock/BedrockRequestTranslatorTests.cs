using System.Text;
using Switchyard.Providers.Bedrock;

namespace Switchyard.Providers.Tests.Bedrock;

public sealed class BedrockRequestTranslatorTests
{
    private static string Translate(string openAi) => Encoding.UTF8.GetString(BedrockRequestTranslator.FromOpenAi(Encoding.UTF8.GetBytes(openAi)));

    [Fact]
    public void FromOpenAi_SystemAndUser_SplitsSystemFromTurns()
    {
        var converse = Translate("""{"model":"m","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"hello"}]}""");

        Assert.Equal("""{"messages":[{"role":"user","content":[{"text":"hello"}]}],"system":[{"text":"Be brief."}]}""", converse);
    }

    [Fact]
    public void FromOpenAi_SamplingParameters_GoToInferenceConfig()
    {
        var converse = Translate("""{"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":5,"max_completion_tokens":7,"temperature":0.2,"top_p":0.9,"stop":"END","seed":1}""");

        Assert.Equal(
            """{"messages":[{"role":"user","content":[{"text":"hi"}]}],"inferenceConfig":{"maxTokens":7,"temperature":0.2,"topP":0.9,"stopSequences":["END"]}}""",
            converse);
    }

    [Fact]
    public void FromOpenAi_ToolRoundTrip_BecomesToolUseAndUserToolResults()
    {
        var converse = Translate("""
            {"model":"m","messages":[
              {"role":"user","content":"weather in Oslo and Bergen"},
              {"role":"assistant","content":"Checking.","tool_calls":[
                {"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}},
                {"id":"call_2","type":"function","function":{"name":"get_weather","arguments":""}}]},
              {"role":"tool","tool_call_id":"call_1","content":"sunny"},
              {"role":"tool","tool_call_id":"call_2","content":[{"type":"text","text":"rain"}]},
              {"role":"user","content":"thanks"}],
             "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}],
             "tool_choice":"required"}
            """);

        Assert.Equal(
            """{"messages":[{"role":"user","content":[{"text":"weather in Oslo and Bergen"}]},"""
            + """{"role":"assistant","content":[{"text":"Checking."},{"toolUse":{"toolUseId":"call_1","name":"get_weather","input":{"city":"Oslo"}}},{"toolUse":{"toolUseId":"call_2","name":"get_weather","input":{}}}]},"""
            + """{"role":"user","content":[{"toolResult":{"toolUseId":"call_1","content":[{"text":"sunny"}]}},{"toolResult":{"toolUseId":"call_2","content":[{"text":"rain"}]}},{"text":"thanks"}]}],"""
            + "\"" + """toolConfig":{"tools":[{"toolSpec":{"name":"get_weather","description":"Weather","inputSchema":{"json":{"type":"object","properties":{"city":{"type":"string"}}}}}}],"toolChoice":{"any":{}}}}""",
            converse);
    }

    [Fact]
    public void FromOpenAi_NamedToolChoice_BecomesToolChoiceTool()
    {
        var converse = Translate("""{"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":{"type":"function","function":{"name":"f"}}}""");

        Assert.EndsWith("\"" + """toolConfig":{"tools":[{"toolSpec":{"name":"f","inputSchema":{"json":{"type":"object","properties":{}}}}}],"toolChoice":{"tool":{"name":"f"}}}}""", converse);
    }

    [Fact]
    public void FromOpenAi_ToolChoiceNone_LeavesTheToolsOut()
    {
        var converse = Translate("""{"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":"none"}""");

        Assert.Equal("""{"messages":[{"role":"user","content":[{"text":"x"}]}]}""", converse);
    }

    [Fact]
    public void FromOpenAi_DataUrlImage_BecomesImageBytes()
    {
        var converse = Translate("""{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"look"},{"type":"image_url","image_url":{"url":"data:image/jpg;base64,AAE+/w=="}}]}]}""");

        Assert.Equal("""{"messages":[{"role":"user","content":[{"text":"look"},{"image":{"format":"jpeg","source":{"bytes":"AAE+/w=="}}}]}]}""", converse);
    }

    [Fact]
    public void FromOpenAi_HttpImageUrl_IsRefused()
    {
        var ex = Assert.Throws<ProviderRequestException>(() => Translate("""{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://example.com/cat.png"}}]}]}"""));

        Assert.Contains("data: URL", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromOpenAi_ConsecutiveUserTurnsAndEmptyAssistant_AreMergedAndDropped()
    {
        var converse = Translate("""{"model":"m","messages":[{"role":"user","content":"a"},{"role":"assistant","content":""},{"role":"user","content":"b"},{"role":"developer","content":"rules"}]}""");

        Assert.Equal("""{"messages":[{"role":"user","content":[{"text":"a"},{"text":"b"}]}],"system":[{"text":"rules"}]}""", converse);
    }

    [Fact]
    public void FromOpenAi_NativeFields_PassThrough()
    {
        var converse = Translate("""{"model":"m","messages":[{"role":"user","content":"a"}],"additionalModelRequestFields":{"top_k":5},"guardrailConfig":{"guardrailIdentifier":"g","guardrailVersion":"1"}}""");

        Assert.EndsWith("\"" + """additionalModelRequestFields":{"top_k":5},"guardrailConfig":{"guardrailIdentifier":"g","guardrailVersion":"1"}}""", converse);
    }

    [Theory]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"a"}],"n":2}""", "'n' must be 1")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"a"}],"response_format":{"type":"json_object"}}""", "no JSON mode")]
    [InlineData("""{"model":"m","messages":[{"role":"function","name":"f","content":"a"}]}""", "role 'function'")]
    [InlineData("""{"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{oops"}}]}]}""", "not valid JSON")]
    [InlineData("""{"model":"m","messages":[{"role":"tool","content":"x"}]}""", "tool_call_id")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{}}]}]}""", "'input_audio'")]
    [InlineData("""{"model":"m"}""", "'messages'")]
    public void FromOpenAi_WhatConverseCannotExpress_IsRefused(string openAi, string expected)
    {
        var ex = Assert.Throws<ProviderRequestException>(() => Translate(openAi));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }
}
