using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Switchyard.Silo;

/// <summary>
/// The silo's metrics and traces: Orleans' meter (grain calls, messaging, membership), ASP.NET Core's and Kestrel's,
/// the runtime's and the process's, served as Prometheus text on <c>GET /metrics</c> beside the probes. OTLP export of
/// metrics and traces is on when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the exporter reads the other standard
/// <c>OTEL_*</c> variables itself), off otherwise; the service is <c>switchyard-silo</c> unless <c>OTEL_SERVICE_NAME</c>
/// says otherwise.
/// </summary>
internal static class SiloTelemetry
{
    public const string DefaultServiceName = "switchyard-silo";

    public const string MetricsPath = "/metrics";

    private const string OrleansMeter = "Microsoft.Orleans";

    public static WebApplicationBuilder AddSiloTelemetry(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var otlp = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        if (otlp && configuration["OTEL_EXPORTER_OTLP_PROTOCOL"] is { Length: > 0 } protocol && protocol is not ("grpc" or "http/protobuf"))
        {
            throw new InvalidOperationException($"OTEL_EXPORTER_OTLP_PROTOCOL must be grpc or http/protobuf, not '{protocol}'.");
        }

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource =>
            {
                if (string.IsNullOrWhiteSpace(configuration["OTEL_SERVICE_NAME"]))
                {
                    resource.AddService(DefaultServiceName);
                }
            })
            .WithMetrics(metrics =>
            {
                metrics
                    .AddMeter(OrleansMeter)
                    .AddAspNetCoreInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddProcessInstrumentation()
                    .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0);
                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            });
        if (otlp)
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource("Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application")
                .AddAspNetCoreInstrumentation(aspNet => aspNet.Filter = context =>
                    !context.Request.Path.StartsWithSegments(MetricsPath) && !context.Request.Path.StartsWithSegments("/health") && !context.Request.Path.StartsWithSegments("/ready"))
                .AddOtlpExporter());
        }

        return builder;
    }

    public static WebApplication MapSiloMetrics(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint(MetricsPath);
        return app;
    }
}
