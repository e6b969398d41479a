using System.Diagnostics;

namespace Switchyard.Gateway.Telemetry;

/// <summary>
/// The names the gateway's metrics and spans are published under, so hosts enable them by name
/// (<c>AddMeter</c>, <c>AddSource</c>) and the one <see cref="ActivitySource"/> is shared by every call.
/// </summary>
public static class GatewayTelemetry
{
    /// <summary>The <see cref="System.Diagnostics.Metrics.Meter"/> of <see cref="GatewayMetrics"/>.</summary>
    public const string MeterName = "Switchyard.Gateway";

    /// <summary>The source of the call and attempt spans.</summary>
    public const string ActivitySourceName = "Switchyard.Gateway";

    /// <summary>
    /// Static, as ActivitySource is meant to be: with no listener (tracing off) <see cref="ActivitySource.StartActivity(string, ActivityKind)"/>
    /// returns null after one check, so a call pays nothing for spans nobody records.
    /// </summary>
    internal static readonly ActivitySource Source = new(ActivitySourceName);
}
