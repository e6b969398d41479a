using Switchyard.State;

namespace Switchyard.Grains.Caching;

/// <summary>
/// One stored answer of one workspace (the key is <see cref="CacheEntryKey.Of"/>), persisted in the grain storage. Reads
/// enforce its expiry: an expired entry is never returned, its stored state is deleted and the activation retires.
/// Front doors put entries and read them on a local miss; the workspace's <see cref="ICacheWorkspaceGrain"/> removes
/// them when it evicts, invalidates or sweeps.
/// </summary>
[Alias("Switchyard.ICacheEntryGrain")]
public interface ICacheEntryGrain : IGrainWithStringKey
{
    /// <summary>The live entry, or null when there is none or it expired (then its stored state is deleted).</summary>
    [Alias("Get")]
    Task<CachedAnswer?> GetAsync();

    /// <summary>
    /// Stores <paramref name="answer"/>, replacing what was there. False, storing nothing, when it is bigger than
    /// <see cref="ResponseCacheOptions.MaxEntryBytes"/> or already expired.
    /// </summary>
    [Alias("Put")]
    Task<bool> PutAsync(CachedAnswer answer);

    /// <summary>Deletes the entry (evicted or invalidated), live or not.</summary>
    [Alias("Remove")]
    Task RemoveAsync();

    /// <summary>Deletes the entry if it expired; true when nothing live is left (expired, or there was none).</summary>
    [Alias("Expire")]
    Task<bool> ExpireAsync();
}

/// <summary>
/// The key of a <see cref="ICacheEntryGrain"/>: <c>{workspace id}/{hash}</c>. The hash (lower-case hex) holds no slash,
/// so the last slash splits the key however the workspace id is spelled, and two workspaces never share a key.
/// </summary>
public static class CacheEntryKey
{
    public static string Of(string workspaceId, string hash)
    {
        Validate(workspaceId, hash);
        return workspaceId + "/" + hash;
    }

    public static (string WorkspaceId, string Hash) Parse(string key)
    {
        var slash = key.LastIndexOf('/');
        if (slash <= 0 || slash == key.Length - 1)
        {
            throw new ArgumentException($"'{key}' is not a cache entry key (workspace/hash).", nameof(key));
        }

        return (key[..slash], key[(slash + 1)..]);
    }

    /// <summary>Throws unless both parts are non-empty and the hash holds no slash.</summary>
    public static void Validate(string workspaceId, string hash)
    {
        ArgumentException.ThrowIfNullOrEmpty(workspaceId);
        ArgumentException.ThrowIfNullOrEmpty(hash);
        if (hash.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"A cache entry's hash holds no slash: '{hash}'.", nameof(hash));
        }
    }
}
