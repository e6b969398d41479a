using System.Collections.Concurrent;
using Npgsql;

namespace Switchyard.State.Postgres;

/// <summary>
/// Provider health shared through PostgreSQL (DESIGN.md §1: the provider-health grain as rows plus LISTEN/NOTIFY).
/// Opening a circuit upserts its row in <c>switchyard.provider_circuits</c> and sends
/// <c>NOTIFY switchyard_circuits '&lt;target key&gt;'</c> in the same transaction; every replica LISTENs on a dedicated
/// connection (reconnecting when it drops) and also polls the table as a safety net: every
/// <see cref="FastPoll"/> while it knows of a circuit that is not closed, every <see cref="SlowPoll"/> otherwise.
/// The hot path (<see cref="Get"/>) reads only this replica's memory.
/// </summary>
public sealed class PostgresCircuitHealth : IProviderHealth, IAsyncDisposable
{
    /// <summary>The NOTIFY channel; the payload is the target key.</summary>
    public const string Channel = "switchyard_circuits";

    private const string Columns = "target_key, state, open_until, probe_owner, probe_expires_at, version";

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _replicaId;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, CircuitStatus> _known = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _notified = new();

    // The newest row version applied per circuit, closed ones included (rows are never deleted; no row is version 0).
    private readonly Dictionary<string, long> _versions = new(StringComparer.Ordinal);
    private const long NeverWritten = 0;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _firstLoad = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _listening = Task.CompletedTask;
    private int _listenerProcessId;

    internal PostgresCircuitHealth(NpgsqlDataSource dataSource, string replicaId, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(replicaId);
        _dataSource = dataSource;
        _replicaId = replicaId;
        _time = time;
    }

    /// <summary>How often the table is read while some circuit is known not to be closed. Default 500 ms.</summary>
    public TimeSpan FastPoll { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How often the table is read otherwise (notifications carry the news; this catches a lost one). Default 5 s.</summary>
    public TimeSpan SlowPoll { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest wait between reconnection attempts of the listener. Default 2 s.</summary>
    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>This replica's name as probe owner.</summary>
    public string ReplicaId => _replicaId;

    /// <summary>The server process id of the listening connection (0 while disconnected), for operators and tests.</summary>
    public int ListenerProcessId => Volatile.Read(ref _listenerProcessId);

    /// <summary>How many times the listener has (re)connected and loaded the table.</summary>
    public int Connections { get; private set; }

    public event Action<CircuitStatus>? Changed;

    /// <summary>Starts listening in the background; the returned task completes once the table was first read (or failed to be).</summary>
    public Task StartAsync()
    {
        _listening = Task.Run(() => ListenAsync(_stopping.Token));
        return _firstLoad.Task;
    }

    public CircuitStatus Get(string targetKey) =>
        _known.TryGetValue(targetKey, out var status) ? status : CircuitStatus.ClosedFor(targetKey);

    public IReadOnlyList<CircuitStatus> NotClosed() => _known.Values.ToArray();

    public async Task PublishOpenAsync(string targetKey, DateTimeOffset openUntil, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"""
            INSERT INTO switchyard.provider_circuits AS c (target_key, state, opened_at, open_until, probe_owner, probe_expires_at, updated_by, updated_at, version)
            VALUES (@key, 'open', @now, @until, NULL, NULL, @me, @now, 1)
            ON CONFLICT (target_key) DO UPDATE SET
                state = 'open',
                opened_at = CASE WHEN c.state = 'closed' THEN excluded.opened_at ELSE c.opened_at END,
                open_until = excluded.open_until, probe_owner = NULL, probe_expires_at = NULL,
                updated_by = excluded.updated_by, updated_at = excluded.updated_at, version = c.version + 1
            RETURNING {Columns};
            SELECT pg_notify('{Channel}', @key);
            """,
            connection);
        AddParameters(command, targetKey, now);
        command.Parameters.AddWithValue("until", openUntil);
        await ApplyAsync(command, cancellationToken);
    }

    public async Task PublishClosedAsync(string targetKey, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"""
            UPDATE switchyard.provider_circuits
            SET state = 'closed', opened_at = NULL, open_until = NULL, probe_owner = NULL, probe_expires_at = NULL, updated_by = @me, updated_at = @now,
                version = version + 1
            WHERE target_key = @key
            RETURNING {Columns};
            SELECT pg_notify('{Channel}', @key);
            """,
            connection);
        AddParameters(command, targetKey, now);
        await ApplyAsync(command, cancellationToken);
        Remember(CircuitStatus.ClosedFor(targetKey), NeverWritten); // no row: it was never opened
    }

