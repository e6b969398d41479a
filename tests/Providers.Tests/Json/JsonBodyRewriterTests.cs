using System.Text;
using Switchyard.Providers.Json;

namespace Switchyard.Providers.Tests.Json;

public sealed class JsonBodyRewriterTests
{
    private static string Set(string json, params (string Name, string Value)[] fields) =>
        Encoding.UTF8.GetString(JsonBodyRewriter.SetFields(
            Encoding.UTF8.GetBytes(json),
            fields.Select(f => new KeyValuePair<string, ReadOnlyMemory<byte>>(f.Name, Encoding.UTF8.GetBytes(f.Value))).ToList()).Span);

    [Fact]
    public void SetFields_Nothing_ReturnsTheSameBytes()
    {
        var body = Encoding.UTF8.GetBytes("{ \"a\" : 1 }");
        Assert.True(JsonBodyRewriter.SetFields(body, []).Span == body.AsSpan());
    }

    [Theory]
    [InlineData("{\"model\":\"a\",\"x\":1}", "{\"x\":1,\"model\":\"b\"}")]
    [InlineData("{\"x\":1,\"model\":\"a\"}", "{\"x\":1,\"model\":\"b\"}")]
    [InlineData("{\"x\":1,\"model\":\"a\",\"y\":2}", "{\"x\":1,\"y\":2,\"model\":\"b\"}")]
    [InlineData("{ \"x\" : 1 ,\n \"model\" : \"a\" }", "{ \"x\" : 1,\"model\":\"b\"}")]
    [InlineData("{}", "{\"model\":\"b\"}")]
    [InlineData("{ }", "{\"model\":\"b\"}")]
    [InlineData("{\"model\":\"a\"}", "{\"model\":\"b\"}")]
    [InlineData("{\"x\":{\"model\":\"inner\"}}", "{\"x\":{\"model\":\"inner\"},\"model\":\"b\"}")]
    public void SetFields_Model_ReplacesTheTopLevelFieldAndKeepsEverythingElse(string json, string expected)
    {
        Assert.Equal(expected, Set(json, ("model", "\"b\"")));
    }

    [Fact]
    public void SetFields_SeveralFields_KeepsUntouchedBytesAndAppendsInOrder()
    {
        var result = Set("{\"model\":\"a\", \"messages\":[{\"content\":\"caf\\u00e9\"}], \"temperature\":1.00}", ("model", "\"b\""), ("temperature", "0.2"), ("top_p", "0.5"));

        Assert.Equal("{ \"messages\":[{\"content\":\"caf\\u00e9\"}],\"model\":\"b\",\"temperature\":0.2,\"top_p\":0.5}", result);
    }

    [Fact]
    public void SetFields_SameFieldTwice_LastWins()
    {
        Assert.Equal("{\"x\":1,\"model\":\"c\"}", Set("{\"x\":1}", ("model", "\"b\""), ("model", "\"c\"")));
    }

    [Fact]
    public void SetFields_NameNeedingEscapes_IsWrittenAsJson()
    {
        Assert.Equal("{\"a\\u0022b\":1}", Set("{}", ("a\"b", "1")));
    }
}
