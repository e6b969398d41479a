using System.Text;
using Switchyard.Providers.Bedrock;

namespace Switchyard.Providers.Tests.Bedrock;

public sealed class BedrockEmbeddingsTests
{
    private static string Request(string openAi, string model) => Encoding.UTF8.GetString(BedrockEmbeddings.FromOpenAi(Encoding.UTF8.GetBytes(openAi), model));

    private static string Response(string bedrock, string openAi, string model) =>
        Encoding.UTF8.GetString(BedrockEmbeddings.ToOpenAi(Encoding.UTF8.GetBytes(bedrock), Encoding.UTF8.GetBytes(openAi), model));

    [Fact]
    public void FromOpenAi_Titan_TakesOneInputAndDimensions()
    {
        Assert.Equal("""{"inputText":"alpha","dimensions":256}""", Request("""{"model":"x","input":"alpha","dimensions":256}""", "amazon.titan-embed-text-v2:0"));
    }

    [Fact]
    public void FromOpenAi_TitanWithTwoInputs_IsRefusedPointingToCohere()
    {
        var ex = Assert.Throws<ProviderRequestException>(() => Request("""{"model":"x","input":["a","b"]}""", "amazon.titan-embed-text-v2:0"));

        Assert.Contains("cohere.embed", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromOpenAi_CohereWithInputType_KeepsIt()
    {
        Assert.Equal("""{"texts":["a","b"],"input_type":"search_query"}""", Request("""{"model":"x","input":["a","b"],"input_type":"search_query"}""", "us.cohere.embed-english-v3"));
    }

    [Fact]
    public void FromOpenAi_TokenIds_AreRefused()
    {
        Assert.Throws<ProviderRequestException>(() => Request("""{"model":"x","input":[1,2,3]}""", "cohere.embed-english-v3"));
    }

    [Fact]
    public void ToOpenAi_Titan_ReportsItsTokenCount()
    {
        Assert.Equal(
            """{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.5,-0.25]}],"model":"amazon.titan-embed-text-v2:0","usage":{"prompt_tokens":3,"total_tokens":3}}""",
            Response("""{"embedding":[0.5,-0.25],"inputTextTokenCount":3}""", """{"input":"alpha"}""", "amazon.titan-embed-text-v2:0"));
    }

    [Fact]
    public void ToOpenAi_CohereFloats_EstimatesUsage()
    {
        Assert.Equal(
            """{"object":"list","data":[{"object":"embedding","index":0,"embedding":[1,0]},{"object":"embedding","index":1,"embedding":[0,1]}],"model":"cohere.embed-english-v3","usage":{"prompt_tokens":5,"total_tokens":5}}""",
            Response("""{"embeddings":[[1,0],[0,1]],"id":"e1","response_type":"embeddings_floats","texts":["alpha","beta gamma"]}""", """{"input":["alpha","beta gamma"]}""", "cohere.embed-english-v3"));
    }

    [Fact]
    public void ToOpenAi_CohereByTypeAsBase64_EncodesLittleEndianFloats()
    {
        var body = Response("""{"embeddings":{"float":[[1.0,-2.0]]},"response_type":"embeddings_by_type"}""", """{"input":"a","encoding_format":"base64"}""", "cohere.embed-v4:0");

        Assert.Contains("\"embedding\":\"AACAPwAAAMA=\"", body, StringComparison.Ordinal);
    }
}
