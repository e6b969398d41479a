using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Switchyard.FrontDoor.Tests.Infrastructure;

namespace Switchyard.FrontDoor.Tests.DataPath;

public sealed class PassThroughTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task ChatCompletions_ProviderHeader_RelaysTheProviderAnswerWithPortkeyHeaders()
    {
        var scenario = Requests.NewScenario();
        using var response = await fixture.Client.SendAsync(Requests.Chat($"fake-gpt|scenario={scenario}", "hello there").ToFake(fixture));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await response.JsonAsync();
        Assert.Equal("You said: hello there", json.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("fake-gpt", json.GetProperty("model").GetString());
        Assert.Equal("config", response.Header("x-portkey-last-used-option-index"));
        Assert.Equal("0", response.Header("x-portkey-retry-attempt-count"));
        Assert.Equal("DISABLED", response.Header("x-portkey-cache-status"));
        Assert.Equal("openai", response.Header("x-portkey-provider"));
        Assert.True(Guid.TryParse(response.Header("x-portkey-trace-id"), out _));
        Assert.True(double.Parse(response.Header("x-switchyard-overhead-ms"), CultureInfo.InvariantCulture) >= 0);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task ChatCompletions_NoOverrides_SendsTheClientsBodyByteForByte()
    {
        var scenario = Requests.NewScenario();
        var body = "{ \"model\" : \"fake-gpt|scenario=" + scenario + "\",\n  \"messages\":[{\"role\":\"user\",\"content\":\"caf\\u00e9 \\ud83d\\ude00\"}], \"temperature\": 0.50, \"x_unknown\": {\"kept\": [1, 2.0]} }";
        using var response = await fixture.Client.SendAsync(Requests.Post("/v1/chat/completions", body).ToFake(fixture));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(fixture.Fake.Journal.ForScenario(scenario));
        Assert.Equal(body, received.Body);
        Assert.Equal("/v1/chat/completions", received.PathAndQuery);
        Assert.Equal($"Bearer {Requests.ProviderKey}", received.Headers["Authorization"]);
    }

    [Fact]
    public async Task ChatCompletions_OverrideParams_ReplacesOnlyThoseFieldsAndKeepsTheRest()
    {
        var scenario = Requests.NewScenario();
        var body = "{\"model\":\"ignored\", \"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],  \"temperature\":0.5}";
        var config = $$$"""{"provider":"openai","custom_host":"{{{fixture.FakeBase}}}","override_params":{"model":"fake-gpt|scenario={{{scenario}}}","temperature":0.1,"top_p":0.9}}""";
        using var response = await fixture.Client.SendAsync(Requests.Post("/v1/chat/completions", body).WithConfig(config));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(fixture.Fake.Journal.ForScenario(scenario));
        Assert.Equal($"{{ \"messages\":[{{\"role\":\"user\",\"content\":\"hi\"}}],\"model\":\"fake-gpt|scenario={scenario}\",\"temperature\":0.1,\"top_p\":0.9}}", received.Body);
    }

    [Fact]
    public async Task ChatCompletions_TraceIdHeader_IsEchoed()
    {
        using var response = await fixture.Client.SendAsync(Requests.Chat("fake-gpt").ToFake(fixture).WithHeader("x-portkey-trace-id", "trace-abc-123"));

        Assert.Equal("trace-abc-123", response.Header("x-portkey-trace-id"));
        Assert.True(fixture.Calls.ContainsKey("trace-abc-123"));
    }

    [Fact]
    public async Task Completions_ProviderHeader_RelaysTextCompletion()
    {
        using var response = await fixture.Client.SendAsync(Requests.Post("/v1/completions", """{"model":"fake-gpt","prompt":"say this"}""").ToFake(fixture));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await response.JsonAsync();
        Assert.Equal("text_completion", json.GetProperty("object").GetString());
        Assert.Equal("You said: say this", json.GetProperty("choices")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task Embeddings_ProviderHeader_RelaysVectorsAndUsage()
    {
        var trace = Requests.NewScenario();
        using var response = await fixture.Client.SendAsync(Requests.Post("/v1/embeddings", """{"model":"fake-embed","input":["one","two"],"dimensions":4}""").ToFake(fixture).WithHeader("x-portkey-trace-id", trace));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await response.JsonAsync();
        Assert.Equal(2, json.GetProperty("data").GetArrayLength());
        Assert.Equal(4, json.GetProperty("data")[1].GetProperty("embedding").GetArrayLength());
        Assert.Equal(json.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(), fixture.Calls[trace].Usage!.PromptTokens);
    }

    [Fact]
    public async Task Models_ProviderHeader_ListsTheProvidersModels()
    {
        using var response = await fixture.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/v1/models").ToFake(fixture));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await response.JsonAsync();
        Assert.Equal("list", json.GetProperty("object").GetString());
        Assert.Contains(json.GetProperty("data").EnumerateArray(), model => model.GetProperty("id").GetString() == "fake-gpt");
    }

    [Fact]
    public async Task Models_NoProvider_ListsTheModelCatalog()
    {
        using var response = await fixture.Client.GetAsync("/v1/models");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var models = (await response.JsonAsync()).GetProperty("data").EnumerateArray().ToList();
        var mini = Assert.Single(models, model => model.GetProperty("id").GetString() == "gpt-4o-mini" && model.GetProperty("provider").GetString() == "openai");
        Assert.Equal(128000, mini.GetProperty("context_window").GetInt32());
        Assert.Equal(0.15m, mini.GetProperty("pricing").GetProperty("input_per_million").GetDecimal());
        Assert.Contains(models, model => model.GetProperty("provider").GetString() == "anthropic");
    }

    [Fact]
    public async Task Models_ProviderQuery_ListsOnlyThatProvider()
    {
        using var response = await fixture.Client.GetAsync("/v1/models?provider=groq");

        var models = (await response.JsonAsync()).GetProperty("data").EnumerateArray().ToList();
        Assert.NotEmpty(models);
        Assert.All(models, model => Assert.Equal("groq", model.GetProperty("owned_by").GetString()));
    }

    [Fact]
    public async Task ChatCompletions_ForwardHeaders_ForwardsOnlyTheNamedHeaders()
    {
        var scenario = Requests.NewScenario();
        using var response = await fixture.Client.SendAsync(Requests.Chat($"fake-gpt|scenario={scenario}").ToFake(fixture)
            .WithHeader("x-portkey-forward-headers", "x-team, x-missing")
            .WithHeader("x-team", "blue")
            .WithHeader("x-other", "not forwarded"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(fixture.Fake.Journal.ForScenario(scenario));
        Assert.Equal("blue", received.Headers["x-team"]);
        Assert.False(received.Headers.ContainsKey("x-other"));
        Assert.False(received.Headers.ContainsKey("x-portkey-provider"));
    }

    [Fact]
    public async Task ChatCompletions_OpenAiOrganizationHeader_BecomesTheProvidersHeader()
    {
        var scenario = Requests.NewScenario();
        using var response = await fixture.Client.SendAsync(Requests.Chat($"fake-gpt|scenario={scenario}").ToFake(fixture)
            .WithHeader("x-portkey-openai-organization", "org-42")
            .WithHeader("x-portkey-openai-project", "proj-7"));

        var received = Assert.Single(fixture.Fake.Journal.ForScenario(scenario));
        Assert.Equal("org-42", received.Headers["OpenAI-Organization"]);
        Assert.Equal("proj-7", received.Headers["OpenAI-Project"]);
    }

    [Fact]
    public async Task ChatCompletions_ProviderError_IsRelayedWithItsStatusAndBody()
    {
        using var response = await fixture.Client.SendAsync(Requests.Chat("fake-gpt|status=401").ToFake(fixture));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var json = await response.JsonAsync();
        Assert.Equal("fake upstream error 401", json.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task ChatCompletions_InvalidProviderKey_UpstreamSays401()
    {
        var request = Requests.Chat("fake-gpt").ToFake(fixture);
        request.Headers.Authorization = new("Bearer", "sk-fake-invalid");
        using var response = await fixture.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_api_key", (await response.JsonAsync()).GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task ChatCompletions_MalformedProviderJson_Is502AndSaysSo()
    {
        using var response = await fixture.Client.SendAsync(Requests.Chat("fake-gpt|malformed").ToFake(fixture));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var error = (await response.JsonAsync()).GetProperty("error");
        Assert.Equal("upstream_invalid_response", error.GetProperty("code").GetString());
        Assert.Equal("openai answered 200 with a body that is not valid JSON", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Health_Always_IsOk()
    {
        using var health = await fixture.Client.GetAsync("/health");
        using var ready = await fixture.Client.GetAsync("/ready");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("""{"status":"ok"}""", await health.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("""{"status":"ready"}""", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ChatCompletions_ClientDisconnects_CancelsTheUpstreamCall()
    {
        var scenario = Requests.NewScenario();
        using var cancel = new CancellationTokenSource();
        var sending = fixture.Client.SendAsync(Requests.Chat($"fake-gpt|scenario={scenario}|latency=20000").ToFake(fixture), cancel.Token);

        await Eventually.Until(() => fixture.Fake.Journal.ForScenario(scenario).Count == 1);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);

        await Eventually.Until(() => fixture.Fake.Journal.ForScenario(scenario)[0].Aborted);
    }

    [Fact]
    public async Task ChatCompletions_UnicodeBody_RoundTripsExactly()
    {
        var scenario = Requests.NewScenario();
        var body = $$"""{"model":"fake-gpt|scenario={{scenario}}","messages":[{"role":"user","content":"naïve 日本語 ✓"}]}""";
        using var response = await fixture.Client.SendAsync(Requests.Post("/v1/chat/completions", body).ToFake(fixture));

        var json = await response.JsonAsync();
        Assert.Equal("You said: naïve 日本語 ✓", json.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal(body, fixture.Fake.Journal.ForScenario(scenario)[0].Body);
    }

    [Fact]
    public async Task ChatCompletions_AnswerShorterThanItsContentLength_Is502NotATruncatedBody()
    {
        // An upstream that declares 200 bytes, sends 20 and hangs up: the body is read into an array of the declared
        // length, so the short read must surface as a broken answer, never as 200 with a cut body.
        using var response = await SendToRawUpstreamAsync("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{\"id\":\"chatcmpl-cut\",");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var error = (await response.JsonAsync()).GetProperty("error");
        Assert.Equal("upstream_unreachable", error.GetProperty("code").GetString());
        Assert.StartsWith("openai broke off its response: ", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChatCompletions_ProviderHeaders_AreRelayedAsSent_LessConnectionCookiesAndPortkeyOnes()
    {
        const string body = """{"id":"chatcmpl-h","object":"chat.completion","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}""";
        using var response = await SendToRawUpstreamAsync(
            "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.example+json; charset=utf-8\r\n"
            + $"Content-Length: {body.Length}\r\nx-request-id: req-1\r\nopenai-processing-ms: 12\r\nCache-Control: no-store\r\nCache-Control: private\r\n"
            + "Set-Cookie: session=secret\r\nServer: upstream/1.0\r\nx-portkey-provider: spoofed\r\nConnection: close\r\n\r\n" + body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, await response.Content.ReadAsStringAsync());
        Assert.Equal("application/vnd.example+json; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Equal("req-1", response.Header("x-request-id"));
        Assert.Equal("12", response.Header("openai-processing-ms"));
        Assert.Equal(["no-store", "private"], response.Headers.CacheControl!.ToString().Split(", "));
        Assert.Equal("openai", response.Header("x-portkey-provider"));
        Assert.False(response.Headers.Contains("Set-Cookie"));
        Assert.False(response.Headers.Contains("Server"));
    }

    /// <summary>Sends a chat call to an upstream that reads the request and answers <paramref name="answer"/> byte for byte, then hangs up.</summary>
    private async Task<HttpResponseMessage> SendToRawUpstreamAsync(string answer)
    {
        using var upstream = new TcpListener(IPAddress.Loopback, 0);
        upstream.Start();
        var port = ((IPEndPoint)upstream.LocalEndpoint).Port;
        var serve = Task.Run(async () =>
        {
            using var connection = await upstream.AcceptTcpClientAsync();
            var stream = connection.GetStream();
            var received = new StringBuilder();
            var buffer = new byte[4096];
            while (!received.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                received.Append(Encoding.ASCII.GetString(buffer, 0, await stream.ReadAsync(buffer)));
            }

            await stream.WriteAsync(Encoding.ASCII.GetBytes(answer));
            await stream.FlushAsync();
        });

        var request = Requests.Chat("gpt-4o-mini");
        request.Headers.Add("x-portkey-provider", "openai");
        request.Headers.Add("x-portkey-custom-host", $"http://127.0.0.1:{port}/v1");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Requests.ProviderKey);
        var response = await fixture.Client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        await serve;
        return response;
    }
}
