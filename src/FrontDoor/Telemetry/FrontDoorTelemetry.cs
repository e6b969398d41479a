using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
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

    /// <summary>The path Prometheus scrapes.</summary>
    public const string MetricsPath = "/metrics";

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
        app.MapPrometheusScrapingEndpoint(MetricsPath);
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

/// <summary>The OpenTelemetry settings both hosts read the same way (the standard <c>OTEL_*</c> variables).</summary>
internal static class OtlpExport
{
    public const string OrleansMeter = "Microsoft.Orleans";

    /// <summary>
    /// OTLP is on when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set. The exporter itself reads it and the other standard
    /// variables (<c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, <c>_HEADERS</c>, <c>_TIMEOUT</c>, the per-signal ones) from the
    /// configuration, environment included; an unknown protocol fails the start with a message naming the variable.
    /// </summary>
    public static bool IsOn(IConfiguration configuration)
    {
        if (string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            return false;
        }

        var protocol = configuration["OTEL_EXPORTER_OTLP_PROTOCOL"];
        if (!string.IsNullOrEmpty(protocol) && protocol is not ("grpc" or "http/protobuf"))
        {
            throw new InvalidOperationException($"OTEL_EXPORTER_OTLP_PROTOCOL must be grpc or http/protobuf, not '{protocol}'.");
        }

        return true;
    }

    /// <summary>The service name: <c>OTEL_SERVICE_NAME</c> (and <c>OTEL_RESOURCE_ATTRIBUTES</c>) as given, else <paramref name="fallback"/>.</summary>
    public static void Name(ResourceBuilder resource, IConfiguration configuration, string fallback)
    {
        if (string.IsNullOrWhiteSpace(configuration["OTEL_SERVICE_NAME"]))
        {
            resource.AddService(fallback);
        }
    }

    /// <summary>Scrapes and probes make no traces.</summary>
    public static bool IsProbe(PathString path) =>
        path.StartsWithSegments(FrontDoorTelemetry.MetricsPath) || path.StartsWithSegments("/health") || path.StartsWithSegments("/ready");
}
