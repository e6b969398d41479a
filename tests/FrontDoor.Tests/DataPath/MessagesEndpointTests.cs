using System.Net;
using Switchyard.FrontDoor.Tests.Infrastructure;

namespace Switchyard.FrontDoor.Tests.DataPath;

/// <summary>Anthropic's Messages API on the gateway: passthrough to Anthropic, translation to others, errors in Anthropic's shape, token counting.</summary>
public sealed class MessagesEndpointTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private string Root => fixture.Fake.BaseAddress.ToString().TrimEnd('/');

    private string AnthropicTarget(string model) =>
        $$$"""{"provider":"anthropic","api_key":"sk-ant-test","custom_host":"{{{Root}}}/v1","override_params":{"model":"{{{model}}}"}}""";

    private static HttpRequestMessage Messages(string body, string path = "/v1/messages") => Requests.Post(path, body);

    [Fact]
    public async Task Messages_AnthropicBackend_PassesTheBodyThroughUntouched()
    {
        var scenario = Requests.NewScenario();
        var body = $$$"""{"model":"fake-model|scenario={{{scenario}}}", "max_tokens":50,"messages":[{"role":"user","content":[{"type":"text","text":"hi","cache_control":{"type":"ephemeral"}}]}],"top_k":5}""";
        var config = $$"""{"provider":"anthropic","api_key":"sk-ant-test","custom_host":"{{Root}}/v1"}""";
        using var response = await fixture.Client.SendAsync(Messages(body).WithConfig(config));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, Assert.Single(fixture.Fake.Journal.ForScenario(scenario)).Body);
        var json = await response.JsonAsync();
        Assert.Equal("message", json.GetProperty("type").GetString());
        Assert.Equal("You said: hi", json.GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task Messages_OpenAiBackend_IsTranslatedBothWays()
    {
        var scenario = Requests.NewScenario();
        var body = $$"""{"model":"fake-gpt|scenario={{scenario}}","max_tokens":50,"system":"Be brief.","messages":[{"role":"user","content":"hello"}]}""";
        using var response = await fixture.Client.SendAsync(Messages(body).ToFake(fixture));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = System.Text.Json.JsonDocument.Parse(Assert.Single(fixture.Fake.Journal.ForScenario(scenario)).Body).RootElement;
        Assert.Equal("system", sent.GetProperty("messages")[0].GetProperty("role").GetString());
        Assert.Equal(50, sent.GetProperty("max_tokens").GetInt32());
        var json = await response.JsonAsync();
        Assert.Equal("end_turn", json.GetProperty("stop_reason").GetString());
        Assert.Equal("You said: hello", json.GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Theory]
    [InlineData("{\"model\":", 400, "invalid_request_error")]
    [InlineData("{\"max_tokens\":5,\"messages\":[]}", 400, "invalid_request_error")]
    public async Task Messages_BadRequest_IsAnAnthropicError(string body, int status, string type)
    {
        using var response = await fixture.Client.SendAsync(Messages(body).ToFake(fixture));

        Assert.Equal(status, (int)response.StatusCode);
        var json = await response.JsonAsync();
        Assert.Equal("error", json.GetProperty("type").GetString());
        Assert.Equal(type, json.GetProperty("error").GetProperty("type").GetString());
        Assert.False(string.IsNullOrEmpty(json.GetProperty("error").GetProperty("message").GetString()));
    }

    [Fact]
    public async Task Messages_ProviderTimeout_IsAnAnthropicError()
    {
        using var response = await fixture.Client.SendAsync(
            Messages("""{"model":"fake-gpt|latency=5000","max_tokens":5,"messages":[{"role":"user","content":"x"}]}""").ToFake(fixture).WithHeader("x-portkey-request-timeout", "150"));

        Assert.Equal(HttpStatusCode.RequestTimeout, response.StatusCode);
        var json = await response.JsonAsync();
        Assert.Equal("error", json.GetProperty("type").GetString());
        Assert.Equal("Request exceeded the timeout sent in the request: 150ms", json.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task CountTokens_NonAnthropicRoute_AnswersAnEstimate()
    {
        // "count these tokens" is 18 characters (role and model are not counted) → ceil(18/4) = 5, plus 4 for the one message.
        const string body = """{"model":"m","messages":[{"role":"user","content":"count these tokens"}]}""";
        using var response = await fixture.Client.SendAsync(Messages(body, "/v1/messages/count_tokens").ToFake(fixture));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("estimated", response.Header("x-switchyard-token-count"));
        Assert.Equal("""{"input_tokens":9}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task CountTokens_AnthropicRoute_AsksAnthropic()
    {
        var scenario = Requests.NewScenario();
        var body = $$"""{"model":"fake-model|scenario={{scenario}}","messages":[{"role":"user","content":"count these tokens"}]}""";
        var config = $$"""{"provider":"anthropic","api_key":"sk-ant-test","custom_host":"{{Root}}/v1"}""";
        using var response = await fixture.Client.SendAsync(Messages(body, "/v1/messages/count_tokens").WithConfig(config));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("x-switchyard-token-count"));
        var entry = Assert.Single(fixture.Fake.Journal.ForScenario(scenario));
        Assert.EndsWith("/v1/messages/count_tokens", entry.PathAndQuery, StringComparison.Ordinal);
        Assert.True((await response.JsonAsync()).GetProperty("input_tokens").GetInt32() > 0);
    }

    [Fact]
    public async Task CountTokens_FallbackConfig_AsksTheFirstTarget()
    {
        var config = $$"""{"strategy":{"mode":"fallback"},"targets":[{{AnthropicTarget("fake-model")}},{{Requests.Target(fixture, "fake-gpt")}}]}""";
        using var response = await fixture.Client.SendAsync(Messages("""{"model":"m","messages":[{"role":"user","content":"x"}]}""", "/v1/messages/count_tokens").WithConfig(config));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("config.targets[0]", response.Header("x-portkey-last-used-option-index"));
        Assert.Equal("anthropic", response.Header("x-portkey-provider"));
    }
}
