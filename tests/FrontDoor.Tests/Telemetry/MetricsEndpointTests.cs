using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Switchyard.FrontDoor.Tests.Infrastructure;
using Switchyard.State;

namespace Switchyard.FrontDoor.Tests.Telemetry;

/// <summary>A gateway on the embedded default whose clock tests can move (rate windows), for scraping <c>/metrics</c>.</summary>
public sealed class MetricsFixture : GatewayFixture
{
    public ShiftedClock Clock { get; } = new();

    protected override void ConfigureServices(IServiceCollection services) => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Clock));
}

/// <summary>
/// <c>GET /metrics</c> end to end: the scrape parses as Prometheus text, and after known calls the GenAI and
/// <c>switchyard_*</c> series move by exactly what those calls did. Each test uses a model name of its own, so its
/// series are its own.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class MetricsEndpointTests(MetricsFixture fixture) : IClassFixture<MetricsFixture>
{
    private const string Requests_ = "switchyard_requests_total";
    private const string ServerDuration = "gen_ai_server_request_duration_seconds";
    private const string ClientDuration = "gen_ai_client_operation_duration_seconds";
    private const string TokenUsage = "gen_ai_client_token_usage";
    private const string FirstToken = "gen_ai_server_time_to_first_token_seconds";

    private static string NewModel() => $"fake-gpt|scenario={Requests.NewScenario()}";

    private async Task<PrometheusText> ScrapeAsync()
    {
        using var response = await fixture.Client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync());
    }

    /// <summary>Sends a call and waits until every observer (the metrics too) has seen it.</summary>
    private async Task<(HttpResponseMessage Response, Switchyard.Gateway.Pipeline.GatewayCall Call)> CallAsync(HttpRequestMessage request, bool stream = false)
    {
        var response = await fixture.Client.SendAsync(request);
        if (stream)
        {
            await response.Content.ReadAsStringAsync();
        }

        var trace = response.Header("x-portkey-trace-id");
        await Eventually.Until(() => fixture.Calls.ContainsKey(trace));
        return (response, fixture.Calls[trace]);
    }

    [Fact]
    public async Task Metrics_Scrape_IsPrometheusTextWithTypesAndNoAuthentication()
    {
        using var response = await fixture.Client.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var scrape = PrometheusText.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("histogram", scrape.TypeOf(ServerDuration + "_bucket"));
        Assert.Equal("counter", scrape.TypeOf("switchyard_requests_total"));
        Assert.Equal("counter", scrape.TypeOf("process_cpu_time_seconds_total"));
        Assert.Equal("gauge", scrape.TypeOf("target_info"));
        Assert.Contains(scrape.Samples, s => s.Name.StartsWith("dotnet_", StringComparison.Ordinal));
        Assert.Contains(scrape.Samples, s => s.Name.StartsWith("kestrel_", StringComparison.Ordinal));
        Assert.Contains(scrape.Samples, s => s.Name.StartsWith("orleans_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Metrics_OpenMetricsAsked_AnswersOpenMetricsEndingInEof()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/openmetrics-text"));
        using var response = await fixture.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/openmetrics-text", response.Content.Headers.ContentType!.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.EndsWith("# EOF\n", text, StringComparison.Ordinal);
        Assert.NotEmpty(PrometheusText.Parse(text).Samples);
    }

    [Fact]
    public async Task SuccessfulCall_CountsOneRequestOneDurationAndItsTokens()
    {
        var model = NewModel();
        var (response, call) = await CallAsync(Requests.Chat(model).ToFake(fixture));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var scrape = await ScrapeAsync();
        (string, string) asked = ("gen_ai_request_model", model);
        Assert.Equal(1, scrape.Sum(ServerDuration + "_count", asked, ("gen_ai_operation_name", "chat"), ("gen_ai_provider_name", "openai")));
        Assert.DoesNotContain(scrape.Find(ServerDuration + "_count", asked), s => s.Labels.ContainsKey("error_type"));
        Assert.Equal(1, scrape.Sum(ServerDuration + "_bucket", asked, ("le", "+Inf")));
        Assert.Equal(1, scrape.Sum(ClientDuration + "_count", ("gen_ai_provider_name", "openai"), ("gen_ai_request_model", call.ModelUsed ?? model)));
        Assert.Equal(call.Usage!.PromptTokens, scrape.Sum(TokenUsage + "_sum", ("gen_ai_token_type", "input"), ("gen_ai_request_model", call.ModelUsed ?? model)));
        Assert.Equal(call.Usage.CompletionTokens, scrape.Sum(TokenUsage + "_sum", ("gen_ai_token_type", "output"), ("gen_ai_request_model", call.ModelUsed ?? model)));
        Assert.Equal(2, scrape.Sum(TokenUsage + "_count", ("gen_ai_request_model", call.ModelUsed ?? model)));
    }

    [Fact]
    public async Task ProviderError_CountedWithItsStatusAsErrorType()
    {
        var model = $"fake-gpt|status=500|scenario={Requests.NewScenario()}";
        var before = (await ScrapeAsync()).Sum(Requests_, ("http_response_status_code", "500"), ("error_type", "500"));

        var (response, _) = await CallAsync(Requests.Chat(model).ToFake(fixture));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var scrape = await ScrapeAsync();
        Assert.Equal(before + 1, scrape.Sum(Requests_, ("http_response_status_code", "500"), ("error_type", "500"), ("gen_ai_provider_name", "openai")));
        Assert.Equal(1, scrape.Sum(ServerDuration + "_count", ("gen_ai_request_model", model), ("error_type", "500")));
    }

    [Fact]
    public async Task RateLimitRefusal_CountsOneRefusalAndNoProviderCall()
    {
        fixture.Clock.JumpToNextWindow(TimeSpan.FromDays(1));
        var tenant = await Tenant.CreateAsync(fixture, fixture.Clock,
            keyLimits: new Limits(null, [new RateLimit(RateLimitKind.Requests, RateLimitUnit.PerDay, 1)], null));
        var scenario = Requests.NewScenario();
        var model = $"fake-gpt|scenario={scenario}";
        var before = (await ScrapeAsync()).Sum("switchyard_refusals_total", ("switchyard_refusal_reason", "rate_limit"));

        var (first, _) = await CallAsync(Requests.Chat(model).ToFake(fixture).WithHeader("x-portkey-api-key", tenant.Secret));
        var (second, _) = await CallAsync(Requests.Chat(model).ToFake(fixture).WithHeader("x-portkey-api-key", tenant.Secret));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Single(fixture.Fake.Journal.ForScenario(scenario));
        var scrape = await ScrapeAsync();
        Assert.Equal(before + 1, scrape.Sum("switchyard_refusals_total", ("switchyard_refusal_reason", "rate_limit")));
        // The refusal's error type is the gateway's own (rate_limit_error) once the pipeline records it, else its status.
        Assert.Equal(2, scrape.Sum(ServerDuration + "_count", ("gen_ai_request_model", model)));
        Assert.Equal(1, scrape.Find(ServerDuration + "_count", ("gen_ai_request_model", model))
            .Where(s => s.Labels.GetValueOrDefault("error_type") is "rate_limit_error" or "429").Sum(s => s.Value));
    }

    [Fact]
    public async Task CacheHit_CountsAMissThenAHit()
    {
        var model = NewModel();
        const string config = """{"cache":{"mode":"simple","max_age":60}}""";
        var text = $"cache me {Guid.NewGuid():N}";
        var before = await ScrapeAsync();

        var (miss, missCall) = await CallAsync(Requests.Chat(model, text).ToFake(fixture).WithConfig(config));
        await fixture.Services.GetRequiredService<IResponseCache>().FlushAsync(CancellationToken.None);
        var (hit, _) = await CallAsync(Requests.Chat(model, text).ToFake(fixture).WithConfig(config));

        Assert.Equal("MISS", miss.Header("x-portkey-cache-status"));
        Assert.Equal("HIT", hit.Header("x-portkey-cache-status"));
        var after = await ScrapeAsync();
        Assert.Equal(1, after.Sum("switchyard_cache_lookups_total", ("switchyard_cache_result", "hit")) - before.Sum("switchyard_cache_lookups_total", ("switchyard_cache_result", "hit")));
        Assert.Equal(1, after.Sum("switchyard_cache_lookups_total", ("switchyard_cache_result", "miss")) - before.Sum("switchyard_cache_lookups_total", ("switchyard_cache_result", "miss")));
        Assert.Equal(2, after.Sum(ServerDuration + "_count", ("gen_ai_request_model", model)));
        // The hit called no provider and used no tokens: the miss's input and output samples only, and one upstream operation.
        Assert.Equal(2, after.Sum(TokenUsage + "_count", ("gen_ai_request_model", missCall.ModelUsed ?? model)));
        Assert.Equal(1, after.Sum(ClientDuration + "_count", ("gen_ai_request_model", missCall.ModelUsed ?? model)));
    }

    [Fact]
    public async Task Stream_RecordsTimeToFirstTokenOnce()
    {
        var model = NewModel();

        var (response, call) = await CallAsync(Requests.Chat(model, "stream to me", stream: true).ToFake(fixture), stream: true);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var scrape = await ScrapeAsync();
        Assert.Equal(1, scrape.Sum(ServerDuration + "_count", ("gen_ai_request_model", model)));
        // The first byte is measured by the pipeline (GatewayCall.TimeToFirstByte): one sample, of exactly that time.
        var firstByte = Assert.NotNull(call.TimeToFirstByte);
        Assert.Equal(1, scrape.Sum(FirstToken + "_count", ("gen_ai_request_model", model)));
        Assert.Equal(firstByte.TotalSeconds, scrape.Sum(FirstToken + "_sum", ("gen_ai_request_model", model)), 6);
    }

    [Fact]
    public async Task KeyedCall_ByDefault_NoKeyOrWorkspaceLabel()
    {
        var tenant = await Tenant.CreateAsync(fixture, fixture.Clock);
        var (response, _) = await CallAsync(Requests.Chat(NewModel()).ToFake(fixture).WithHeader("x-portkey-api-key", tenant.Secret));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var scrape = await ScrapeAsync();
        Assert.DoesNotContain(scrape.Samples, s => s.Labels.Keys.Any(k => k.Contains("api_key", StringComparison.Ordinal) || k.Contains("workspace", StringComparison.Ordinal)));
        Assert.DoesNotContain(scrape.Samples, s => s.Labels.Values.Any(v => v == tenant.Key.Id || v == tenant.Workspace.Id || v == tenant.Secret));
    }
}
