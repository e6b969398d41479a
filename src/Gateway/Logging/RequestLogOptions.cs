namespace Switchyard.Gateway.Logging;

/// <summary>The request log's queue and writer (<c>Switchyard:Logs</c>; docs/observability.md, "The queue and the writer").</summary>
public sealed class RequestLogOptions
{
    public const string Section = "Switchyard:Logs";

    /// <summary>Whether calls are logged at all. Default true; false registers nothing, so logging costs nothing.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Records waiting to be written, at most; past it new records are dropped and counted. Default 50 000.</summary>
    public int QueueCapacity { get; set; } = 50_000;

    /// <summary>
    /// Bytes of bodies the queued records may hold together, at most; past it a record is queued without its bodies
    /// (marked truncated) rather than dropped, so a writer that falls behind cannot grow memory. Default 32 MiB.
    /// </summary>
    public long MaxQueuedBodyBytes { get; set; } = 32L << 20;

    /// <summary>Records written in one batch, at most. Default 1000.</summary>
    public int BatchSize { get; set; } = 1000;

    /// <summary>How long the writer waits to fill a batch before writing what it has. Default 200 ms.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The most bytes kept of each body (request and response); a longer one is cut and the record marked truncated. Default 65 536.</summary>
    public int MaxBodyBytes { get; set; } = 65_536;

    /// <summary>How often expired records are dropped; the first pass runs a minute after start. Default 1 hour.</summary>
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromHours(1);
}
