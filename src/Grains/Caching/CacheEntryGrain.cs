using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchyard.State;

namespace Switchyard.Grains.Caching;

/// <summary>
/// One stored answer (<see cref="ICacheEntryGrain"/>). The stored state is the answer; a read of an expired one deletes
/// it (the grain storage keeps no expiry of its own) and retires the activation, and so does a read that finds nothing,
/// so misses leave no activations behind. A live entry stays active for two idle minutes: the second level behind the
/// front doors' local copies.
/// </summary>
[CollectionAgeLimit(Minutes = 2)]
internal sealed partial class CacheEntryGrain(
    [PersistentState("cache-entry", GrainStorage.Name)] IPersistentState<CacheEntryState> entry,
    IOptions<ResponseCacheOptions> options,
    TimeProvider time,
    ILogger<CacheEntryGrain> logger) : Grain, ICacheEntryGrain
{
    private readonly long _maxEntryBytes = options.Value.MaxEntryBytes;

    private string Key => this.GetPrimaryKeyString();

    public async Task<CachedAnswer?> GetAsync()
    {
        if (!entry.RecordExists)
        {
            DeactivateOnIdle();
            return null;
        }

        if (entry.State.ExpiresAt <= time.GetUtcNow())
        {
            await DeleteAsync(rethrow: false);
            return null;
        }

        var (workspaceId, hash) = CacheEntryKey.Parse(Key);
        return entry.State.ToAnswer(workspaceId, hash);
    }

    public async Task<bool> PutAsync(CachedAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var (workspaceId, hash) = CacheEntryKey.Parse(Key);
        if (answer.WorkspaceId != workspaceId || answer.Hash != hash)
        {
            throw new ArgumentException($"The answer of {answer.WorkspaceId}/{answer.Hash} does not belong in the cache entry {Key}.", nameof(answer));
        }

        if (answer.Size > _maxEntryBytes)
        {
            LogRefused(logger, Key, answer.Size, _maxEntryBytes);
            return false;
        }

        if (answer.ExpiresAt <= time.GetUtcNow())
        {
            return false;
        }

        var previous = entry.State;
        entry.State = CacheEntryState.Of(answer);
        try
        {
            await entry.WriteStateAsync();
        }
        catch (Exception ex)
        {
            // The stored ETag is now unknown: a new activation reads the truth back.
            entry.State = previous;
            LogStorageFailed(logger, Key, ex);
            DeactivateOnIdle();
            throw;
        }

        return true;
    }

    public async Task RemoveAsync()
    {
        if (entry.RecordExists)
        {
            await DeleteAsync(rethrow: true);
        }
        else
        {
            DeactivateOnIdle();
        }
    }

    public async Task<bool> ExpireAsync()
    {
        if (entry.RecordExists && entry.State.ExpiresAt > time.GetUtcNow())
        {
            return false;
        }

        await RemoveAsync();
        return true;
    }

    /// <summary>Deletes the stored state and retires the activation, whether or not the delete worked.</summary>
    private async Task DeleteAsync(bool rethrow)
    {
        try
        {
            await entry.ClearStateAsync();
        }
        catch (Exception ex)
        {
            // The row stays; the workspace's sweep (or the next read) deletes it later.
            LogStorageFailed(logger, Key, ex);
            if (rethrow)
            {
                throw;
            }
        }
        finally
        {
            DeactivateOnIdle();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cache entry {Key}: an answer of {Size} bytes is over the limit of {Limit} and was not stored")]
    private static partial void LogRefused(ILogger logger, string key, long size, long limit);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cache entry {Key}: its stored state could not be written or deleted; the activation is retired")]
    private static partial void LogStorageFailed(ILogger logger, string key, Exception exception);
}
