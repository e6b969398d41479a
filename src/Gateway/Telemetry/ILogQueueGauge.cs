namespace Switchyard.Gateway.Telemetry;

/// <summary>
/// The request-log queue as metrics read it: records waiting to be written and records dropped because the queue was
/// full. Implemented by the log queue; when none is registered the metrics have no log series.
/// </summary>
public interface ILogQueueGauge
{
    /// <summary>Records queued and not yet written.</summary>
    long Depth { get; }

    /// <summary>Records dropped since the process started (cumulative).</summary>
    long Dropped { get; }
}
