using System.Text.Json;
using Switchyard.Gateway.Routing;

namespace Switchyard.Gateway.Tests.Routing;

public sealed class RoutingFactsTests
{
    private static RoutingFacts Facts(string? metadata = """{"a": {"b": "c"}, "list": [10, 20]}""", string? body = """{"a": {"b": {"c": {"d": 1}}}, "messages": [{"role": "user"}]}""") =>
        new(metadata is null ? null : JsonDocument.Parse(metadata).RootElement,
            () => body is null ? null : JsonDocument.Parse(body).RootElement,
            "/v1/embeddings");

    [Theory]
    [InlineData("metadata.a.b", "\"c\"")]
    [InlineData("metadata.a", """{"b": "c"}""")]
    [InlineData("metadata.list.1", "20")]
    [InlineData("params.a.b.c.d", "1")]
    [InlineData("params.messages.0.role", "\"user\"")]
    [InlineData("params.messages.0", """{"role": "user"}""")]
    [InlineData("url.pathname", "\"/v1/embeddings\"")]
    public void TryGet_PresentFact_ReturnsItsJson(string path, string expectedJson)
    {
        Assert.True(Facts().TryGet(path, out var value));
        Assert.True(JsonElement.DeepEquals(JsonDocument.Parse(expectedJson).RootElement, value));
    }

    [Theory]
    [InlineData("metadata.x")]
    [InlineData("metadata.a.b.c")]
    [InlineData("metadata.list.2")]
    [InlineData("metadata.list.-1")]
    [InlineData("metadata.list.01")]
    [InlineData("metadata.list.+1")]
    [InlineData("metadata.list.x")]
    [InlineData("metadata..a")]
    [InlineData("params.messages.0.role.x")]
    [InlineData("params.a.b.c.d.e")]
    [InlineData("url")]
    [InlineData("url.host")]
    [InlineData("url.pathname.x")]
    [InlineData("headers.x")]
    [InlineData("")]
    public void TryGet_MissingFact_ReturnsFalse(string path)
    {
        Assert.False(Facts().TryGet(path, out var value));
        Assert.Equal(JsonValueKind.Undefined, value.ValueKind);
    }

    [Fact]
    public void TryGet_NoMetadataOrBody_ReturnsFalse()
    {
        var facts = Facts(metadata: null, body: null);

        Assert.False(facts.TryGet("metadata.a", out _));
        Assert.False(facts.TryGet("params.a", out _));
        Assert.True(facts.TryGet("url.pathname", out var path));
        Assert.Equal("/v1/embeddings", path.GetString());
    }

    [Fact]
    public void TryGet_UrlPathnameTwice_ReturnsTheSameValue()
    {
        var facts = Facts();

        Assert.True(facts.TryGet("url.pathname", out var first));
        Assert.True(facts.TryGet("url.pathname", out var second));
        Assert.Equal(first.GetString(), second.GetString());
    }

    [Fact]
    public void TryGet_JsonNullFact_IsPresent()
    {
        var facts = Facts(metadata: """{"x": null}""");

        Assert.True(facts.TryGet("metadata.x", out var value));
        Assert.Equal(JsonValueKind.Null, value.ValueKind);
    }
}
