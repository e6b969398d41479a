using Microsoft.Extensions.Options;

namespace Switchyard.Grains.Caching;

/// <summary>
/// The response cache's limits, bound from <c>Switchyard:Cache</c> in silos and front doors alike: silos read what the
/// grains enforce (<see cref="MaxEntryBytes"/>, <see cref="MaxWorkspaceBytes"/>, <see cref="SweepInterval"/>,
/// <see cref="IndexWriteDelay"/>), front doors what their client holds (<see cref="LocalBytes"/>,
/// <see cref="StoreQueueLength"/>, and <see cref="MaxEntryBytes"/> to refuse a big answer before sending it). Sizes are
/// <c>CachedAnswer.Size</c>: the body plus a fixed allowance for the other fields.
/// </summary>
public sealed class ResponseCacheOptions
{
    public const string Section = "Switchyard:Cache";

    /// <summary>Front doors: the most bytes of answers each keeps in memory in front of the grains (least recently used go first). Default 64 MiB; 0 keeps none.</summary>
    public long LocalBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>The biggest answer stored; a bigger one is not cached. Default 4 MiB.</summary>
    public long MaxEntryBytes { get; set; } = 4L * 1024 * 1024;

    /// <summary>The most bytes one workspace stores; past it its oldest entries are evicted. Default 512 MiB.</summary>
    public long MaxWorkspaceBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>Front doors: answers waiting to be stored; when it is full a new one is dropped (and counted), never waited for. Default 1024.</summary>
    public int StoreQueueLength { get; set; } = 1024;

    /// <summary>Silos: how often the stored rows of expired entries are deleted, whether or not anyone reads them. Default 1 minute.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Silos: how long a workspace's index may hold changes before it is written; it is also written when the grain
    /// deactivates. A write rewrites the whole index (about 120 bytes an entry), so it is not written at every store;
    /// a silo that dies loses its last changes (src/Grains/Caching/CacheWorkspaceGrain.cs says what that costs).
    /// Default 30 s.
    /// </summary>
    public TimeSpan IndexWriteDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws an <see cref="OptionsValidationException"/> naming every setting out of range.</summary>
    public void Validate()
    {
        var failures = new List<string>();
        if (LocalBytes < 0)
        {
            failures.Add($"{Section}:{nameof(LocalBytes)} must not be negative.");
        }

        if (MaxEntryBytes <= 0)
        {
            failures.Add($"{Section}:{nameof(MaxEntryBytes)} must be greater than zero.");
        }

        if (MaxWorkspaceBytes < MaxEntryBytes)
        {
            failures.Add($"{Section}:{nameof(MaxWorkspaceBytes)} must be at least {nameof(MaxEntryBytes)}.");
        }

        if (StoreQueueLength < 1)
        {
            failures.Add($"{Section}:{nameof(StoreQueueLength)} must be at least 1.");
        }

        if (SweepInterval <= TimeSpan.Zero || IndexWriteDelay <= TimeSpan.Zero)
        {
            failures.Add($"{Section}:{nameof(SweepInterval)} and {nameof(IndexWriteDelay)} must be greater than zero.");
        }

        if (failures.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(ResponseCacheOptions), failures);
        }
    }
}
