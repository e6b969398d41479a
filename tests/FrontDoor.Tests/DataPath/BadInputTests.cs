using System.Net;
using System.Text;
using Switchyard.FrontDoor.Tests.Infrastructure;

namespace Switchyard.FrontDoor.Tests.DataPath;

/// <summary>Every client mistake is a 4xx in Portkey's gateway shape with a message that says what to fix; the provider is never called.</summary>
public sealed class BadInputTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private async Task<(HttpStatusCode Status, string Message, string[] Errors)> SendAsync(HttpRequestMessage request)
    {
        using var response = await fixture.Client.SendAsync(request);
        var json = await response.JsonAsync();
        Assert.Equal("failure", json.GetProperty("status").GetString());
        var errors = json.TryGetProperty("errors", out var list) ? list.EnumerateArray().Select(e => e.GetString()!).ToArray() : [];
        return (response.StatusCode, json.GetProperty("message").GetString()!, errors);
    }

    [Theory]
    [InlineData("{\"model\":\"fake-gpt\",", "The request body is not valid JSON at line 1, byte 20; check quotes, commas and brackets.")]
    [InlineData("{\"model\":\"fake-gpt\"} trailing", "The request body is not valid JSON at line 1, byte 22; check quotes, commas and brackets.")]
    [InlineData("[1,2]", "The request body must be a JSON object, not an array.")]
    [InlineData("", "The request body is empty; send a JSON object such as {\"model\":\"gpt-4o-mini\",\"messages\":[…]}.")]
    [InlineData("{\"model\":42}", "'model' must be a string.")]
    [InlineData("{\"model\":\"m\",\"stream\":\"yes\"}", "'stream' must be true or false.")]
    [InlineData("{\"messages\":[]}", "'model' is required: set it in the request body (or in the config's override_params).")]
    public async Task ChatCompletions_BadBody_Is400WithWhatToFix(string body, string message)
    {
        var result = await SendAsync(Requests.Post("/v1/chat/completions", body).ToFake(fixture));

        Assert.Equal(HttpStatusCode.BadRequest, result.Status);
        Assert.Equal(message, result.Message);
    }

    [Fact]
    public async Task ChatCompletions_NestedTooDeep_Is400()
    {
        var body = "{\"model\":\"m\",\"x\":" + new string('[', 100) + new string(']', 100) + "}";
        var result = await SendAsync(Requests.Post("/v1/chat/completions", body).ToFake(fixture));

        Assert.Equal(HttpStatusCode.BadRequest, result.Status);
        Assert.Equal("The request body is nested deeper than 64 levels; flatten it.", result.Message);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task ChatCompletions_WrongContentType_Is400(string contentType)
    {
        var result = await SendAsync(Requests.Post("/v1/chat/completions", Requests.ChatBody("fake-gpt"), contentType).ToFake(fixture));

        Assert.Equal(HttpStatusCode.BadRequest, result.Status);
        Assert.Equal($"Invalid content type passed: '{contentType}'. Send the body as JSON with the header Content-Type: application/json.", result.Message);
    }

    [Fact]
    public async Task ChatCompletions_BodyOverTheLimit_Is413()
    {
        var body = Requests.ChatBody("fake-gpt", new string('a', 70_000));
        var result = await SendAsync(Requests.Post("/v1/chat/completions", body).ToFake(fixture));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, result.Status);
        Assert.Equal("The request body is larger than 65536 bytes; send less (the limit is Switchyard:Gateway:MaxRequestBodyBytes).", result.Message);
    }

    [Fact]
    public async Task ChatCompletions_ChunkedBodyOverTheLimit_Is413()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StreamContent(new ChunkedStream(Encoding.UTF8.GetBytes(Requests.ChatBody("fake-gpt", new string('a', 70_000))))),
        };
        request.Content.Headers.ContentType = new("application/json");
        var result = await SendAsync(request.ToFake(fixture));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, result.Status);
    }

    [Fact]
    public async Task ChatCompletions_NoProviderNoConfig_Is400()
    {
        var result = await SendAsync(Requests.Chat("fake-gpt"));

        Assert.Equal(HttpStatusCode.BadRequest, result.Status);
        Assert.Equal("Either x-portkey-config or x-portkey-provider header is required: name a provider (e.g. x-portkey-provider: openai), a virtual key (x-portkey-virtual-key, or \"model\": \"@slug/model\"), or send a config.", result.Message);
    }

    [Fact]
    public async Task ChatCompletions_UnknownProvider_Is400()
    {
        var result = await SendAsync(Requests.Chat("fake-gpt").WithHeader("x-portkey-provider", "nope-ai"));

        Assert.Equal(HttpStatusCode.BadRequest, result.Status);
        Assert.StartsWith("Invalid provider passed: 'nope-ai'.", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChatCompletions_ConfigNotJson_Is400()
    {
        var result = await SendAsync(Requests.Chat("fake-gpt").WithConfig("{\"strategy\":"));

        Assert.Equal(HttpStatusCode.BadRequest, result.Status);
        Assert.Equal("Invalid config passed", result.Message);
        Assert.Single(result.Errors);
        Assert.StartsWith("config: must be a JSON object", result.Errors[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChatCompletions_ConfigWithSeveralErrors_ListsEveryOneWithItsPath()
    {
        var config = """{"strategy":{"mode":"roundrobin"},"targets":[{"provider":"nope"},{"provider":"openai","retry":{"attempts":"x"},"request_timeout":-5}]}""";
        var result = await SendAsync(Requests.Chat("fake-gpt").WithConfig(config));

        Assert.Equal(HttpStatusCode.BadRequest, result.Status);
        Assert.Equal(4, result.Errors.Length);
        Assert.Contains(result.Errors, e => e.StartsWith("config.strategy.mode:", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.StartsWith("config.targets[0].provider: unknown provider 'nope'", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.StartsWith("config.targets[1].retry.attempts:", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.StartsWith("config.targets[1].request_timeout:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ChatCompletions_SavedConfigIdWithoutApiKey_IsLookedUpInTheDefaultWorkspace()
    {
        var result = await SendAsync(Requests.Chat("fake-gpt").WithConfig("pc-abc-123"));

        Assert.Equal(HttpStatusCode.Forbidden, result.Status);
        Assert.StartsWith("x-portkey-config names saved config 'pc-abc-123'", result.Message);
    }

    [Theory]
    [InlineData("http://10.0.0.5/v1")]
    [InlineData("http://169.254.169.254/latest")]
    [InlineData("http://2130706433/v1")]
    [InlineData("file:///etc/passwd")]
    [InlineData("http://user:pw@api.example.com/v1")]
    public async Task ChatCompletions_ForbiddenCustomHostHeader_Is400(string host)
    {
        var request = Requests.Chat("fake-gpt").WithHeader("x-portkey-provider", "openai").WithHeader("x-portkey-custom-host", host);
        var result = await SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, result.Status);
        Assert.StartsWith("Invalid custom host: ", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChatCompletions_ForbiddenCustomHostInConfig_Is400WithItsPath()
    {
        var config = """{"strategy":{"mode":"fallback"},"targets":[{"provider":"openai"},{"provider":"openai","custom_host":"http://192.168.1.1/v1"}]}""";
        var result = await SendAsync(Requests.Chat("fake-gpt").WithConfig(config));

        Assert.Equal(HttpStatusCode.BadRequest, result.Status);
        Assert.StartsWith("config.targets[1].custom_host:", Assert.Single(result.Errors), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("x-portkey-metadata", "not json", "x-portkey-metadata is not valid JSON; send a JSON object, e.g. {\"user\":\"u-1\"}.")]
    [InlineData("x-portkey-metadata", "[1]", "x-portkey-metadata must be a JSON object, e.g. {\"user\":\"u-1\",\"tier\":\"pro\"}.")]
    [InlineData("x-portkey-request-timeout", "soon", "x-portkey-request-timeout must be a positive whole number of milliseconds, not 'soon'.")]
    [InlineData("x-portkey-request-timeout", "0", "x-portkey-request-timeout must be a positive whole number of milliseconds, not '0'.")]
    [InlineData("x-portkey-forward-headers", "a, x-portkey-forward-headers", "x-portkey-forward-headers may not list itself.")]
    public async Task ChatCompletions_BadPortkeyHeader_Is400(string header, string value, string message)
    {
        var result = await SendAsync(Requests.Chat("fake-gpt").ToFake(fixture).WithHeader(header, value));

        Assert.Equal(HttpStatusCode.BadRequest, result.Status);
        Assert.Equal(message, result.Message);
    }

    [Fact]
    public async Task ChatCompletions_ProviderWithoutPublicEndpoint_Is400()
    {
        var result = await SendAsync(Requests.Chat("fake-gpt").WithHeader("x-portkey-provider", "vllm"));

        Assert.Equal(HttpStatusCode.BadRequest, result.Status);
        Assert.Equal("Provider 'vllm' has no public endpoint; set 'custom_host' in the config or the x-portkey-custom-host header.", result.Message);
    }

    [Fact]
    public async Task UnknownRoute_Is404InTheGatewayShape()
    {
        var result = await SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1/nothing-here"));

        Assert.Equal(HttpStatusCode.NotFound, result.Status);
        Assert.Equal("Not found: POST /v1/nothing-here. See README.md for the endpoints.", result.Message);
    }

    [Fact]
    public async Task WrongMethod_Is405InTheGatewayShape()
    {
        var result = await SendAsync(new HttpRequestMessage(HttpMethod.Get, "/v1/chat/completions"));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, result.Status);
        Assert.Equal("Method GET is not allowed on /v1/chat/completions.", result.Message);
    }

    [Fact]
    public async Task BadRequests_NeverReachTheProvider()
    {
        var before = fixture.Fake.Journal.Entries.Count;
        await SendAsync(Requests.Post("/v1/chat/completions", "{oops").ToFake(fixture));
        await SendAsync(Requests.Chat("fake-gpt").ToFake(fixture).WithHeader("x-portkey-metadata", "[]"));

        Assert.Equal(before, fixture.Fake.Journal.Entries.Count);
    }

    /// <summary>A body without a Content-Length, so the gateway must count while reading.</summary>
    private sealed class ChunkedStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
