using System.Text;
using Switchyard.Providers.Catalog;
using static Switchyard.Providers.Tests.Cohere.CohereCalls;

namespace Switchyard.Providers.Tests.Cohere;

public sealed class CohereRequestTranslatorTests
{
    private const string Hello = """{"model":"command-a-03-2025","messages":[{"role":"user","content":"hi"}]}""";

    [Fact]
    public void CreateRequest_Chat_PostsToChatWithBearer()
    {
        var request = Adapter().CreateRequest(Call(Hello));

        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("https://api.cohere.com/v2/chat", request.Uri.AbsoluteUri);
        Assert.Equal([new("Authorization", "Bearer co-key")], request.Headers);
        Assert.Equal("""{"model":"command-a-03-2025","messages":[{"role":"user","content":"hi"}]}""", Text(request.Body));
    }

    [Fact]
    public void CreateRequest_Stream_SetsStreamAndAcceptsEvents()
    {
        var request = Adapter().CreateRequest(Call(Hello, stream: true));

        Assert.Equal("""{"model":"command-a-03-2025","messages":[{"role":"user","content":"hi"}],"stream":true}""", Text(request.Body));
        Assert.Contains(new KeyValuePair<string, string>("Accept", "text/event-stream"), request.Headers);
    }

    [Fact]
    public void CreateRequest_Conversation_TranslatesEveryRoleAndOption()
    {
        const string body = """
            {"model":"ignored","n":1,"user":"u","messages":[
             {"role":"system","content":"Be brief."},
             {"role":"user","content":[{"type":"text","text":"Look:"},
               {"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}},
               {"type":"image_url","image_url":{"url":"https://example.com/cat.jpg","detail":"low"}}]},
             {"role":"assistant","content":"A cat."},
             {"role":"user","content":"weather?"},
             {"role":"assistant","content":"I will check.","tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}}]},
             {"role":"tool","tool_call_id":"call_1","content":[{"type":"text","text":"sunny"}]},
             {"role":"assistant","content":null}],
             "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather","strict":true,"parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}],
             "tool_choice":"required",
             "max_tokens":99,"max_completion_tokens":50,"temperature":0.3,"top_p":0.8,"top_k":10,"seed":1,"frequency_penalty":0.1,"presence_penalty":0.2,"stop":["END"],
             "response_format":{"type":"json_schema","json_schema":{"name":"w","schema":{"type":"object","properties":{"a":{"type":"string"}}}}}}
            """;

        var request = Adapter().CreateRequest(Call(body));

        Assert.Equal(Compact("""
            {"model":"command-a-03-2025","messages":[
              {"role":"system","content":"Be brief."},
              {"role":"user","content":[{"type":"text","text":"Look:"},
                {"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}},
                {"type":"image_url","image_url":{"url":"https://example.com/cat.jpg","detail":"low"}}]},
              {"role":"assistant","content":"A cat."},
              {"role":"user","content":"weather?"},
              {"role":"assistant","tool_plan":"I will check.","tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}}]},
              {"role":"tool","tool_call_id":"call_1","content":"sunny"}],
             "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}],
             "strict_tools":true,"tool_choice":"REQUIRED",
             "max_tokens":50,"temperature":0.3,"p":0.8,"k":10,"seed":1,"frequency_penalty":0.1,"presence_penalty":0.2,"stop_sequences":["END"],
             "response_format":{"type":"json_object","json_schema":{"type":"object","properties":{"a":{"type":"string"}}}}}
            """), Text(request.Body));
    }

    [Fact]
    public void CreateRequest_NamedToolChoice_OffersOnlyThatToolAsRequired()
    {
        const string body = """
            {"model":"m","messages":[{"role":"user","content":"hi"}],
             "tools":[{"type":"function","function":{"name":"a"}},{"type":"function","function":{"name":"b"}}],
             "tool_choice":{"type":"function","function":{"name":"b"}}}
            """;

        var request = Adapter().CreateRequest(Call(body));

        Assert.Equal(
            """{"model":"command-a-03-2025","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"b"}}],"tool_choice":"REQUIRED"}""",
            Text(request.Body));
    }

    [Theory]
    [InlineData("\"none\"", ""","tool_choice":"NONE"}""")]
    [InlineData("\"auto\"", "}]}")]
    public void CreateRequest_ToolChoiceModes_AreCoheres(string choice, string ending)
    {
        var body = """{"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"a"}}],"tool_choice":""" + choice + "}";

        var text = Text(Adapter().CreateRequest(Call(body)).Body);

        Assert.EndsWith(ending, text, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateRequest_JsonObject_IsCoheresJsonMode()
    {
        var body = """{"model":"m","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_object"}}""";

        Assert.EndsWith(""","response_format":{"type":"json_object"}}""", Text(Adapter().CreateRequest(Call(body)).Body), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"model":"m","n":2,"messages":[{"role":"user","content":"hi"}]}""", "'n' must be 1")]
    [InlineData("""{"model":"m","messages":[{"role":"function","name":"f","content":"x"}]}""", "role 'function' is not supported")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"x","format":"wav"}}]}]}""", "'input_audio' are not supported")]
    [InlineData("""{"model":"m","messages":[{"role":"tool","content":"x"}]}""", "needs 'tool_call_id'")]
    [InlineData("""{"model":"m","messages":[],"tools":[{"type":"function","function":{"name":"a"}}],"tool_choice":{"type":"function","function":{"name":"z"}}}""", "names 'z', which is not among the tools")]
    public void CreateRequest_Untranslatable_ThrowsProviderRequestException(string body, string expected)
    {
        var exception = Assert.Throws<ProviderRequestException>(() => Adapter().CreateRequest(Call(body)));

        Assert.Contains(expected, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateRequest_Embeddings_AreFloatSearchDocuments()
    {
        var request = Adapter().CreateRequest(Call("""{"model":"x","input":["alpha","beta"],"dimensions":256}""", model: "embed-v4.0", operation: ApiOperation.Embeddings));

        Assert.Equal("https://api.cohere.com/v2/embed", request.Uri.AbsoluteUri);
        Assert.Equal(
            """{"model":"embed-v4.0","texts":["alpha","beta"],"input_type":"search_document","embedding_types":["float"],"output_dimension":256}""",
            Text(request.Body));
    }

    [Fact]
    public void CreateRequest_EmbeddingsInputType_CanBeChosen()
    {
        var request = Adapter().CreateRequest(Call("""{"model":"x","input":"q","input_type":"search_query"}""", model: "embed-v4.0", operation: ApiOperation.Embeddings));

        Assert.Equal("""{"model":"embed-v4.0","texts":["q"],"input_type":"search_query","embedding_types":["float"]}""", Text(request.Body));
    }

    [Fact]
    public void CreateRequest_NativeCohereBody_PassesWithTheConfigFields()
    {
        var call = Call("""{"model":"c","messages":[{"role":"user","content":"hi"}]}""", format: WireFormat.Cohere, fields: [new("temperature", Encoding.UTF8.GetBytes("0"))]);

        var request = Adapter().CreateRequest(call);

        Assert.Equal("""{"model":"c","messages":[{"role":"user","content":"hi"}],"temperature":0}""", Text(request.Body));
    }
}
