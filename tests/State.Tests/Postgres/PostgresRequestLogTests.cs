using Npgsql;
using Switchyard.State.Postgres;
using Switchyard.State.Tests.Contracts;

namespace Switchyard.State.Tests.Postgres;

/// <summary>The request-log contract on PostgreSQL.</summary>
public sealed class PostgresRequestLogContractTests(PostgresBackend backend) : RequestLogContract, IClassFixture<PostgresBackend>
{
    protected override IStoreBackend Backend => backend;
}

/// <summary>
/// What only the PostgreSQL request log does: day partitions by expiry, created by the writer and dropped whole by
/// retention (several processes at once included); a retried batch skipped; writers racing on one rollup row adding
/// exactly. Each test gets a database of its own, since retention and partitions are store-wide.
/// </summary>
public sealed class PostgresRequestLogTests
{
    private static readonly DateTimeOffset Day = new(2030, 3, 10, 0, 0, 0, TimeSpan.Zero);

    internal static RequestLogRecord NewRecord(string workspaceId, DateTimeOffset createdAt, DateTimeOffset expiresAt) =>
        LogSamples.Record(workspaceId, createdAt, expiresAt) with { TotalMs = 120 };

    private static async Task<List<(string Partition, string Id)>> PartitionsOfAsync(PostgresBackend backend)
    {
        await using var connection = new NpgsqlConnection(backend.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT tableoid::regclass::text, id FROM switchyard.request_logs ORDER BY 1, 2", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, string)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetString(1)));
        }

        return rows;
    }

    private static async Task<List<string>> PartitionNamesAsync(PostgresBackend backend)
    {
        await using var connection = new NpgsqlConnection(backend.ConnectionString);
        await connection.OpenAsync();
        return [.. (await PostgresLogPartitions.ListAsync(connection, null, default)).Select(PostgresLogPartitions.NameOf)];
    }

    private static async Task<long> RequestsAsync(IRequestLogStore logs, string workspaceId, RollupGrain grain = RollupGrain.Hour) =>
        (await logs.RollupsAsync(
            new RollupQuery { WorkspaceIds = [workspaceId], From = Day.AddYears(-1), To = Day.AddYears(1), Grain = grain, ByBucket = false },
            default)).Sum(r => r.Requests);

    [Fact]
    public async Task Append_Records_LandInThePartitionOfTheirExpiryDay()
    {
        await using var backend = new PostgresBackend();
        await backend.InitializeAsync();
        var ws = $"ws_{Guid.NewGuid():N}";
        var lastOfDay = NewRecord(ws, Day, Day.AddDays(30).AddTicks(-10));
        var firstOfNext = NewRecord(ws, Day.AddSeconds(1), Day.AddDays(31));
        var otherOffset = NewRecord(ws, Day.AddSeconds(2), new DateTimeOffset(2030, 4, 10, 1, 30, 0, TimeSpan.FromHours(2)));

        await backend.Logs.AppendAsync([lastOfDay, firstOfNext, otherOffset], default);

        // 01:30 at +02:00 is 23:30 UTC the day before: the UTC day chooses.
        Assert.Equal(
            [("switchyard.request_logs_20300408", lastOfDay.Id), ("switchyard.request_logs_20300409", otherOffset.Id),
             ("switchyard.request_logs_20300410", firstOfNext.Id)],
            await PartitionsOfAsync(backend));
    }

    [Fact]
    public async Task ApplyRetention_EndedDays_DropsExactlyThosePartitionsAndTheirRows()
    {
        await using var backend = new PostgresBackend();
        await backend.InitializeAsync();
        var ws = $"ws_{Guid.NewGuid():N}";
        var now = Day.AddHours(12);
        var twoDaysAgo = Enumerable.Range(0, 3).Select(i => NewRecord(ws, Day.AddDays(-40).AddSeconds(i), Day.AddDays(-2).AddHours(i))).ToList();
        var yesterdayLast = NewRecord(ws, Day.AddDays(-40).AddSeconds(5), Day.AddTicks(-10));
        var todayExpired = NewRecord(ws, Day.AddDays(-40).AddSeconds(6), Day.AddHours(1));
        var tomorrow = NewRecord(ws, Day.AddDays(-40).AddSeconds(7), Day.AddDays(1));
        await backend.Logs.AppendAsync([.. twoDaysAgo, yesterdayLast, todayExpired, tomorrow], default);

        var result = await backend.Logs.ApplyRetentionAsync(now, default);

        Assert.Equal(2, result.PartitionsDropped);
        Assert.Equal(4, result.RecordsDropped);
        Assert.Equal(["request_logs_20300310", "request_logs_20300311"], await PartitionNamesAsync(backend));

        // A day goes whole once it has ended: today's record expired an hour into today stays until midnight.
        Assert.Equal(
            [("switchyard.request_logs_20300310", todayExpired.Id), ("switchyard.request_logs_20300311", tomorrow.Id)],
            await PartitionsOfAsync(backend));
        Assert.Null(await backend.Logs.GetAsync(null, yesterdayLast.Id, default));

        // The rollups still count every record: they are kept by their own days.
        Assert.Equal(6, await RequestsAsync(backend.Logs, ws));

        var next = await backend.Logs.ApplyRetentionAsync(Day.AddDays(1), default);
        Assert.Equal(new LogRetentionResult(1, 1, 0), next);
        Assert.Equal(["request_logs_20300311"], await PartitionNamesAsync(backend));
    }

