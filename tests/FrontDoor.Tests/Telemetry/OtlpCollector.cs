using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Switchyard.FrontDoor.Tests.Telemetry;

/// <summary>A span as exported: ids in hex, kind (1 internal, 2 server, 3 client), status code (2 error) and attributes.</summary>
internal sealed record ExportedSpan(
    string Service, string Scope, string TraceId, string SpanId, string ParentSpanId, string Name, int Kind, int StatusCode, IReadOnlyDictionary<string, string> Attributes);

/// <summary>A metric as exported: its scope, name and unit, and each data point's attributes and count (histograms) or value.</summary>
internal sealed record ExportedMetric(string Service, string Scope, string Name, string Unit, IReadOnlyList<(IReadOnlyDictionary<string, string> Attributes, double Value)> Points);

/// <summary>
/// An OTLP collector for tests: Kestrel on loopback accepting http/protobuf POSTs on <c>/v1/traces</c> and
/// <c>/v1/metrics</c>, answering an empty (valid) export response, and decoding the requests by hand (<see cref="ProtoMessage"/>).
/// </summary>
internal sealed class OtlpCollector : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<byte[]> _traces = new();
    private readonly ConcurrentQueue<byte[]> _metrics = new();

    private OtlpCollector(WebApplication app) => _app = app;

    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Every request as "method path content-type", for a failing test's message.</summary>
    public string Seen => string.Join("; ", _seen);

    private readonly ConcurrentQueue<string> _seen = new();

    public static async Task<OtlpCollector> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var collector = new OtlpCollector(app);
        app.Use(async (context, next) =>
        {
            collector._seen.Enqueue($"{context.Request.Method} {context.Request.Path} {context.Request.ContentType}");
            await next(context);
        });
        app.MapPost("/v1/traces", (HttpRequest request) => collector.ReceiveAsync(request, collector._traces));
        app.MapPost("/v1/metrics", (HttpRequest request) => collector.ReceiveAsync(request, collector._metrics));
        await app.StartAsync();
        collector.Endpoint = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return collector;
    }

    /// <summary>Every span received so far (ExportTraceServiceRequest: resource_spans 1 → resource 1, scope_spans 2 → scope 1, spans 2).</summary>
    public IReadOnlyList<ExportedSpan> Spans()
    {
        var spans = new List<ExportedSpan>();
        foreach (var body in _traces)
        {
            foreach (var resourceSpans in ProtoMessage.Parse(body).Messages(1))
            {
                var service = ServiceOf(resourceSpans);
                foreach (var scopeSpans in resourceSpans.Messages(2))
                {
                    var scope = scopeSpans.One(1)?.Message.String(1) ?? "";
                    foreach (var span in scopeSpans.Messages(2))
                    {
                        spans.Add(new ExportedSpan(
                            service, scope, span.Hex(1), span.Hex(2), span.Hex(4), span.String(5), (int)span.Scalar(6),
                            (int)(span.One(15)?.Message.Scalar(3) ?? 0), span.Attributes(9)));
                    }
                }
            }
        }

        return spans;
    }

    /// <summary>Every metric received so far (ExportMetricsServiceRequest: resource_metrics 1 → scope_metrics 2 → metrics 2).</summary>
    public IReadOnlyList<ExportedMetric> Metrics()
    {
        var metrics = new List<ExportedMetric>();
        foreach (var body in _metrics)
        {
            foreach (var resourceMetrics in ProtoMessage.Parse(body).Messages(1))
            {
                var service = ServiceOf(resourceMetrics);
                foreach (var scopeMetrics in resourceMetrics.Messages(2))
                {
                    var scope = scopeMetrics.One(1)?.Message.String(1) ?? "";
                    foreach (var metric in scopeMetrics.Messages(2))
                    {
                        metrics.Add(new ExportedMetric(service, scope, metric.String(1), metric.String(3), Points(metric)));
                    }
                }
            }
        }

        return metrics;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    /// <summary>Histogram (9) points: attributes 9, count 4; sum (7) and gauge (5) points: attributes 7, as_double 4 or as_int 6.</summary>
    private static List<(IReadOnlyDictionary<string, string>, double)> Points(ProtoMessage metric)
    {
        var points = new List<(IReadOnlyDictionary<string, string>, double)>();
        foreach (var histogram in metric.Messages(9))
        {
            points.AddRange(histogram.Messages(1).Select(p => ((IReadOnlyDictionary<string, string>)p.Attributes(9), (double)p.Scalar(4))));
        }

        foreach (var numbers in metric.Messages(7).Concat(metric.Messages(5)))
        {
            points.AddRange(numbers.Messages(1).Select(p => ((IReadOnlyDictionary<string, string>)p.Attributes(7),
                p.One(4) is { } real ? real.Double : (long)p.Scalar(6))));
        }

        return points;
    }

    private static string ServiceOf(ProtoMessage resourceEntry) =>
        resourceEntry.One(1)?.Message.Attributes(1).GetValueOrDefault("service.name") ?? "";

    private async Task<IResult> ReceiveAsync(HttpRequest request, ConcurrentQueue<byte[]> into)
    {
        if (request.ContentType != "application/x-protobuf")
        {
            return Results.StatusCode(StatusCodes.Status415UnsupportedMediaType);
        }

        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        into.Enqueue(buffer.ToArray());
        return Results.Bytes([], "application/x-protobuf");
    }
}
