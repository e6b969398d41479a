using System.Text;
using Switchyard.Gateway.Errors;
using Switchyard.Gateway.Intake;

namespace Switchyard.Gateway.Tests.Intake;

public sealed class RequestBodyReaderTests
{
    private static RequestBody Read(string json, int maxDepth = 64) => RequestBodyReader.Read(Encoding.UTF8.GetBytes(json), maxDepth);

    [Fact]
    public void Read_TypicalChatBody_FindsTheRoutingFields()
    {
        var body = Read("""{"messages":[{"role":"user","content":"hi"}],"model":"gpt-4o","stream":true,"max_tokens":256,"stream_options":{"include_usage":true}}""");

        Assert.Equal("gpt-4o", body.Model);
        Assert.True(body.Stream);
        Assert.Equal(256, body.MaxTokens);
        Assert.True(body.ClientAskedForUsage);
    }

    [Fact]
    public void Read_NestedFieldsWithRoutingNames_AreIgnored()
    {
        var body = Read("""{"metadata":{"model":"not-me","stream":true},"model":"me"}""");

        Assert.Equal("me", body.Model);
        Assert.False(body.Stream);
    }

    [Fact]
    public void Read_MaxCompletionTokens_CountsAsMaxTokens()
    {
        Assert.Equal(99, Read("""{"model":"m","max_completion_tokens":99}""").MaxTokens);
    }

    [Fact]
    public void Read_StreamOptionsWithoutUsage_RemembersWhereTheObjectIs()
    {
        const string json = """{"model":"m","stream_options":{"include_obfuscation":false,"x":{"include_usage":true}}}""";
        var body = Read(json);

        Assert.False(body.ClientAskedForUsage);
        var options = body.StreamOptions!;
        Assert.Equal("""{"include_obfuscation":false,"x":{"include_usage":true}}""", json.Substring(options.ValueStart, options.ValueLength));
    }

    [Theory]
    [InlineData("", "The request body is empty")]
    [InlineData("[]", "The request body must be a JSON object, not an array.")]
    [InlineData("\"text\"", "The request body must be a JSON object, not a string.")]
    [InlineData("{\"model\":1}", "'model' must be a string.")]
    [InlineData("{\"stream\":1}", "'stream' must be true or false.")]
    [InlineData("{\"max_tokens\":\"many\"}", "'max_tokens' must be an integer.")]
    [InlineData("{\"stream_options\":true}", "'stream_options' must be an object.")]
    [InlineData("{\"model\":\"m\"", "The request body is not valid JSON")]
    [InlineData("{\"model\":\"m\"}{}", "The request body is not valid JSON")]
    [InlineData("{'model':'m'}", "The request body is not valid JSON")]
    [InlineData("{\"a\":1,}", "The request body is not valid JSON")]
    public void Read_BadBody_ThrowsA400ThatSaysWhatIsWrong(string json, string message)
    {
        var error = Assert.Throws<GatewayException>(() => Read(json));

        Assert.Equal(400, error.StatusCode);
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_DeeperThanTheLimit_Throws400()
    {
        var error = Assert.Throws<GatewayException>(() => Read("{\"a\":[[[[1]]]]}", maxDepth: 4));

        Assert.Equal("The request body is nested deeper than 4 levels; flatten it.", error.Message);
    }

    [Fact]
    public void Read_AtTheLimit_IsAccepted()
    {
        Assert.Equal("m", Read("{\"model\":\"m\",\"a\":[[[1]]]}", maxDepth: 4).Model);
    }
}
