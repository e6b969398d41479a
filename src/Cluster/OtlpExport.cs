using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using OpenTelemetry.Resources;

namespace Switchyard.Cluster;

/// <summary>
/// The telemetry settings both hosts (front doors and silos) read the same way: the standard <c>OTEL_*</c> variables,
/// the Prometheus path, Orleans' meter, and which requests make no traces.
/// </summary>
public static class OtlpExport
{
    /// <summary>The path Prometheus scrapes, on every host.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>Orleans' own meter (grain calls, messaging, membership).</summary>
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
        path.StartsWithSegments(MetricsPath) || path.StartsWithSegments("/health") || path.StartsWithSegments("/ready");
}
