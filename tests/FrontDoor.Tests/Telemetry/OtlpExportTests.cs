using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Switchyard.FrontDoor.Tests.Infrastructure;

namespace Switchyard.FrontDoor.Tests.Telemetry;

/// <summary>A gateway exporting OTLP over http/protobuf to an in-test collector, set up through the standard variables.</summary>
public sealed class OtlpFixture : GatewayFixture
{
    internal OtlpCollector Collector { get; private set; } = null!;

    protected override async Task<IReadOnlyDictionary<string, string>> SettingsAsync()
    {
        Collector = await OtlpCollector.StartAsync();
        return new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Collector.Endpoint.ToString().TrimEnd('/'),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        };
    }

    /// <summary>Exports whatever has ended or been measured, now.</summary>
    public void Flush()
    {
        Assert.True(Services.GetRequiredService<TracerProvider>().ForceFlush(10_000), $"traces not exported; the collector saw: {Collector.Seen}");
        // The metrics' OTLP reader exports synchronously here; the Prometheus reader, which only collects while scraped,
        // answers false, so the result says nothing about the export.
        Services.GetRequiredService<MeterProvider>().ForceFlush(10_000);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Collector.DisposeAsync();
    }
}

/// <summary>
/// OTLP export end to end: the call and attempt spans with the GenAI attributes, the client's <c>traceparent</c>
/// continued through the gateway to the provider, and the gateway's metrics, decoded from the wire by the test's collector.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class OtlpExportTests(OtlpFixture fixture) : IClassFixture<OtlpFixture>
{
    private const int Internal = 1;
    private const int Server = 2;
    private const int Client = 3;
    private const int Error = 2;

    /// <summary>The client's span, the parent the gateway's server span continues.</summary>
    private static readonly string ClientSpanId = ActivitySpanId.CreateRandom().ToHexString();

    private async Task<(HttpResponseMessage Response, Switchyard.Gateway.Pipeline.GatewayCall Call, string TraceId)> TracedCallAsync(string model)
    {
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        var request = Requests.Chat(model).ToFake(fixture).WithHeader("traceparent", $"00-{traceId}-{ClientSpanId}-01");
        // The gateway's tracer listens to HttpClient in this whole process, the test's client too; suppressed, the test's
        // client traces nothing and sends the traceparent given here, as an untraced caller would.
        HttpResponseMessage response;
        using (SuppressInstrumentationScope.Begin())
        {
            response = await fixture.Client.SendAsync(request);
        }

        var trace = response.Header("x-portkey-trace-id");
        await Eventually.Until(() => fixture.Calls.ContainsKey(trace));
        fixture.Flush();
        return (response, fixture.Calls[trace], traceId);
    }

    /// <summary>The exported spans of one trace; a failure lists every span received, to show what went where.</summary>
    private List<ExportedSpan> SpansOf(string traceId)
    {
        var all = fixture.Collector.Spans();
        var spans = all.Where(s => s.TraceId == traceId).ToList();
        return spans.Count > 0 ? spans : throw new Xunit.Sdk.XunitException(
            $"no span of trace {traceId}; received: {string.Join("; ", all.Select(s => $"{s.Scope} {s.Name} k{s.Kind} {s.TraceId}/{s.SpanId}<-{s.ParentSpanId}"))}");
    }

    [Fact]
    public async Task Call_ClientTraceparent_ContinuedByCallAndAttemptSpansAndSentToTheProvider()
    {
        var scenario = Requests.NewScenario();
        var model = $"fake-gpt|scenario={scenario}";

        var (response, call, traceId) = await TracedCallAsync(model);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var spans = SpansOf(traceId);
        // The FakeProvider runs in this process and is traced too: the gateway's server span is the client's span's child.
        var server = Assert.Single(spans, s => s.Kind == Server && s.ParentSpanId == ClientSpanId);
        Assert.Equal("Microsoft.AspNetCore", server.Scope);
        var callSpan = Assert.Single(spans, s => s.Scope == "Switchyard.Gateway" && s.Kind == Internal);
        var attempt = Assert.Single(spans, s => s.Scope == "Switchyard.Gateway" && s.Kind == Client);

        Assert.Equal("switchyard-frontdoor", callSpan.Service);
        Assert.Equal($"chat {model}", callSpan.Name);
        Assert.Equal(server.SpanId, callSpan.ParentSpanId);
        Assert.Equal(call.SpanId, callSpan.SpanId);
        Assert.Equal("chat", callSpan.Attributes["gen_ai.operation.name"]);
        Assert.Equal("openai", callSpan.Attributes["gen_ai.provider.name"]);
        Assert.Equal(model, callSpan.Attributes["gen_ai.request.model"]);
        Assert.Equal(response.Header("x-portkey-trace-id"), callSpan.Attributes["portkey.trace_id"]);
        Assert.Equal("200", callSpan.Attributes["http.response.status_code"]);
        Assert.Equal(call.Usage!.PromptTokens.ToString(System.Globalization.CultureInfo.InvariantCulture), callSpan.Attributes["gen_ai.usage.input_tokens"]);

        Assert.Equal($"chat {model}", attempt.Name);
        Assert.Equal(callSpan.SpanId, attempt.ParentSpanId);
        Assert.Equal("127.0.0.1", attempt.Attributes["server.address"]);
        Assert.Equal(fixture.Fake.BaseAddress.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), attempt.Attributes["server.port"]);
        Assert.Equal("200", attempt.Attributes["http.response.status_code"]);
        Assert.Equal(model, attempt.Attributes["gen_ai.request.model"]);
        Assert.NotEqual(Error, attempt.StatusCode);

        // The provider got a traceparent of the same trace, from the attempt span or HttpClient's span under it.
        var sent = Assert.Single(fixture.Fake.Journal.ForScenario(scenario)).Headers["traceparent"].Split('-');
        Assert.Equal(traceId, sent[1]);
        Assert.True(sent[2] == attempt.SpanId || spans.Any(s => s.SpanId == sent[2] && s.ParentSpanId == attempt.SpanId), $"the provider's parent span {sent[2]} is not the attempt's");
    }

    [Fact]
    public async Task ProviderError_AttemptSpanHasErrorStatusAndCode()
    {
        var model = $"fake-gpt|status=503|scenario={Requests.NewScenario()}";

        var (response, _, traceId) = await TracedCallAsync(model);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var spans = SpansOf(traceId);
        var attempt = Assert.Single(spans, s => s.Scope == "Switchyard.Gateway" && s.Kind == Client);
        Assert.Equal(Error, attempt.StatusCode);
        Assert.Equal("503", attempt.Attributes["http.response.status_code"]);
        Assert.Equal("503", attempt.Attributes["error.type"]);
        var callSpan = Assert.Single(spans, s => s.Scope == "Switchyard.Gateway" && s.Kind == Internal);
        Assert.Equal(Error, callSpan.StatusCode);
        Assert.Equal("503", callSpan.Attributes["http.response.status_code"]);
    }

    [Fact]
    public async Task Call_MetricsExported_WithGenAiNamesUnitsAndAttributes()
    {
        var model = $"fake-gpt|scenario={Requests.NewScenario()}";

        var (response, call, _) = await TracedCallAsync(model);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var metrics = fixture.Collector.Metrics().Where(m => m.Scope == "Switchyard.Gateway").ToList();
        Assert.All(metrics, m => Assert.Equal("switchyard-frontdoor", m.Service));
        var duration = metrics.Last(m => m.Name == "gen_ai.server.request.duration");
        Assert.Equal("s", duration.Unit);
        var point = Assert.Single(duration.Points, p => p.Attributes.GetValueOrDefault("gen_ai.request.model") == model);
        Assert.Equal(1, point.Value);
        Assert.Equal("chat", point.Attributes["gen_ai.operation.name"]);
        Assert.Equal("openai", point.Attributes["gen_ai.provider.name"]);

        var tokens = metrics.Last(m => m.Name == "gen_ai.client.token.usage");
        Assert.Equal("{token}", tokens.Unit);
        Assert.Single(tokens.Points, p => p.Attributes.GetValueOrDefault("gen_ai.request.model") == (call.ModelUsed ?? model) && p.Attributes["gen_ai.token.type"] == "input");
        Assert.Single(tokens.Points, p => p.Attributes.GetValueOrDefault("gen_ai.request.model") == (call.ModelUsed ?? model) && p.Attributes["gen_ai.token.type"] == "output");
        Assert.Contains(fixture.Collector.Metrics(), m => m.Name == "http.server.request.duration");
    }
}
