namespace Switchyard.Grains.Caching;

/// <summary>What <see cref="CacheDirectoryGrain"/> stores: the workspaces that use the cache and those holding entries.</summary>
[GenerateSerializer, Alias("Switchyard.CacheDirectoryState")]
internal sealed class CacheDirectoryState
{
    /// <summary>Every workspace that ever stored an entry or reported a lookup.</summary>
    [Id(0)]
    public HashSet<string> Workspaces { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The workspaces whose index holds entries: the ones the sweep visits.</summary>
    [Id(1)]
    public HashSet<string> Holding { get; set; } = new(StringComparer.Ordinal);
}
