using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Switchyard.Cluster;

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

    public static WebApplicationBuilder AddSiloTelemetry(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var otlp = OtlpExport.IsOn(configuration);
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => OtlpExport.Name(resource, configuration, DefaultServiceName))
            .WithMetrics(metrics =>
            {
                metrics
                    .AddMeter(OtlpExport.OrleansMeter)
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
                .AddAspNetCoreInstrumentation(aspNet => aspNet.Filter = context => !OtlpExport.IsProbe(context.Request.Path))
                .AddOtlpExporter());
        }

        return builder;
    }

    public static WebApplication MapSiloMetrics(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint(OtlpExport.MetricsPath);
        return app;
    }
}
