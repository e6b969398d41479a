namespace Switchyard.Providers.Tests;

public sealed class ProviderResponseHeadersTests
{
    [Fact]
    public void Indexer_ResponseHeader_IsFoundWhateverTheCase()
    {
        using var response = new HttpResponseMessage();
        response.Headers.TryAddWithoutValidation("x-amzn-ErrorType", "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/");

        var headers = ProviderResponseHeaders.Of(response);

        Assert.Equal("ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/", headers["X-Amzn-ErrorType"]);
    }

    [Fact]
    public void Indexer_ContentHeader_IsFound()
    {
        using var response = new HttpResponseMessage { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") };

        Assert.Equal("application/json; charset=utf-8", ProviderResponseHeaders.Of(response)["content-type"]);
    }

    [Fact]
    public void Indexer_SeveralValues_AreJoinedWithCommas()
    {
        using var response = new HttpResponseMessage();
        response.Headers.TryAddWithoutValidation("x-trace", ["a", "b"]);

        Assert.Equal("a, b", ProviderResponseHeaders.Of(response)["x-trace"]);
    }

    [Fact]
    public void Indexer_HeaderNotSent_IsNull()
    {
        using var response = new HttpResponseMessage();

        Assert.Null(ProviderResponseHeaders.Of(response)["X-Amzn-Bedrock-Input-Token-Count"]);
    }

    [Fact]
    public void Default_HasNoHeaders()
    {
        Assert.Null(default(ProviderResponseHeaders)["content-type"]);
    }
}
