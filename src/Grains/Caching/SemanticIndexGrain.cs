using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Storage;

namespace Switchyard.Grains.Caching;

/// <summary>
/// The vectors of one semantic-cache partition (<see cref="ISemanticIndexGrain"/>), searched in memory
/// (<see cref="VectorIndex"/>). Changes are stored every <see cref="SemanticIndexOptions.WriteInterval"/> and at
/// deactivation, not at every call: a vector lost with a silo costs a semantic hit, never a wrong answer, and a busy
/// partition would otherwise write its whole index at every store. A partition whose vectors all expired clears its
/// stored state.
/// </summary>
internal sealed partial class SemanticIndexGrain(
    [PersistentState("vectors", GrainStorage.Name)] IPersistentState<SemanticIndexState> stored,
    IOptions<SemanticIndexOptions> options,
    TimeProvider time,
    ILogger<SemanticIndexGrain> logger) : Grain, ISemanticIndexGrain
{
    private VectorIndex _index = null!;
    private bool _changed;

    private string Key => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        settings.Validate();
        _index = VectorIndex.FromState(stored.State, settings.MaxVectors, time.GetUtcNow());
        _changed = _index.Count != stored.State.Hashes.Length;

        // The index holds the vectors now; the stored form is built again only to be written.
        stored.State = new SemanticIndexState();
        this.RegisterGrainTimer(StoreChangesAsync, new GrainTimerCreationOptions(settings.WriteInterval, settings.WriteInterval));
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        StoreChangesAsync(cancellationToken);

    public Task AddAsync(SemanticVector vector)
    {
        ArgumentNullException.ThrowIfNull(vector);
        _index.Add(vector.Hash, vector.Vector, vector.ExpiresAt, time.GetUtcNow());
        _changed = true;
        return Task.CompletedTask;
    }

    public Task<SemanticCandidate[]> SearchAsync(float[] vector, float threshold, int limit)
    {
        ArgumentNullException.ThrowIfNull(vector);
        return Task.FromResult(_index.Search(vector, threshold, limit, time.GetUtcNow()));
    }

    public Task ForgetAsync(string[] hashes)
    {
        ArgumentNullException.ThrowIfNull(hashes);
        if (_index.Forget(hashes) > 0)
        {
            _changed = true;
        }

        return Task.CompletedTask;
    }

    /// <summary>Drops expired vectors, then stores the index if it changed since it was last stored.</summary>
    private async Task StoreChangesAsync(CancellationToken cancellationToken)
    {
        if (_index.RemoveExpired(time.GetUtcNow()) > 0)
        {
            _changed = true;
        }

        if (!_changed)
        {
            return;
        }

        try
        {
            if (_index.Count > 0)
            {
                stored.State = _index.ToState();
                await stored.WriteStateAsync(cancellationToken);
            }
            else if (stored.RecordExists)
            {
                await stored.ClearStateAsync(cancellationToken);
            }

            _changed = false;
            LogStored(logger, Key, _index.Count);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Kept as changed: the next interval tries again. If another activation wrote meanwhile (the etag is
            // stale), every later write fails too, so this one retires and its successor reads what was stored.
            LogStoreFailed(logger, Key, ex);
            if (ex is InconsistentStateException)
            {
                DeactivateOnIdle();
            }
        }
        finally
        {
            stored.State = new SemanticIndexState();
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Semantic index {Key}: stored {Count} vectors")]
    private static partial void LogStored(ILogger logger, string key, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Semantic index {Key}: its vectors could not be stored; trying again at the next interval")]
    private static partial void LogStoreFailed(ILogger logger, string key, Exception exception);
}