    [Fact]
    public async Task Append_DayAnotherProcessDropped_IsMadeAgainAndWritten()
    {
        await using var backend = new PostgresBackend();
        await backend.InitializeAsync();
        var ws = $"ws_{Guid.NewGuid():N}";
        await using var writer = PostgresState.Open(backend.ConnectionString);
        await writer.Logs.AppendAsync([NewRecord(ws, Day.AddDays(-10), Day.AddDays(-2))], default);
        Assert.Equal(1, (await backend.Logs.ApplyRetentionAsync(Day, default)).PartitionsDropped);

        // The writer still believes the day exists; a late record for it finds the partition gone.
        var late = NewRecord(ws, Day.AddDays(-10).AddSeconds(1), Day.AddDays(-2).AddHours(1));
        await writer.Logs.AppendAsync([late], default);

        Assert.Equal([("switchyard.request_logs_20300308", late.Id)], await PartitionsOfAsync(backend));
    }

    [Fact]
    public async Task ApplyRetention_SeveralProcessesAtOnce_EachPartitionDroppedOnceAndNoneFails()
    {
        await using var backend = new PostgresBackend();
        await backend.InitializeAsync();
        var ws = $"ws_{Guid.NewGuid():N}";
        var records = Enumerable.Range(0, 12 * 5)
            .Select(i => NewRecord(ws, Day.AddDays(-60).AddSeconds(i), Day.AddDays(-1 - (i % 12)).AddMinutes(i)))
            .ToList();
        await backend.Logs.AppendAsync(records, default);

        // Four "processes": stores over pools of their own, as front doors and silos have.
        var stores = Enumerable.Range(0, 4).Select(_ => PostgresState.Open(backend.ConnectionString)).ToList();
        try
        {
            var results = await Task.WhenAll(stores.Select(s => Task.Run(() => s.Logs.ApplyRetentionAsync(Day, default))));

            Assert.Equal(12, results.Sum(r => r.PartitionsDropped));
            Assert.Equal(records.Count, results.Sum(r => r.RecordsDropped));
            Assert.Empty(await PartitionNamesAsync(backend));
        }
        finally
        {
            foreach (var s in stores)
            {
                await s.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Append_RetriedBatch_IsSkippedAndNotCountedAgain()
    {
        await using var backend = new PostgresBackend();
        await backend.InitializeAsync();
        var ws = $"ws_{Guid.NewGuid():N}";
        var batch = Enumerable.Range(0, 100).Select(i => NewRecord(ws, Day.AddSeconds(i), Day.AddDays(30))).ToList();
        var next = Enumerable.Range(100, 50).Select(i => NewRecord(ws, Day.AddSeconds(i), Day.AddDays(30))).ToList();

        await backend.Logs.AppendAsync(batch, default);
        await backend.Logs.AppendAsync(batch, default);
        await backend.Logs.AppendAsync([.. batch.Take(10), .. next, next[0]], default);

        Assert.Equal(150, await backend.Logs.CountAsync(new LogSearch { WorkspaceIds = [ws] }, default));
        Assert.Equal(150, await RequestsAsync(backend.Logs, ws, RollupGrain.Minute));
        Assert.Equal(150, await RequestsAsync(backend.Logs, ws, RollupGrain.Hour));
        Assert.Equal(150 * 42, (await backend.Logs.RollupsAsync(
            new RollupQuery { WorkspaceIds = [ws], From = Day, To = Day.AddDays(1), ByBucket = false }, default)).Single().CostMicros);
    }

    [Fact]
    public async Task Append_SameBatchFromTwoProcessesAtOnce_IsStoredAndCountedOnce()
    {
        await using var backend = new PostgresBackend();
        await backend.InitializeAsync();
        var ws = $"ws_{Guid.NewGuid():N}";
        var stores = Enumerable.Range(0, 2).Select(_ => PostgresState.Open(backend.ConnectionString)).ToList();
        try
        {
            for (var round = 0; round < 10; round++)
            {
                var batch = Enumerable.Range(0, 500).Select(i => NewRecord(ws, Day.AddMinutes(round).AddMilliseconds(i), Day.AddDays(30))).ToList();
                await Task.WhenAll(stores.Select(s => Task.Run(() => s.Logs.AppendAsync(batch, default))));
            }

            Assert.Equal(5000, await backend.Logs.CountAsync(new LogSearch { WorkspaceIds = [ws] }, default));
            Assert.Equal(5000, await RequestsAsync(backend.Logs, ws, RollupGrain.Minute));
            Assert.Equal(5000, await RequestsAsync(backend.Logs, ws, RollupGrain.Hour));
        }
        finally
        {
            foreach (var s in stores)
            {
                await s.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Append_TwoProcessesOnOneRollupRow_AddUpExactly()
    {
        await using var backend = new PostgresBackend();
        await backend.InitializeAsync();
        var ws = $"ws_{Guid.NewGuid():N}";
        var stores = Enumerable.Range(0, 2).Select(_ => PostgresState.Open(backend.ConnectionString)).ToList();
        try
        {
            // Every record in the same minute and dimensions, expiring on days neither process made yet, so they also race
            // to create the same partitions.
            const int Batches = 20, PerBatch = 250;
            var writes = stores.Select((s, p) => Task.Run(async () =>
            {
                for (var b = 0; b < Batches; b++)
                {
                    var batch = Enumerable.Range(0, PerBatch)
                        .Select(i => NewRecord(ws, Day.AddSeconds(i % 60), Day.AddDays(30 + (b % 4))) with
                        {
                            Id = Guid.NewGuid().ToString("N"),
                            CostMicros = p + 1,
                            TotalMs = 10 + (i % 7),
                        })
                        .ToList();
                    await s.Logs.AppendAsync(batch, default);
                }
            }));
            await Task.WhenAll(writes);

            var row = Assert.Single(await backend.Logs.RollupsAsync(
                new RollupQuery { WorkspaceIds = [ws], From = Day, To = Day.AddMinutes(1), Grain = RollupGrain.Minute }, default));
            Assert.Equal(2 * Batches * PerBatch, row.Requests);
            Assert.Equal(Batches * PerBatch * (1 + 2), row.CostMicros);
            Assert.Equal(2 * Batches * PerBatch * 5, row.OutputTokens);
            Assert.Equal(2 * Batches * PerBatch, row.Latency.Sum());
            Assert.Equal(2 * Batches * PerBatch, await backend.Logs.CountAsync(new LogSearch { WorkspaceIds = [ws] }, default));
        }
        finally
        {
            foreach (var s in stores)
            {
                await s.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Workspace_LogPolicy_RoundTripsAndOldRowsReadTheDefault()
    {
        await using var backend = new PostgresBackend();
        await backend.InitializeAsync();
        var workspace = StoreSamples.NewWorkspace() with { Logging = new LogPolicy(LogBodies.Redacted, 90) };
        await backend.Keys.AddWorkspaceAsync(workspace, default);
        Assert.Equal(new LogPolicy(LogBodies.Redacted, 90), (await backend.Keys.GetWorkspaceAsync(workspace.Id, default))!.Logging);

        await backend.Keys.UpdateWorkspaceAsync(workspace with { Logging = new LogPolicy(LogBodies.Off, 7) }, default);
        Assert.Equal(new LogPolicy(LogBodies.Off, 7), (await backend.Keys.GetWorkspaceAsync(workspace.Id, default))!.Logging);

        await using (var connection = new NpgsqlConnection(backend.ConnectionString))
        {
            await connection.OpenAsync();
            // A row as a build before the log policy wrote it: every column but log_policy.
            await using var command = new NpgsqlCommand(
                """
                INSERT INTO switchyard.workspaces (id, slug, name, default_metadata, limits, archived, created_at, updated_at)
                SELECT 'ws_old', 'old', 'Old', default_metadata, limits, archived, created_at, updated_at FROM switchyard.workspaces WHERE id = @id
                """,
                connection);
            command.Parameters.AddWithValue("id", workspace.Id);
            await command.ExecuteNonQueryAsync();
        }

        Assert.Equal(LogPolicy.Default, (await backend.Keys.GetWorkspaceAsync("ws_old", default))!.Logging);
    }
}
