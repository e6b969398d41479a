using System.Text;
using Switchyard.Providers.Catalog;
using static Switchyard.Providers.Tests.Gemini.GeminiCalls;

namespace Switchyard.Providers.Tests.Gemini;

public sealed class GeminiRequestTranslatorTests
{
    private const string Hello = """{"model":"gemini-2.0-flash","messages":[{"role":"user","content":"hi"}]}""";

    [Fact]
    public void CreateRequest_Chat_PostsGenerateContentWithTheKeyHeader()
    {
        var request = Adapter().CreateRequest(Call(Hello));

        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:generateContent", request.Uri.AbsoluteUri);
        Assert.Equal([new("x-goog-api-key", "g-key")], request.Headers);
        Assert.Equal("""{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}""", Text(request.Body));
    }

    [Fact]
    public void CreateRequest_Stream_UsesStreamGenerateContentWithSse()
    {
        var request = Adapter().CreateRequest(Call(Hello, stream: true));

        Assert.Equal("https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse", request.Uri.AbsoluteUri);
        Assert.Contains(new KeyValuePair<string, string>("Accept", "text/event-stream"), request.Headers);
    }

    [Theory]
    [InlineData("models/gemini-1.5-pro", "/models/gemini-1.5-pro:generateContent")]
    [InlineData("fake|status=400", "/models/fake%7Cstatus%3D400:generateContent")]
    [InlineData("a/../b", "/models/a%2F..%2Fb:generateContent")]
    public void CreateRequest_Model_IsOneEscapedPathSegment(string model, string path)
    {
        var request = Adapter().CreateRequest(Call(Hello, model: model, baseUrl: "http://127.0.0.1:9000/v1beta/"));

        Assert.Equal("http://127.0.0.1:9000/v1beta" + path, request.Uri.OriginalString);
    }

    [Fact]
    public void CreateRequest_Conversation_SystemGoesToSystemInstructionAndTurnsMerge()
    {
        const string body = """
            {"model":"gemini-2.0-flash","user":"u1","stream_options":{"include_usage":true},"messages":[
             {"role":"system","content":"Be brief."},
             {"role":"developer","content":[{"type":"text","text":"Answer in English."}]},
             {"role":"user","content":"Hi"},
             {"role":"user","content":[{"type":"text","text":"Look:"},
               {"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}},
               {"type":"image_url","image_url":{"url":"https://example.com/cat.jpg"}}]},
             {"role":"assistant","content":"A cat."},
             {"role":"assistant","content":""},
             {"role":"user","content":"Thanks"}]}
            """;

        var request = Adapter().CreateRequest(Call(body));

        Assert.Equal(Compact("""
            {"contents":[
              {"role":"user","parts":[{"text":"Hi"},{"text":"Look:"},
                {"inlineData":{"mimeType":"image/png","data":"AAAA"}},
                {"fileData":{"mimeType":"image/jpeg","fileUri":"https://example.com/cat.jpg"}}]},
              {"role":"model","parts":[{"text":"A cat."}]},
              {"role":"user","parts":[{"text":"Thanks"}]}],
             "systemInstruction":{"parts":[{"text":"Be brief."},{"text":"Answer in English."}]}}
            """), Text(request.Body));
    }

    [Fact]
    public void CreateRequest_ToolRoundTrip_CallsAndResultsAreFunctionParts()
    {
        const string body = """
            {"model":"m","messages":[
             {"role":"user","content":"weather in Oslo"},
             {"role":"assistant","content":null,"tool_calls":[
               {"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}},
               {"id":"call_2","type":"function","function":{"name":"now","arguments":""}}]},
             {"role":"tool","tool_call_id":"call_1","content":"sunny"},
             {"role":"tool","tool_call_id":"call_2","content":"{\"hour\":3}"}],
             "tools":[
              {"type":"function","function":{"name":"get_weather","description":"Weather for a city","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}}},
              {"type":"function","function":{"name":"now","parameters":{"type":"object","properties":{}}}}],
             "tool_choice":{"type":"function","function":{"name":"get_weather"}},
             "parallel_tool_calls":false}
            """;

        var request = Adapter().CreateRequest(Call(body));

        Assert.Equal(Compact("""
            {"contents":[
              {"role":"user","parts":[{"text":"weather in Oslo"}]},
              {"role":"model","parts":[
                {"functionCall":{"name":"get_weather","args":{"city":"Oslo"}}},
                {"functionCall":{"name":"now","args":{}}}]},
              {"role":"user","parts":[
                {"functionResponse":{"name":"get_weather","response":{"content":"sunny"}}},
                {"functionResponse":{"name":"now","response":{"hour":3}}}]}],
             "tools":[{"functionDeclarations":[
               {"name":"get_weather","description":"Weather for a city","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}},
               {"name":"now"}]}],
             "toolConfig":{"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["get_weather"]}}}
            """), Text(request.Body));
    }

