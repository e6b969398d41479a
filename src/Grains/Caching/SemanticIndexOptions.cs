using Microsoft.Extensions.Options;

namespace Switchyard.Grains.Caching;

/// <summary>How a semantic index grain keeps its partition (silos).</summary>
public sealed class SemanticIndexOptions
{
    /// <summary>The section silos bind these from.</summary>
    public const string Section = "Switchyard:Cache:SemanticIndex";

    /// <summary>
    /// The most vectors one partition keeps; past it the oldest are forgotten first. From 1 to 1,000,000. Default 100,000
    /// (about 150 MB of memory at 384 dimensions, and as much stored).
    /// </summary>
    public int MaxVectors { get; set; } = 100_000;

    /// <summary>
    /// How often a partition that changed is stored (and expired vectors are dropped), instead of at every change; a
    /// silo that dies loses at most this much of what was added (the entries' answers are kept apart and stay served
    /// by exact lookups). Also stored when the grain is deactivated. Default 30 s.
    /// </summary>
    public TimeSpan WriteInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws an <see cref="OptionsValidationException"/> naming every setting out of range.</summary>
    public void Validate()
    {
        var failures = new List<string>();
        if (MaxVectors is < 1 or > 1_000_000)
        {
            failures.Add($"{nameof(SemanticIndexOptions)}.{nameof(MaxVectors)} must be from 1 to 1,000,000.");
        }

        if (WriteInterval <= TimeSpan.Zero)
        {
            failures.Add($"{nameof(SemanticIndexOptions)}.{nameof(WriteInterval)} must be greater than zero.");
        }

        if (failures.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(SemanticIndexOptions), failures);
        }
    }
}
