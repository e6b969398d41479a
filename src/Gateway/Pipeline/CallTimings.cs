namespace Switchyard.Gateway.Pipeline;

/// <summary>Where a request's time went, so the gateway can report its own overhead honestly.</summary>
internal sealed class CallTimings
{
    public CallTimings(long startTimestamp) => StartTimestamp = startTimestamp;

    public long StartTimestamp { get; }

    /// <summary>Time spent waiting on providers (sending, awaiting headers, reading bodies or first events).</summary>
    public TimeSpan Upstream { get; set; }

    /// <summary>Time spent sleeping between retries.</summary>
    public TimeSpan Backoff { get; set; }

    /// <summary>Elapsed time minus upstream waits and back-off, at the moment of asking.</summary>
    public TimeSpan Overhead(TimeProvider time)
    {
        var overhead = time.GetElapsedTime(StartTimestamp) - Upstream - Backoff;
        return overhead < TimeSpan.Zero ? TimeSpan.Zero : overhead;
    }
}
