using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using static Switchyard.State.Tests.Contracts.StoreSamples;

namespace Switchyard.State.Tests.Postgres;

/// <summary>The change feed a replica listens on: every write arrives, and a dropped connection comes back by itself.</summary>
public sealed class PostgresChangeFeedTests(PostgresBackend backend) : IClassFixture<PostgresBackend>
{
    [Fact]
    public async Task ListenAsync_ReportsAResyncThenEachChange_AndSurvivesATerminatedConnection()
    {
        var changes = Channel.CreateUnbounded<StateChange?>();
        using var stop = new CancellationTokenSource();
        var feed = backend.Stores.CreateChangeFeed(TimeProvider.System, NullLogger.Instance);
        var listening = feed.ListenAsync(change => changes.Writer.WriteAsync(change).AsTask(), stop.Token);

        // Connected: "reload everything", then the write.
        Assert.Null(await NextAsync(changes));
        var workspace = await backend.Keys.AddWorkspaceAsync(NewWorkspace(), default);
        Assert.Equal(new StateChange("workspace", workspace.Id, workspace.Id), await NextAsync(changes));

        // The listener's backend is killed (a failover, an idle-connection reaper): it reconnects and resyncs.
        await using (var admin = new NpgsqlConnection(backend.ConnectionString))
        {
            await admin.OpenAsync();
            await using var kill = new NpgsqlCommand(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query LIKE 'LISTEN switchyard_changes%' AND datname = current_database()", admin);
            Assert.Equal(1L, await kill.ExecuteScalarAsync());
        }

        Assert.Null(await NextAsync(changes));
        var key = await backend.Keys.AddApiKeyAsync(NewApiKey(workspace.Id), default);
        Assert.Equal(new StateChange("api_key", workspace.Id, key.Id), await NextAsync(changes));

        await stop.CancelAsync();
        await listening.WaitAsync(TimeSpan.FromSeconds(5));
    }

    private static async Task<StateChange?> NextAsync(Channel<StateChange?> changes)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await changes.Reader.ReadAsync(timeout.Token);
    }
}