    public async Task<bool> TryClaimProbeAsync(string targetKey, DateTimeOffset now, DateTimeOffset probeExpiresAt, CancellationToken cancellationToken)
    {
        // One atomic UPDATE decides the winner; the row as it now stands comes back either way, so a loser learns who probes.
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"""
            WITH claimed AS (
                UPDATE switchyard.provider_circuits
                SET state = 'half_open', probe_owner = @me, probe_expires_at = @expires, updated_by = @me, updated_at = @now, version = version + 1
                WHERE target_key = @key AND state <> 'closed' AND open_until <= @now
                  AND (probe_owner IS NULL OR probe_expires_at < @now)
                RETURNING {Columns})
            SELECT {Columns}, true FROM claimed
            UNION ALL
            SELECT {Columns}, false FROM switchyard.provider_circuits WHERE target_key = @key AND NOT EXISTS (SELECT 1 FROM claimed);
            """,
            connection);
        AddParameters(command, targetKey, now);
        command.Parameters.AddWithValue("expires", probeExpiresAt);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            Remember(CircuitStatus.ClosedFor(targetKey), NeverWritten);
            return false;
        }

        var (status, version) = Read(reader);
        var won = reader.GetBoolean(6);
        await reader.DisposeAsync();
        Remember(status, version);
        if (won)
        {
            // The others learn it is half-open, so they skip it from memory instead of each asking to claim it.
            await using var notify = new NpgsqlCommand($"SELECT pg_notify('{Channel}', @key)", connection);
            notify.Parameters.AddWithValue("key", targetKey);
            await notify.ExecuteNonQueryAsync(cancellationToken);
        }

        return won;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        try
        {
            await _listening;
        }
        catch (OperationCanceledException)
        {
        }

        _stopping.Dispose();
    }

    private void AddParameters(NpgsqlCommand command, string targetKey, DateTimeOffset now)
    {
        command.Parameters.AddWithValue("key", targetKey);
        command.Parameters.AddWithValue("me", _replicaId);
        command.Parameters.AddWithValue("now", now);
    }

    private async Task ApplyAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (await reader.ReadAsync(cancellationToken))
        {
            var (status, version) = Read(reader);
            Remember(status, version);
        }
    }

    private async Task ListenAsync(CancellationToken stopping)
    {
        var delay = TimeSpan.FromMilliseconds(50);
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(stopping);
                connection.Notification += (_, e) => _notified.Enqueue(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stopping);
                }

                Volatile.Write(ref _listenerProcessId, connection.ProcessID);
                Connections++;

                // Notices sent while no connection listened are lost: a full read catches up.
                await PollAsync(connection, stopping);
                _firstLoad.TrySetResult();
                delay = TimeSpan.FromMilliseconds(50);
                var lastPoll = _time.GetTimestamp();
                while (!stopping.IsCancellationRequested)
                {
                    var interval = _known.IsEmpty ? SlowPoll : FastPoll;
                    var wait = interval - _time.GetElapsedTime(lastPoll);
                    if (wait > TimeSpan.Zero)
                    {
                        await NotificationWait.ForAsync(connection, wait, stopping);
                    }

                    await RefreshNotifiedAsync(connection, stopping);
                    if (_time.GetElapsedTime(lastPoll) >= interval)
                    {
                        await PollAsync(connection, stopping);
                        lastPoll = _time.GetTimestamp();
                    }
                }
            }
            catch (Exception) when (!stopping.IsCancellationRequested)
            {
                // The connection dropped (or the table is not migrated yet): reconnect with a growing pause.
                Volatile.Write(ref _listenerProcessId, 0);
                _firstLoad.TrySetResult();
                try
                {
                    await Task.Delay(delay, _time, stopping);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxReconnectDelay.Ticks));
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task RefreshNotifiedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        while (_notified.TryDequeue(out var key))
        {
            keys.Add(key);
        }

        if (keys.Count == 0)
        {
            return;
        }

        await using var command = new NpgsqlCommand($"SELECT {Columns} FROM switchyard.provider_circuits WHERE target_key = ANY(@keys)", connection);
        command.Parameters.AddWithValue("keys", keys.ToArray());
        await ReadAllAsync(command, keys, cancellationToken);
    }

    /// <summary>Reads every circuit that is not closed, plus those this replica still thinks are not (to learn they closed).</summary>
    private async Task PollAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var known = _known.Keys.ToArray();
        await using var command = new NpgsqlCommand(
            $"SELECT {Columns} FROM switchyard.provider_circuits WHERE state <> 'closed' OR target_key = ANY(@known)", connection);
        command.Parameters.AddWithValue("known", known);
        await ReadAllAsync(command, new HashSet<string>(known, StringComparer.Ordinal), cancellationToken);
    }

    /// <summary>Applies the rows read; a key in <paramref name="asked"/> without a row is closed.</summary>
    private async Task ReadAllAsync(NpgsqlCommand command, HashSet<string> asked, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var (status, version) = Read(reader);
            asked.Remove(status.TargetKey);
            Remember(status, version);
        }

        foreach (var missing in asked)
        {
            Remember(CircuitStatus.ClosedFor(missing), NeverWritten);
        }
    }

    private static (CircuitStatus Status, long Version) Read(NpgsqlDataReader reader) => (new(
        reader.GetString(0),
        reader.GetString(1) switch
        {
            "open" => CircuitState.Open,
            "half_open" => CircuitState.HalfOpen,
            _ => CircuitState.Closed,
        },
        reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2),
        reader.IsDBNull(3) ? null : reader.GetString(3),
        reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4)), reader.GetInt64(5));

    /// <summary>
    /// Keeps <paramref name="status"/> unless a newer version of the circuit is known already: reads (polls, notices)
    /// and this replica's own writes arrive on different threads, and a read taken before a write may land after it.
    /// </summary>
    private void Remember(CircuitStatus status, long version)
    {
        lock (_versions)
        {
            if (_versions.TryGetValue(status.TargetKey, out var known) && version < known)
            {
                return;
            }

            _versions[status.TargetKey] = version;
            bool changed;
            if (status.State == CircuitState.Closed)
            {
                changed = _known.TryRemove(status.TargetKey, out _);
            }
            else
            {
                changed = !_known.TryGetValue(status.TargetKey, out var before) || before != status;
                _known[status.TargetKey] = status;
            }

            if (changed)
            {
                Changed?.Invoke(status); // inside the lock, so handlers see the changes in the order they were applied
            }
        }
    }
}
