using System.Net;
using Switchyard.FrontDoor.Tests.Infrastructure;

namespace Switchyard.FrontDoor.Tests.DataPath;

public sealed class StrategyTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private string Target(string model, string extra = "") => Requests.Target(fixture, model, extra);

    [Fact]
    public async Task Fallback_FirstTargetFails_SecondTargetAnswers()
    {
        var scenario = Requests.NewScenario();
        var config = $$"""{"strategy":{"mode":"fallback"},"targets":[{{Target($"fake-gpt|scenario={scenario}|status=503")}},{{Target($"fake-gpt-mini|scenario={scenario}")}}]}""";
        using var response = await fixture.Client.SendAsync(Requests.Chat("ignored").WithConfig(config));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("config.targets[1]", response.Header("x-portkey-last-used-option-index"));
        Assert.Equal("fake-gpt-mini", (await response.JsonAsync()).GetProperty("model").GetString());
        Assert.Equal(2, fixture.Fake.Journal.ForScenario(scenario).Count);
    }

    [Fact]
    public async Task Fallback_StatusNotInOnStatusCodes_StopsAtTheFirstTarget()
    {
        var scenario = Requests.NewScenario();
        var config = $$"""{"strategy":{"mode":"fallback","on_status_codes":[429]},"targets":[{{Target($"fake-gpt|scenario={scenario}|status=500")}},{{Target($"fake-gpt|scenario={scenario}")}}]}""";
        using var response = await fixture.Client.SendAsync(Requests.Chat("ignored").WithConfig(config));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("config.targets[0]", response.Header("x-portkey-last-used-option-index"));
        Assert.Single(fixture.Fake.Journal.ForScenario(scenario));
    }

    [Fact]
    public async Task Fallback_StatusInOnStatusCodes_MovesOn()
    {
        var scenario = Requests.NewScenario();
        var config = $$"""{"strategy":{"mode":"fallback","on_status_codes":[429]},"targets":[{{Target($"fake-gpt|scenario={scenario}|status=429")}},{{Target($"fake-gpt|scenario={scenario}")}}]}""";
        using var response = await fixture.Client.SendAsync(Requests.Chat("ignored").WithConfig(config));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("config.targets[1]", response.Header("x-portkey-last-used-option-index"));
    }

    [Fact]
    public async Task Fallback_AllTargetsFail_ReturnsTheLastTargetsAnswer()
    {
        var config = $$"""{"strategy":{"mode":"fallback"},"targets":[{{Target("fake-gpt|status=503")}},{{Target("fake-gpt|status=429")}}]}""";
        using var response = await fixture.Client.SendAsync(Requests.Chat("ignored").WithConfig(config));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("config.targets[1]", response.Header("x-portkey-last-used-option-index"));
        Assert.Equal("fake upstream error 429", (await response.JsonAsync()).GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task Fallback_FirstTargetTimesOut_SecondTargetAnswers()
    {
        var config = $$"""{"strategy":{"mode":"fallback"},"targets":[{{Target("fake-gpt|latency=5000", ",\"request_timeout\":150")}},{{Target("fake-gpt-mini")}}]}""";
        using var response = await fixture.Client.SendAsync(Requests.Chat("ignored").WithConfig(config));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("config.targets[1]", response.Header("x-portkey-last-used-option-index"));
    }

    [Fact]
    public async Task Fallback_FirstTargetUnreachable_SecondTargetAnswers()
    {
        var closed = ClosedPort.Url();
        var config = $$"""{"strategy":{"mode":"fallback"},"targets":[{"provider":"openai","custom_host":"{{closed}}"},{{Target("fake-gpt-mini")}}]}""";
        using var response = await fixture.Client.SendAsync(Requests.Chat("fake-gpt").WithConfig(config));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("config.targets[1]", response.Header("x-portkey-last-used-option-index"));
    }

    [Fact]
    public async Task LoadBalance_ZeroWeight_IsNeverChosen()
    {
        var config = $$"""{"strategy":{"mode":"loadbalance"},"targets":[{{Target("fake-gpt|status=500", ",\"weight\":0")}},{{Target("fake-gpt-mini", ",\"weight\":1")}}]}""";
        for (var i = 0; i < 20; i++)
        {
            using var response = await fixture.Client.SendAsync(Requests.Chat("ignored").WithConfig(config));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("config.targets[1]", response.Header("x-portkey-last-used-option-index"));
        }
    }

    [Fact]
    public async Task LoadBalance_Weights_SpreadRequestsOverTargets()
    {
        var config = $$"""{"strategy":{"mode":"loadbalance"},"targets":[{{Target("fake-gpt", ",\"weight\":1")}},{{Target("fake-gpt-mini", ",\"weight\":1")}}]}""";
        var seen = new HashSet<string>();
        for (var i = 0; i < 60 && seen.Count < 2; i++)
        {
            using var response = await fixture.Client.SendAsync(Requests.Chat("ignored").WithConfig(config));
            seen.Add(response.Header("x-portkey-last-used-option-index"));
        }

        Assert.Equal(["config.targets[0]", "config.targets[1]"], seen.Order());
    }

    [Fact]
    public async Task LoadBalance_AllWeightsZero_Is400NotAHang()
    {
        var config = $$"""{"strategy":{"mode":"loadbalance"},"targets":[{{Target("fake-gpt", ",\"weight\":0")}},{{Target("fake-gpt-mini", ",\"weight\":0")}}]}""";
        using var response = await fixture.Client.SendAsync(Requests.Chat("ignored").WithConfig(config));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var json = await response.JsonAsync();
        Assert.Equal("Invalid config passed", json.GetProperty("message").GetString());
        Assert.Contains("config.strategy", json.GetProperty("errors")[0].GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"tier":"pro"}""", "config.targets[0]")]
    [InlineData("""{"tier":"free"}""", "config.targets[1]")]
    [InlineData(null, "config.targets[1]")]
    public async Task Conditional_Metadata_ChoosesTheMatchingTarget(string? metadata, string expected)
    {
        var config = $$$"""{"strategy":{"mode":"conditional","conditions":[{"query":{"metadata.tier":{"$eq":"pro"}},"then":"big"}],"default":"small"},"targets":[{{{Target("fake-gpt", ",\"name\":\"big\"")}}},{{{Target("fake-gpt-mini", ",\"name\":\"small\"")}}}]}""";
        var request = Requests.Chat("ignored").WithConfig(config);
        if (metadata is not null)
        {
            request.WithHeader("x-portkey-metadata", metadata);
        }

        using var response = await fixture.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, response.Header("x-portkey-last-used-option-index"));
    }

    [Theory]
    [InlineData(0.9, "config.targets[0]")]
    [InlineData(0.1, "config.targets[1]")]
    public async Task Conditional_DeepParams_AreResolvedBeyondTwoLevels(double temperature, string expected)
    {
        var config = $$$"""{"strategy":{"mode":"conditional","conditions":[{"query":{"params.response_format.json_schema.strict":true,"params.temperature":{"$gte":0.5}},"then":"big"}],"default":"small"},"targets":[{{{Target("fake-gpt", ",\"name\":\"big\"")}}},{{{Target("fake-gpt-mini", ",\"name\":\"small\"")}}}]}""";
        var extra = ",\"temperature\":" + temperature.ToString(System.Globalization.CultureInfo.InvariantCulture) + ""","response_format":{"type":"json_schema","json_schema":{"name":"x","strict":true,"schema":{}}}""";
        using var response = await fixture.Client.SendAsync(Requests.Chat("ignored", extra: extra).WithConfig(config));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, response.Header("x-portkey-last-used-option-index"));
    }

    [Fact]
    public async Task Conditional_UrlPathname_CanRoute()
    {
        var config = $$$"""{"strategy":{"mode":"conditional","conditions":[{"query":{"url.pathname":{"$regex":"embeddings$"}},"then":"embed"}],"default":"chat"},"targets":[{{{Target("fake-embed", ",\"name\":\"embed\"")}}},{{{Target("fake-gpt", ",\"name\":\"chat\"")}}}]}""";
        using var response = await fixture.Client.SendAsync(Requests.Post("/v1/embeddings", """{"model":"x","input":"hi"}""").WithConfig(config));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("config.targets[0]", response.Header("x-portkey-last-used-option-index"));
    }

    [Fact]
    public async Task Conditional_NothingMatchesAndNoDefault_Is400()
    {
        var config = $$"""{"strategy":{"mode":"conditional","conditions":[{"query":{"metadata.tier":"pro"},"then":"big"}]},"targets":[{{Target("fake-gpt", ",\"name\":\"big\"")}}]}""";
        using var response = await fixture.Client.SendAsync(Requests.Chat("ignored").WithConfig(config));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("Query router did not resolve to any valid target", (await response.JsonAsync()).GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nested_FallbackInsideConditionalInsideLoadBalance_ReportsTheFullPath()
    {
        var inner = $$"""{"strategy":{"mode":"fallback"},"targets":[{{Target("fake-gpt|status=502")}},{{Target("fake-gpt-mini")}}]}""";
        var conditional = $$$"""{"strategy":{"mode":"conditional","conditions":[{"query":{"metadata.team":{"$in":["a","b"]}},"then":"ab"}],"default":"other"},"targets":[{{{Target("fake-gpt", ",\"name\":\"other\"")}}},{"name":"ab",{{{inner[1..]}}}]}""";
        var config = $$"""{"strategy":{"mode":"loadbalance"},"targets":[{{Target("fake-gpt|status=500", ",\"weight\":0")}},{"weight":1,{{conditional[1..]}}]}""";
        using var response = await fixture.Client.SendAsync(Requests.Chat("ignored").WithConfig(config).WithHeader("x-portkey-metadata", """{"team":"b"}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("config.targets[1].targets[1].targets[1]", response.Header("x-portkey-last-used-option-index"));
    }

    [Fact]
    public async Task Inheritance_OverrideParamsMergeDownTheTree_ChildWins()
    {
        var scenario = Requests.NewScenario();
        var config = $$$"""{"override_params":{"temperature":0.2,"model":"parent"},"strategy":{"mode":"single"},"targets":[{"provider":"openai","custom_host":"{{{fixture.FakeBase}}}","override_params":{"model":"fake-gpt|scenario={{{scenario}}}"}}]}""";
        using var response = await fixture.Client.SendAsync(Requests.Post("/v1/chat/completions", """{"model":"m","messages":[{"role":"user","content":"x"}]}""").WithConfig(config));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($$"""{"messages":[{"role":"user","content":"x"}],"temperature":0.2,"model":"fake-gpt|scenario={{scenario}}"}""", fixture.Fake.Journal.ForScenario(scenario)[0].Body);
    }

    [Fact]
    public async Task Config_WithoutProviderButWithProviderHeader_UsesTheHeaderAndItsKey()
    {
        var scenario = Requests.NewScenario();
        var config = $$$"""{"retry":{"attempts":1},"override_params":{"model":"fake-gpt|scenario={{{scenario}}}"}}""";
        using var response = await fixture.Client.SendAsync(Requests.Chat("x").ToFake(fixture).WithConfig(config));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"Bearer {Requests.ProviderKey}", fixture.Fake.Journal.ForScenario(scenario)[0].Headers["Authorization"]);
    }

    [Fact]
    public async Task Config_TargetApiKey_WinsOverTheClientsKey()
    {
        var scenario = Requests.NewScenario();
        var config = $$"""{"provider":"openai","api_key":"sk-from-config","custom_host":"{{fixture.FakeBase}}"}""";
        using var response = await fixture.Client.SendAsync(Requests.Chat($"fake-gpt|scenario={scenario}").WithConfig(config));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer sk-from-config", fixture.Fake.Journal.ForScenario(scenario)[0].Headers["Authorization"]);
    }
}
