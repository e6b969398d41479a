using Orleans.Storage;

namespace Switchyard.Grains.Tests.Infrastructure;

/// <summary>
/// Grain state every silo of a test cluster reads and writes (memory grain storage lives in one silo and dies with it),
/// with real ETag checks, a count of the writes that landed, and faults to inject per grain: fail the next writes, or
/// hold the next one until the test lets it land or fail.
/// </summary>
public sealed class SharedGrainStore
{
    private readonly object _gate = new();
    private readonly Dictionary<string, StoredState> _states = new(StringComparer.Ordinal);
    private readonly Dictionary<GrainId, int> _writes = [];
    private readonly Dictionary<GrainId, int> _failures = [];
    private readonly Dictionary<GrainId, WriteHold> _holds = [];
    private long _lastETag;

    /// <summary>How many writes of the grain's state landed.</summary>
    public int WriteCount(GrainId grainId)
    {
        lock (_gate)
        {
            return _writes.GetValueOrDefault(grainId);
        }
    }

    /// <summary>The next <paramref name="count"/> writes of the grain fail with an <see cref="IOException"/>, storing nothing.</summary>
    public void FailNextWrites(GrainId grainId, int count)
    {
        lock (_gate)
        {
            _failures[grainId] = count;
        }
    }

    /// <summary>The next write of the grain waits (after it was asked for) until the returned hold lets it land or fails it.</summary>
    public WriteHold HoldNextWrite(GrainId grainId)
    {
        var hold = new WriteHold();
        lock (_gate)
        {
            _holds[grainId] = hold;
        }

        return hold;
    }

    /// <summary>The stored bytes of a grain's state, or null when there is no record.</summary>
    public BinaryData? Peek(string stateName, GrainId grainId)
    {
        lock (_gate)
        {
            return _states.TryGetValue(Key(stateName, grainId), out var stored) ? stored.Data : null;
        }
    }

    internal StoredState? Read(string stateName, GrainId grainId)
    {
        lock (_gate)
        {
            return _states.GetValueOrDefault(Key(stateName, grainId));
        }
    }

    internal async Task<string> WriteAsync(string stateName, GrainId grainId, string? expectedETag, BinaryData data)
    {
        WriteHold? hold;
        lock (_gate)
        {
            if (_failures.TryGetValue(grainId, out var failures) && failures > 0)
            {
                _failures[grainId] = failures - 1;
                throw new IOException($"Injected write failure for {grainId}.");
            }

            if (_holds.Remove(grainId, out hold))
            {
                hold.Started.TrySetResult();
            }
        }

        if (hold is not null)
        {
            // Not on the activation's scheduler: a held write must still land after its silo was killed.
            await hold.Outcome.Task.ConfigureAwait(false);
        }

        lock (_gate)
        {
            var key = Key(stateName, grainId);
            var current = _states.GetValueOrDefault(key)?.ETag;
            if (current != expectedETag)
            {
                throw new InconsistentStateException($"ETag mismatch writing {key}.", current ?? "(none)", expectedETag ?? "(none)");
            }

            var etag = (++_lastETag).ToString(System.Globalization.CultureInfo.InvariantCulture);
            _states[key] = new StoredState(data, etag);
            _writes[grainId] = _writes.GetValueOrDefault(grainId) + 1;
            hold?.Landed.TrySetResult();
            return etag;
        }
    }

    internal void Clear(string stateName, GrainId grainId, string? expectedETag)
    {
        lock (_gate)
        {
            var key = Key(stateName, grainId);
            var current = _states.GetValueOrDefault(key)?.ETag;
            if (current != expectedETag)
            {
                throw new InconsistentStateException($"ETag mismatch clearing {key}.", current ?? "(none)", expectedETag ?? "(none)");
            }

            _states.Remove(key);
        }
    }

    private static string Key(string stateName, GrainId grainId) => stateName + "|" + grainId;

    internal sealed record StoredState(BinaryData Data, string ETag);
}

/// <summary>A write held by <see cref="SharedGrainStore.HoldNextWrite"/>.</summary>
public sealed class WriteHold
{
    internal TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal TaskCompletionSource Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal TaskCompletionSource Landed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the grain asked for the write.</summary>
    public Task WriteStarted => Started.Task;

    /// <summary>Completes when the held write was stored.</summary>
    public Task WriteLanded => Landed.Task;

    /// <summary>Lets the held write go on (its ETag is still checked).</summary>
    public void Release() => Outcome.TrySetResult();

    /// <summary>Fails the held write, storing nothing.</summary>
    public void Fail() => Outcome.TrySetException(new IOException("Injected failure of a held write."));
}

/// <summary>
/// One silo's view of a <see cref="SharedGrainStore"/>: state goes through the silo's grain storage serializer, as with
/// a real provider, so a test also proves the state survives serialization.
/// </summary>
internal sealed class SharedGrainStorage(SharedGrainStore store, IGrainStorageSerializer serializer) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var stored = store.Read(stateName, grainId);
        if (stored is null)
        {
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
        }
        else
        {
            grainState.State = serializer.Deserialize<T>(stored.Data);
            grainState.ETag = stored.ETag;
            grainState.RecordExists = true;
        }

        return Task.CompletedTask;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        // Serialized before any wait: what is stored is the state as it was when the grain asked for the write.
        var data = serializer.Serialize(grainState.State);
        grainState.ETag = await store.WriteAsync(stateName, grainId, grainState.ETag, data);
        grainState.RecordExists = true;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        store.Clear(stateName, grainId, grainState.ETag);
        grainState.State = Activator.CreateInstance<T>();
        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }
}
