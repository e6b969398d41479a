namespace Switchyard.Gateway.Telemetry;

/// <summary>
/// <c>Switchyard:Telemetry</c>: what the gateway's metrics may label. Labels are bounded by design, because every
/// distinct label set is a time series a Prometheus server keeps.
/// </summary>
public sealed class TelemetryOptions
{
    public const string Section = "Switchyard:Telemetry";

    /// <summary>
    /// Adds <c>switchyard.workspace.id</c> and <c>switchyard.api_key.id</c> (ids, never key values) to the request
    /// metrics. Default false: one series per key grows with the catalog, which only small installations can afford.
    /// </summary>
    public bool KeyLabels { get; set; }

    /// <summary>
    /// Distinct model names the metrics label before further ones are counted as <c>_OTHER</c>. Default 200. Clients
    /// choose model names, so without a cap one client could create series without end.
    /// </summary>
    public int MaxModelLabels { get; set; } = 200;

    /// <summary>Throws naming the option when a value is out of range.</summary>
    public void Validate()
    {
        if (MaxModelLabels is < 1 or > 10_000)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxModelLabels), MaxModelLabels, $"{Section}:{nameof(MaxModelLabels)} must be between 1 and 10000.");
        }
    }
}