    [Theory]
    [InlineData("\"auto\"", "AUTO")]
    [InlineData("\"none\"", "NONE")]
    [InlineData("\"required\"", "ANY")]
    public void CreateRequest_ToolChoice_IsAFunctionCallingMode(string choice, string mode)
    {
        var body = """{"model":"m","messages":[{"role":"user","content":"hi"}],"tool_choice":""" + choice + "}";

        var request = Adapter().CreateRequest(Call(body));

        Assert.Equal(
            """{"contents":[{"role":"user","parts":[{"text":"hi"}]}],"toolConfig":{"functionCallingConfig":{"mode":"MODE"}}}""".Replace("MODE", mode, StringComparison.Ordinal),
            Text(request.Body));
    }

    [Fact]
    public void CreateRequest_SamplingFields_GoToGenerationConfig()
    {
        const string body = """
            {"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":0.2,"top_p":0.9,"top_k":40,
             "max_tokens":100,"max_completion_tokens":50,"n":2,"seed":7,"presence_penalty":0.5,"frequency_penalty":-0.5,
             "stop":"END","response_format":{"type":"json_object"}}
            """;

        var request = Adapter().CreateRequest(Call(body));

        Assert.Equal(Compact("""
            {"contents":[{"role":"user","parts":[{"text":"hi"}]}],
             "generationConfig":{"temperature":0.2,"topP":0.9,"topK":40,"maxOutputTokens":50,"candidateCount":2,"seed":7,
               "presencePenalty":0.5,"frequencyPenalty":-0.5,"stopSequences":["END"],"responseMimeType":"application/json"}}
            """), Text(request.Body));
    }

    [Fact]
    public void CreateRequest_JsonSchema_IsRewrittenToGeminisSubset()
    {
        const string body = """
            {"model":"m","messages":[{"role":"user","content":"hi"}],"stop":["a","b"],
             "response_format":{"type":"json_schema","json_schema":{"name":"person","strict":true,"schema":{
              "$schema":"http://json-schema.org/draft-07/schema#","type":"object","additionalProperties":false,
              "properties":{
                "name":{"type":"string","format":"email","description":"Who"},
                "age":{"type":["integer","null"],"minimum":0},
                "born":{"type":"string","format":"date-time"},
                "kind":{"const":"person"},
                "pet":{"$ref":"#/$defs/Pet"},
                "tags":{"type":"array","items":{"type":"string"},"maxItems":3},
                "either":{"oneOf":[{"type":"string"},{"type":"number"}]}},
              "required":["name"],
              "$defs":{"Pet":{"type":"object","properties":{"name":{"type":"string"}},"additionalProperties":false}}}}}}
            """;

        var request = Adapter().CreateRequest(Call(body));

        Assert.Equal(Compact("""
            {"contents":[{"role":"user","parts":[{"text":"hi"}]}],
             "generationConfig":{"stopSequences":["a","b"],"responseMimeType":"application/json","responseSchema":{
              "type":"object",
              "properties":{
                "name":{"type":"string","description":"Who"},
                "age":{"type":"integer","nullable":true,"minimum":0},
                "born":{"type":"string","format":"date-time"},
                "kind":{"enum":["person"]},
                "pet":{"type":"object","properties":{"name":{"type":"string"}}},
                "tags":{"type":"array","items":{"type":"string"},"maxItems":3},
                "either":{"anyOf":[{"type":"string"},{"type":"number"}]}},
              "required":["name"]}}}
            """), Text(request.Body));
    }

