using System.Diagnostics;
using Npgsql;
using Switchyard.State.Postgres;
using Xunit.Abstractions;

namespace Switchyard.State.Tests.Postgres;

/// <summary>Two replicas' provider health over one database: circuits opened on one are honoured by the other.</summary>
public sealed class PostgresCircuitHealthTests(PostgresBackend backend, ITestOutputHelper output) : IClassFixture<PostgresBackend>
{
    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task PublishOpen_OnReplicaA_ReplicaBSeesItOpenWithinOneSecond()
    {
        await using var replicaA = await StartAsync("replica-a");
        await using var replicaB = await StartAsync("replica-b", poll: TimeSpan.FromMinutes(5));
        var key = NewKey();
        var until = DateTimeOffset.UtcNow.AddSeconds(30);
        var seen = Seen(replicaB, key, CircuitState.Open);

        var clock = Stopwatch.StartNew();
        await replicaA.PublishOpenAsync(key, until, default);
        var status = await seen.WaitAsync(TimeSpan.FromSeconds(5));
        var elapsed = clock.Elapsed;

        output.WriteLine($"open on A seen by B after {elapsed.TotalMilliseconds:0.0} ms");
        Assert.True(elapsed <= OneSecond, $"B saw the open circuit after {elapsed.TotalMilliseconds} ms");
        Assert.Equal(CircuitState.Open, status.State);
        Assert.Equal(until.ToUnixTimeMilliseconds(), status.OpenUntil!.Value.ToUnixTimeMilliseconds());
        Assert.True(replicaB.Get(key).Blocks(DateTimeOffset.UtcNow));
    }

    [Fact]
    public async Task TryClaimProbe_TwoReplicasAtOnce_ExactlyOneWins()
    {
        await using var replicaA = await StartAsync("replica-a");
        await using var replicaB = await StartAsync("replica-b");
        var key = NewKey();
        var now = DateTimeOffset.UtcNow;
        await replicaA.PublishOpenAsync(key, now.AddMilliseconds(-1), default);

        var claims = await Task.WhenAll(
            Task.Run(() => replicaA.TryClaimProbeAsync(key, now, now.AddSeconds(30), default)),
            Task.Run(() => replicaB.TryClaimProbeAsync(key, now, now.AddSeconds(30), default)));

        Assert.Equal(1, claims.Count(won => won));
        var winner = claims[0] ? replicaA : replicaB;
        var loser = claims[0] ? replicaB : replicaA;
        Assert.Equal(CircuitState.HalfOpen, loser.Get(key).State);
        Assert.Equal(winner.ReplicaId, loser.Get(key).ProbeOwner);
        Assert.True(loser.Get(key).Blocks(now));
        Assert.False(await loser.TryClaimProbeAsync(key, now, now.AddSeconds(30), default));
    }

    [Fact]
    public async Task TryClaimProbe_ClaimExpired_AnotherReplicaMayProbe()
    {
        await using var replicaA = await StartAsync("replica-a");
        await using var replicaB = await StartAsync("replica-b");
        var key = NewKey();
        var now = DateTimeOffset.UtcNow;
        await replicaA.PublishOpenAsync(key, now.AddSeconds(-10), default);
        Assert.True(await replicaA.TryClaimProbeAsync(key, now.AddSeconds(-9), now.AddSeconds(-1), default));

        Assert.True(await replicaB.TryClaimProbeAsync(key, now, now.AddSeconds(30), default));
        Assert.Equal("replica-b", replicaB.Get(key).ProbeOwner);
    }

    [Fact]
    public async Task TryClaimProbe_BreakNotOver_NobodyWins()
    {
        await using var replicaA = await StartAsync("replica-a");
        var key = NewKey();
        var now = DateTimeOffset.UtcNow;
        await replicaA.PublishOpenAsync(key, now.AddSeconds(30), default);

        Assert.False(await replicaA.TryClaimProbeAsync(key, now, now.AddSeconds(30), default));
        Assert.False(await replicaA.TryClaimProbeAsync(NewKey(), now, now.AddSeconds(30), default));
    }

    [Fact]
    public async Task PublishClosed_AfterTheProbe_EveryReplicaSeesItClosed()
    {
        await using var replicaA = await StartAsync("replica-a");
        await using var replicaB = await StartAsync("replica-b", poll: TimeSpan.FromMinutes(5));
        var key = NewKey();
        var now = DateTimeOffset.UtcNow;
        var halfOpen = Seen(replicaB, key, CircuitState.HalfOpen);
        await replicaA.PublishOpenAsync(key, now.AddMilliseconds(-1), default);
        Assert.True(await replicaA.TryClaimProbeAsync(key, now, now.AddSeconds(30), default));
        await halfOpen.WaitAsync(OneSecond);
        var closed = Seen(replicaB, key, CircuitState.Closed);

        await replicaA.PublishClosedAsync(key, default);

        await closed.WaitAsync(OneSecond);
        Assert.Equal(CircuitState.Closed, replicaB.Get(key).State);
        Assert.DoesNotContain(replicaB.NotClosed(), s => s.TargetKey == key);
    }

