using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace Switchyard.State.Embedded;

/// <summary>
/// Orleans grain state in the embedded database file (the <c>grain_state</c> table of <see cref="SchemaScripts"/>), with
/// the ETag contract of Orleans' own providers: the ETag is the row's version; a write or clear succeeds only if the
/// stored ETag is the one the caller holds (none: the state must not exist), else it throws
/// <see cref="InconsistentStateException"/> and changes nothing. A clear deletes the row (as Orleans' ADO.NET provider
/// with <c>DeleteStateOnClear</c>, which the cluster uses): grains that clear often, such as cache entries when they
/// expire, leave nothing behind. Register it with
/// <see cref="SqliteGrainStorageExtensions.AddSqliteGrainStorage"/>.
/// </summary>
/// <remarks>
/// A grain's state is identified by its grain type, grain key and state name, so two grain types never share a row.
/// States are serialized by the silo's <see cref="IGrainStorageSerializer"/>. Each call is one short statement in its
/// own transaction, run on <see cref="SqliteGrainStorageThread"/>; serialization happens on the caller's thread.
/// </remarks>
internal sealed class SqliteGrainStorage : IGrainStorage, IDisposable
{
    private const string Identity = "grain_type = @GrainType AND grain_key = @GrainKey AND state_name = @StateName";

    private readonly string _name;
    private readonly SqliteDatabase _database;
    private readonly IGrainStorageSerializer _serializer;
    private readonly IActivatorProvider _activators;
    private readonly TimeProvider _time;
    private readonly SqliteGrainStorageThread _io;

    public SqliteGrainStorage(string name, SqliteDatabase database, IGrainStorageSerializer serializer, IActivatorProvider activators, TimeProvider time)
    {
        _name = name;
        _database = database;
        _serializer = serializer;
        _activators = activators;
        _time = time;
        _io = new SqliteGrainStorageThread($"Grain storage {name}");
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ReadStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        var key = StateKey.Of(stateName, grainId);
        var row = await _io.RunAsync(() => Read(key), cancellationToken);

        // Rows written before clears deleted them may hold no payload: such a state does not exist, but keeps its ETag.
        grainState.State = row?.Payload is { } payload ? _serializer.Deserialize<T>(new BinaryData(payload)) ?? Create<T>() : Create<T>();
        grainState.ETag = row is null ? null : FormatETag(row.Version);
        grainState.RecordExists = row?.Payload is not null;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        WriteStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        var key = StateKey.Of(stateName, grainId);
        var expected = ParseETag("WriteState", key, grainState.ETag);
        var payload = _serializer.Serialize(grainState.State).ToArray();
        var (written, stored) = await _io.RunAsync(() => Write(key, expected, payload), cancellationToken);
        if (written is not { } version)
        {
            throw Conflict("WriteState", key, stored, grainState.ETag);
        }

        grainState.ETag = FormatETag(version);
        grainState.RecordExists = true;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ClearStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        var key = StateKey.Of(stateName, grainId);
        var expected = ParseETag("ClearState", key, grainState.ETag);
        var (cleared, stored) = await _io.RunAsync(() => Clear(key, expected), cancellationToken);
        if (!cleared && (expected is not null || stored is not null))
        {
            throw Conflict("ClearState", key, stored, grainState.ETag);
        }

        // The row is gone (or was never written): the state has no ETag, as one never written.
        grainState.ETag = null;
        grainState.RecordExists = false;
        grainState.State = Create<T>();
    }

    public void Dispose() => _io.Dispose();

    private StoredState? Read(StateKey key)
    {
        using var connection = Open();
        return connection.QuerySingleOrDefault<StoredState>(
            $"SELECT version AS Version, payload AS Payload FROM grain_state WHERE {Identity}", key);
    }

    /// <summary>The new version, or null and the stored version (null: no row) if the expected one did not match.</summary>
    private (long? Written, long? Stored) Write(StateKey key, long? expected, byte[] payload)
    {
        using var connection = Open();
        var arguments = new { key.GrainType, key.GrainKey, key.StateName, Expected = expected, Payload = payload, UpdatedAt = Now() };
        var changed = expected is null
            ? connection.Execute(
                """
                INSERT INTO grain_state (grain_type, grain_key, state_name, version, payload, updated_at)
                VALUES (@GrainType, @GrainKey, @StateName, 1, @Payload, @UpdatedAt)
                ON CONFLICT DO NOTHING
                """,
                arguments)
            : connection.Execute(
                $"UPDATE grain_state SET version = version + 1, payload = @Payload, updated_at = @UpdatedAt WHERE {Identity} AND version = @Expected",
                arguments);
        return changed == 1 ? ((expected ?? 0) + 1, null) : (null, StoredVersion(connection, key));
    }

    /// <summary>Deletes the row if it holds the expected version; with no expected version there is nothing to clear, and (false, null) means none was there.</summary>
    private (bool Cleared, long? Stored) Clear(StateKey key, long? expected)
    {
        using var connection = Open();
        if (expected is null)
        {
            return (false, StoredVersion(connection, key));
        }

        var changed = connection.Execute(
            $"DELETE FROM grain_state WHERE {Identity} AND version = @Expected",
            new { key.GrainType, key.GrainKey, key.StateName, Expected = expected });
        return changed == 1 ? (true, null) : (false, StoredVersion(connection, key));
    }

    private static long? StoredVersion(SqliteConnection connection, StateKey key) =>
        connection.ExecuteScalar<long?>($"SELECT version FROM grain_state WHERE {Identity}", key);

    // Only ever called on the storage thread, where the synchronous open is the point.
    private SqliteConnection Open() => _database.OpenAsync(CancellationToken.None).GetAwaiter().GetResult();

    private string Now() => StoredTime.Write(_time.GetUtcNow());

    private T Create<T>() => _activators.GetActivator<T>().Create();

    private static string FormatETag(long version) => version.ToString(CultureInfo.InvariantCulture);

    /// <summary>The version an ETag names; one this storage cannot have issued can match no row, so it is a conflict at once.</summary>
    private long? ParseETag(string operation, StateKey key, string? etag)
    {
        if (etag is null)
        {
            return null;
        }

        return long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var version) && FormatETag(version) == etag
            ? version
            : throw Conflict(operation, key, null, etag);
    }

    private InconsistentStateException Conflict(string operation, StateKey key, long? stored, string? etag)
    {
        var storedETag = stored is { } version ? FormatETag(version) : null;
        return new InconsistentStateException(
            $"Version conflict ({operation}): ProviderName={_name} GrainType={key.GrainType} GrainKey={key.GrainKey} StateName={key.StateName} " +
            $"ETag={etag ?? "(none)"} StoredETag={storedETag ?? "(none)"}.",
            storedETag,
            etag);
    }

    private sealed record StateKey(string GrainType, string GrainKey, string StateName)
    {
        public static StateKey Of(string stateName, GrainId grainId) => new(grainId.Type.ToString()!, grainId.Key.ToString()!, stateName);
    }

    private sealed class StoredState
    {
        public long Version { get; set; }
        public byte[]? Payload { get; set; }
    }
}