    [Fact]
    public void CreateRequest_RecursiveRef_IsInlinedEightLevelsThenOpen()
    {
        const string body = """
            {"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"tree",
             "parameters":{"type":"object","properties":{"root":{"$ref":"#/$defs/Node"}},
               "$defs":{"Node":{"type":"object","properties":{"child":{"$ref":"#/$defs/Node"}}}}}}}]}
            """;

        var text = Text(Adapter().CreateRequest(Call(body)).Body);

        Assert.Equal(8, text.Split("\"child\"").Length - 1);
        Assert.Contains("{\"child\":{\"type\":\"object\"}}", text, StringComparison.Ordinal);
        Assert.DoesNotContain("$defs", text, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateRequest_AudioAndFileParts_GoInline()
    {
        const string body = """
            {"model":"m","messages":[{"role":"user","content":[
              {"type":"input_audio","input_audio":{"data":"UklG","format":"wav"}},
              {"type":"file","file":{"filename":"a.pdf","file_data":"data:application/pdf;base64,JVBE"}}]}]}
            """;

        var request = Adapter().CreateRequest(Call(body));

        Assert.Equal(
            """{"contents":[{"role":"user","parts":[{"inlineData":{"mimeType":"audio/wav","data":"UklG"}},{"inlineData":{"mimeType":"application/pdf","data":"JVBE"}}]}]}""",
            Text(request.Body));
    }

    [Theory]
    [InlineData("""[{"role":"tool","tool_call_id":"nope","content":"x"}]""", "no earlier assistant tool call has the id 'nope'")]
    [InlineData("""[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png,AAAA"}}]}]""", "must be base64")]
    [InlineData("""[{"role":"user","content":[{"type":"image_url","image_url":{"url":"ftp://x/y.png"}}]}]""", "data: URL or an http(s) URL")]
    [InlineData("""[{"role":"user","content":[{"type":"file","file":{"file_id":"file-1"}}]}]""", "file ids cannot be sent")]
    [InlineData("""[{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"[1]"}}]}]""", "must be a JSON object")]
    [InlineData("""[{"role":"wizard","content":"x"}]""", "role 'wizard' is not supported")]
    public void CreateRequest_Untranslatable_ThrowsProviderRequestException(string messages, string expected)
    {
        var exception = Assert.Throws<ProviderRequestException>(() => Adapter().CreateRequest(Call("""{"model":"m","messages":""" + messages + "}")));

        Assert.Contains(expected, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateRequest_Embeddings_AreOneBatchRequestPerInput()
    {
        const string body = """{"model":"text-embedding-004","input":["alpha","beta"],"dimensions":8}""";

        var request = Adapter().CreateRequest(Call(body, model: "text-embedding-004", operation: ApiOperation.Embeddings));

        Assert.Equal("https://generativelanguage.googleapis.com/v1beta/models/text-embedding-004:batchEmbedContents", request.Uri.AbsoluteUri);
        Assert.Equal(Compact("""
            {"requests":[
              {"model":"models/text-embedding-004","content":{"parts":[{"text":"alpha"}]},"outputDimensionality":8},
              {"model":"models/text-embedding-004","content":{"parts":[{"text":"beta"}]},"outputDimensionality":8}]}
            """), Text(request.Body));
    }

    [Fact]
    public void CreateRequest_EmbeddingTokenIds_ThrowsProviderRequestException()
    {
        Assert.Throws<ProviderRequestException>(() =>
            Adapter().CreateRequest(Call("""{"model":"e","input":[[1,2,3]]}""", operation: ApiOperation.Embeddings)));
    }

    [Fact]
    public void CreateRequest_NativeGeminiBody_PassesWithTheConfigFields()
    {
        var call = Call("""{"contents":[{"parts":[{"text":"hi"}]}]}""", format: WireFormat.Gemini, fields: [new("generationConfig", Encoding.UTF8.GetBytes("""{"temperature":0}"""))]);

        var request = Adapter().CreateRequest(call);

        Assert.Equal("""{"contents":[{"parts":[{"text":"hi"}]}],"generationConfig":{"temperature":0}}""", Text(request.Body));
    }
}
