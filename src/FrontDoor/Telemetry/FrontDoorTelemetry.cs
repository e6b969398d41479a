using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Switchyard.Cluster;
using Switchyard.Gateway.Telemetry;
using Switchyard.State.Orleans.Quotas;

namespace Switchyard.FrontDoor.Telemetry;

/// <summary>
/// The front door's metrics and traces. Metrics are always collected and served as Prometheus text on
/// <c>GET /metrics</c> (OpenMetrics when the scraper asks for it), outside the admin API's authentication: the
/// gateway's meter, Orleans', ASP.NET Core's and Kestrel's, HttpClient's, the runtime's and the process's. OTLP export of
/// metrics and traces is on when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set and off otherwise, and spans exist only then:
/// without it no <see cref="ActivitySource"/> has a listener and a call spends nothing on tracing.
/// </summary>
public static class FrontDoorTelemetry
{
    /// <summary>The service name when <c>OTEL_SERVICE_NAME</c> does not give one.</summary>
    public const string DefaultServiceName = "switchyard-frontdoor";

    /// <summary>Binds <see cref="TelemetryOptions"/>, adds the gateway's metrics and the exporters.</summary>
    public static WebApplicationBuilder AddSwitchyardTelemetry(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        builder.Services.AddOptions<TelemetryOptions>().Bind(configuration.GetSection(TelemetryOptions.Section));
        if (builder.Services.Any(service => service.ServiceType == typeof(LeasedQuotaBank)))
        {
            builder.Services.AddSingleton<IQuotaGauge>(sp => new LeaseQuotaGauge(sp.GetRequiredService<LeasedQuotaBank>()));
        }

        builder.Services.AddGatewayTelemetry();
        var otlp = OtlpExport.IsOn(configuration);
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => OtlpExport.Name(resource, configuration, DefaultServiceName))
            .WithMetrics(metrics =>
            {
                metrics
                    .AddMeter(GatewayTelemetry.MeterName, OtlpExport.OrleansMeter)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddProcessInstrumentation()
                    // Every scrape reads the instruments afresh (the exporter would otherwise answer from a copy up to 300 ms old).
                    .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0);
                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            });
        if (otlp)
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(GatewayTelemetry.ActivitySourceName)
                .AddAspNetCoreInstrumentation(aspNet => aspNet.Filter = context => !OtlpExport.IsProbe(context.Request.Path))
                .AddHttpClientInstrumentation()
                .AddProcessor(new AttemptOutcomeProcessor())
                .AddOtlpExporter());
        }

        return builder;
    }

    /// <summary>Maps <c>GET /metrics</c>, with no authentication: metrics carry no secret and no key unless configured to.</summary>
    public static WebApplication MapSwitchyardMetrics(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint(OtlpExport.MetricsPath);
        return app;
    }

    /// <summary>Gives each attempt span its HTTP outcome when HttpClient's request span under it ends.</summary>
    private sealed class AttemptOutcomeProcessor : BaseProcessor<Activity>
    {
        public override void OnEnd(Activity data) => AttemptSpan.CopyOutcome(data);
    }

    /// <summary>The lease client as the gateway's metrics read it.</summary>
    private sealed class LeaseQuotaGauge(LeasedQuotaBank bank) : IQuotaGauge
    {
        public long LeaseGrants => bank.LeaseGrants;

        public IReadOnlyList<BudgetStanding> Budgets() =>
            bank.Budgets().Select(b => new BudgetStanding(b.Window.Kind, b.Window.EntityId, b.Window.Meter, b.Remaining)).ToArray();
    }
}