    [Fact]
    public async Task Listener_ConnectionTerminated_ReconnectsAndStillPropagates()
    {
        await using var replicaA = await StartAsync("replica-a");
        await using var replicaB = await StartAsync("replica-b", poll: TimeSpan.FromMinutes(5));
        var firstPid = replicaB.ListenerProcessId;
        Assert.NotEqual(0, firstPid);

        await using (var admin = new NpgsqlConnection(backend.ConnectionString))
        {
            await admin.OpenAsync();
            await using var terminate = new NpgsqlCommand("SELECT pg_terminate_backend(@pid)", admin);
            terminate.Parameters.AddWithValue("pid", firstPid);
            Assert.Equal(true, await terminate.ExecuteScalarAsync());
        }

        var reconnected = Stopwatch.StartNew();
        while (replicaB.ListenerProcessId == firstPid || replicaB.ListenerProcessId == 0)
        {
            Assert.True(reconnected.Elapsed < TimeSpan.FromSeconds(10), "the listener did not reconnect");
            await Task.Delay(10);
        }

        output.WriteLine($"listener reconnected after {reconnected.Elapsed.TotalMilliseconds:0.0} ms");
        var key = NewKey();
        var seen = Seen(replicaB, key, CircuitState.Open);
        var clock = Stopwatch.StartNew();
        await replicaA.PublishOpenAsync(key, DateTimeOffset.UtcNow.AddSeconds(30), default);
        await seen.WaitAsync(TimeSpan.FromSeconds(5));

        output.WriteLine($"open on A seen by the reconnected B after {clock.Elapsed.TotalMilliseconds:0.0} ms");
        Assert.True(clock.Elapsed <= OneSecond);
        Assert.Equal(2, replicaB.Connections);
    }

    [Fact]
    public async Task Poll_RowWrittenWithoutNotice_IsFoundByThePoll()
    {
        await using var replicaB = await StartAsync("replica-b", poll: TimeSpan.FromMilliseconds(200));
        var key = NewKey();
        var seen = Seen(replicaB, key, CircuitState.Open);

        await using (var writer = new NpgsqlConnection(backend.ConnectionString))
        {
            await writer.OpenAsync();
            await using var insert = new NpgsqlCommand(
                "INSERT INTO switchyard.provider_circuits (target_key, state, opened_at, open_until, updated_by, updated_at) VALUES (@key, 'open', now(), now() + interval '30 seconds', 'elsewhere', now())",
                writer);
            insert.Parameters.AddWithValue("key", key);
            await insert.ExecuteNonQueryAsync();
        }

        // A generous deadline: under a loaded CI machine the point is that the poll finds it at all, without a notice.
        var status = await seen.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(CircuitState.Open, status.State);
    }

    [Fact]
    public async Task Read_OlderThanWhatTheReplicaKnows_IsIgnored_ANewerOneApplies()
    {
        // The race this guards: a read (poll or notice) taken before this replica's own newer write, landing after it.
        // Here the "older read" is the row put back to an older version, announced as if it were news.
        await using var replicaA = await StartAsync("replica-a", poll: TimeSpan.FromMilliseconds(100));
        var key = NewKey();
        var now = DateTimeOffset.UtcNow;
        await replicaA.PublishOpenAsync(key, now.AddMilliseconds(-1), default); // version 1
        Assert.True(await replicaA.TryClaimProbeAsync(key, now, now.AddSeconds(30), default)); // version 2

        await WriteAndNotifyAsync(key, "open", probeOwner: null, version: 1);
        await Task.Delay(500); // the notice and several polls
        Assert.Equal((CircuitState.HalfOpen, "replica-a"), (replicaA.Get(key).State, replicaA.Get(key).ProbeOwner));

        var reopened = Seen(replicaA, key, CircuitState.Open);
        await WriteAndNotifyAsync(key, "open", probeOwner: null, version: 3);
        Assert.Null((await reopened.WaitAsync(TimeSpan.FromSeconds(5))).ProbeOwner);
    }

    private async Task WriteAndNotifyAsync(string key, string state, string? probeOwner, long version)
    {
        await using var writer = new NpgsqlConnection(backend.ConnectionString);
        await writer.OpenAsync();
        await using var update = new NpgsqlCommand(
            $"UPDATE switchyard.provider_circuits SET state = @state, probe_owner = @owner, probe_expires_at = NULL, version = @version WHERE target_key = @key; SELECT pg_notify('{PostgresCircuitHealth.Channel}', @key)",
            writer);
        update.Parameters.AddWithValue("key", key);
        update.Parameters.AddWithValue("state", state);
        update.Parameters.AddWithValue("owner", (object?)probeOwner ?? DBNull.Value);
        update.Parameters.AddWithValue("version", version);
        await update.ExecuteNonQueryAsync();
    }

    private async Task<PostgresCircuitHealth> StartAsync(string replicaId, TimeSpan? poll = null)
    {
        var health = new PostgresCircuitHealth(backend.Stores.DataSource, replicaId, TimeProvider.System)
        {
            FastPoll = poll ?? TimeSpan.FromMilliseconds(500),
            SlowPoll = poll ?? TimeSpan.FromSeconds(5),
        };
        await health.StartAsync();
        return health;
    }

    private static string NewKey() => $"openai https://api.openai.com/v1 key:{Guid.NewGuid():N}";

    private static Task<CircuitStatus> Seen(IProviderHealth health, string key, CircuitState state)
    {
        var seen = new TaskCompletionSource<CircuitStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
        health.Changed += status =>
        {
            if (status.TargetKey == key && status.State == state)
            {
                seen.TrySetResult(status);
            }
        };
        return seen.Task;
    }
}
