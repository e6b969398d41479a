using Npgsql;
using Switchyard.State.Postgres;
using static Switchyard.State.Tests.Contracts.StoreSamples;

namespace Switchyard.State.Tests.Postgres;

/// <summary>Every write announces itself on switchyard_changes; a replica LISTENs there to reload its snapshot.</summary>
public sealed class PostgresChangeNoticeTests(PostgresBackend backend) : IClassFixture<PostgresBackend>
{
    [Fact]
    public async Task AddWorkspace_NotifiesWithTheWorkspaceIdTwice()
    {
        await using var listener = await ChangeListener.StartAsync(backend.ConnectionString);

        var workspace = await backend.Keys.AddWorkspaceAsync(NewWorkspace(), default);

        Assert.Equal($"workspace:{workspace.Id}:{workspace.Id}", await listener.NextAsync());
    }

    [Fact]
    public async Task EveryKindOfWrite_NotifiesKindWorkspaceAndId()
    {
        var workspace = await backend.Keys.AddWorkspaceAsync(NewWorkspace(), default);
        await using var listener = await ChangeListener.StartAsync(backend.ConnectionString);

        await backend.Keys.UpdateWorkspaceAsync(workspace with { Name = "renamed" }, default);
        var key = await backend.Keys.AddApiKeyAsync(NewApiKey(workspace.Id), default);
        await backend.Keys.UpdateApiKeyAsync(key with { RevokedAt = Now }, default);
        var virtualKey = await backend.Keys.AddVirtualKeyAsync(NewVirtualKey(workspace.Id), default);
        await backend.Keys.UpdateVirtualKeyAsync(virtualKey with { Hint = "sk-…wxyz" }, default);
        await backend.Keys.DeleteVirtualKeyAsync(workspace.Id, virtualKey.Slug, default);
        var config = await backend.Configs.SaveAsync(NewConfig(workspace.Id), default);
        await backend.Configs.DeleteAsync(workspace.Id, config.Slug, default);

        string[] expected =
        [
            $"workspace:{workspace.Id}:{workspace.Id}",
            $"api_key:{workspace.Id}:{key.Id}",
            $"api_key:{workspace.Id}:{key.Id}",
            $"virtual_key:{workspace.Id}:{virtualKey.Id}",
            $"virtual_key:{workspace.Id}:{virtualKey.Id}",
            $"virtual_key:{workspace.Id}:{virtualKey.Id}",
            $"config:{workspace.Id}:{config.Slug}",
            $"config:{workspace.Id}:{config.Slug}",
        ];
        foreach (var payload in expected)
        {
            Assert.Equal(payload, await listener.NextAsync());
        }
    }

    [Fact]
    public async Task WritesThatChangeNothing_SendNothing()
    {
        var workspace = await backend.Keys.AddWorkspaceAsync(NewWorkspace(), default);
        var key = await backend.Keys.AddApiKeyAsync(NewApiKey(workspace.Id), default);
        await using var listener = await ChangeListener.StartAsync(backend.ConnectionString);

        // Nothing to update or delete, and a refused insert (rolled back): none of them may be announced. Notices
        // arrive in commit order, so the marker write's notice coming first proves none was sent before it.
        Assert.False(await backend.Keys.UpdateWorkspaceAsync(NewWorkspace(), default));
        Assert.False(await backend.Keys.DeleteVirtualKeyAsync(workspace.Id, "no-such-key", default));
        Assert.False(await backend.Configs.DeleteAsync(workspace.Id, "no-such-config", default));
        await Assert.ThrowsAsync<StateConflictException>(() => backend.Keys.AddApiKeyAsync(NewApiKey(workspace.Id) with { KeyHash = key.KeyHash }, default));
        var marker = await backend.Keys.AddWorkspaceAsync(NewWorkspace(), default);

        Assert.Equal($"workspace:{marker.Id}:{marker.Id}", await listener.NextAsync());
    }

    [Theory]
    [InlineData("virtual_key:ws_1:vk_9", "virtual_key", "ws_1", "vk_9")]
    [InlineData("config:ws_1:slug:with:colons", "config", "ws_1", "slug:with:colons")]
    public void TryParse_Payload_SplitsAtTheFirstTwoColons(string payload, string kind, string workspaceId, string id)
    {
        Assert.True(ChangeNotice.TryParse(payload, out var notice));
        Assert.Equal(new ChangeNotice(kind, workspaceId, id), notice);
        Assert.Equal(payload, notice!.Payload);
    }

    [Theory]
    [InlineData("")]
    [InlineData("workspace")]
    [InlineData("workspace:ws_1")]
    [InlineData("workspace::ws_1")]
    [InlineData("workspace:ws_1:")]
    public void TryParse_Malformed_ReturnsFalse(string payload)
    {
        Assert.False(ChangeNotice.TryParse(payload, out var notice));
        Assert.Null(notice);
    }

    /// <summary>A connection that LISTENs on the change channel and hands out payloads in arrival order.</summary>
    private sealed class ChangeListener : IAsyncDisposable
    {
        private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

        private readonly NpgsqlConnection _connection;
        private readonly Queue<string> _payloads = new();

        private ChangeListener(NpgsqlConnection connection)
        {
            _connection = connection;
            _connection.Notification += (_, e) => _payloads.Enqueue(e.Payload);
        }

        public static async Task<ChangeListener> StartAsync(string connectionString)
        {
            var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using (var listen = new NpgsqlCommand($"LISTEN {ChangeNotice.Channel}", connection))
            {
                await listen.ExecuteNonQueryAsync();
            }

            return new ChangeListener(connection);
        }

        /// <summary>The next payload; fails the test (OperationCanceledException) if none comes within the deadline.</summary>
        public async Task<string> NextAsync()
        {
            using var deadline = new CancellationTokenSource(Deadline);
            while (_payloads.Count == 0)
            {
                await _connection.WaitAsync(deadline.Token);
            }

            return _payloads.Dequeue();
        }

        public ValueTask DisposeAsync() => _connection.DisposeAsync();
    }
}
