using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Switchyard.State.Embedded;
using Switchyard.State.Tests.Contracts;
using Xunit.Abstractions;

namespace Switchyard.State.Tests.Embedded;

/// <summary>
/// What only the SQLite request log does: its own file beside the catalog, bounded retention statements, and the size
/// cap that trims the oldest records and lets freed pages be reused. Each test opens stores in a folder of its own.
/// </summary>
public sealed class SqliteRequestLogTests
{
    private static readonly DateTimeOffset T0 = new(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);

    internal static RequestLogRecord NewRecord(string workspaceId, DateTimeOffset at, string? body = null) =>
        LogSamples.Record(workspaceId, at, body: body);

    [Fact]
    public async Task Open_Always_KeepsTheLogInAFileOfItsOwnBesideTheCatalog()
    {
        await using var folder = LogFolder.Open();
        await folder.Stores.Migrator.MigrateAsync(default);
        await folder.Stores.Logs.AppendAsync([NewRecord("ws_a", T0)], default);

        Assert.Equal(Path.Combine(folder.Path, "switchyard-logs.db"), folder.Stores.LogPath);
        Assert.Equal(Path.Combine("/data", "state-logs.sqlite"), EmbeddedState.LogPathFor("/data/state.sqlite"));
        Assert.DoesNotContain("request_logs", await TablesAsync(folder.Stores.DatabasePath));
        Assert.Contains("workspaces", await TablesAsync(folder.Stores.DatabasePath));
        var logTables = await TablesAsync(folder.Stores.LogPath);
        Assert.Equal(["log_exports", "log_feedback", "log_rollup_hour", "log_rollup_minute", "request_logs", "schema_version"], logTables);
    }

    [Fact]
    public async Task Open_NewFile_HasTheLogsPageSizeInWal_AndTheCatalogSqlitesDefault()
    {
        await using var folder = LogFolder.Open();
        await folder.Stores.Migrator.MigrateAsync(default);
        await folder.Stores.Logs.AppendAsync([NewRecord("ws_a", T0)], default);

        Assert.Equal((SqliteRequestLog.PageSize, "wal"), await PageSizeAndJournalAsync(folder.Stores.LogPath));
        Assert.Equal((4096L, "wal"), await PageSizeAndJournalAsync(folder.Stores.DatabasePath));
    }

    [Fact]
    public async Task Open_FileWrittenWithSmallerPages_KeepsThemAndStillLogs()
    {
        await using var folder = LogFolder.Open();
        var old = new SqliteDatabase(folder.Stores.LogPath);
        await old.ExecuteAsync("CREATE TABLE older (a INTEGER)", null, default);
        old.Close();

        await folder.Stores.Logs.AppendAsync([NewRecord("ws_a", T0)], default);

        Assert.Equal((4096L, "wal"), await PageSizeAndJournalAsync(folder.Stores.LogPath));
        Assert.Equal(1, await folder.Stores.Logs.CountAsync(new LogSearch { WorkspaceIds = ["ws_a"] }, default));
    }

    [Fact]
    public async Task Append_CatalogWriteLocked_StillWrites()
    {
        await using var folder = LogFolder.Open();
        await folder.Stores.Migrator.MigrateAsync(default);
        var catalog = new SqliteDatabase(folder.Stores.DatabasePath);
        try
        {
            await using var connection = await catalog.OpenAsync(default);

            // Holds the catalog's write lock: a log sharing its file would wait out the busy timeout and fail.
            await using var transaction = connection.BeginTransaction(deferred: false);
            var record = NewRecord("ws_a", T0);

            await folder.Stores.Logs.AppendAsync([record], default);
            await folder.Stores.Logs.ApplyRetentionAsync(T0, default);

            Assert.NotNull(await folder.Stores.Logs.GetAsync(["ws_a"], record.Id, default));
            await transaction.RollbackAsync();
        }
        finally
        {
            catalog.Close();
        }
    }

    [Fact]
    public async Task ApplyRetention_ManyExpired_DeletesInBoundedStatements()
    {
        await using var folder = LogFolder.Open(LogStoreLimits.Default with { DeleteBatch = 10 });
        var now = T0.AddDays(40);
        var expired = Enumerable.Range(0, 95).Select(i => NewRecord("ws_a", T0.AddSeconds(i))).ToList();
        var kept = Enumerable.Range(0, 5).Select(i => NewRecord("ws_a", now.AddSeconds(-i)) with { ExpiresAt = now.AddDays(1) }).ToList();
        await folder.Stores.Logs.AppendAsync([.. expired, .. kept], default);

        // One statement deletes no more than its limit, however many rows have expired.
        var database = new SqliteDatabase(folder.Stores.LogPath);
        try
        {
            await using var connection = await database.OpenAsync(default);
            Assert.Equal(10, SqliteRequestLog.DeleteExpired(connection, now, 10));
        }
        finally
        {
            database.Close();
        }

        var result = await folder.Stores.Logs.ApplyRetentionAsync(now, default);

        Assert.Equal(85, result.RecordsDropped);
        Assert.Equal(0, result.PartitionsDropped);
        var left = await folder.Stores.Logs.SearchAsync(new LogSearch { WorkspaceIds = ["ws_a"] }, default);
        Assert.Equal(kept.Select(r => r.Id).Order(StringComparer.Ordinal).Reverse(), left.Records.Select(r => r.Id));
    }

    [Fact]
    public async Task ApplyRetention_OverSizeCap_TrimsOldestRecordsAndReusesFreedPages()
    {
        const long MaxBytes = 1 << 20;
        await using var folder = LogFolder.Open(LogStoreLimits.Default with { MaxBytes = MaxBytes, DeleteBatch = 100 });
        var body = new string('x', 2000);
        var records = Enumerable.Range(0, 2000).Select(i => NewRecord("ws_a", T0.AddSeconds(i), body)).ToList();
        foreach (var batch in records.Chunk(500))
        {
            await folder.Stores.Logs.AppendAsync(batch, default);
        }

        Assert.True(await UsedBytesAsync(folder.Stores.LogPath) > 4 * MaxBytes);

        var result = await folder.Stores.Logs.ApplyRetentionAsync(T0.AddDays(1), default);

        var left = await folder.Stores.Logs.CountAsync(new LogSearch { WorkspaceIds = ["ws_a"] }, default);
        Assert.InRange(left, 1, 500);
        Assert.Equal(2000 - left, result.RecordsDropped);
        Assert.True(await UsedBytesAsync(folder.Stores.LogPath) <= MaxBytes);

        // What is left is the newest records; the rollups still count every call.
        var newest = records.Select(r => r.Id).Order(StringComparer.Ordinal).TakeLast((int)left).Reverse();
        Assert.Equal(newest, (await folder.Stores.Logs.SearchAsync(new LogSearch { WorkspaceIds = ["ws_a"], Limit = 1000 }, default)).Records.Select(r => r.Id));
        var totals = Assert.Single(await folder.Stores.Logs.RollupsAsync(new RollupQuery { WorkspaceIds = ["ws_a"], From = T0, To = T0.AddDays(1), ByBucket = false }, default));
        Assert.Equal(2000, totals.Requests);

        // New records go into the freed pages: the file does not grow.
        var pages = await PragmaAsync(folder.Stores.LogPath, "page_count");
        await folder.Stores.Logs.AppendAsync([.. Enumerable.Range(0, 100).Select(i => NewRecord("ws_a", T0.AddHours(2).AddSeconds(i), body))], default);
        Assert.Equal(pages, await PragmaAsync(folder.Stores.LogPath, "page_count"));
    }

    [Fact]
    public async Task AddEmbeddedState_Always_ServesTheLogOfTheStores()
    {
        await using var folder = LogFolder.Open();
        var services = new ServiceCollection().AddEmbeddedState(Path.Combine(folder.Path, "hosted.db"));
        await using var provider = services.BuildServiceProvider();

        var stores = provider.GetRequiredService<EmbeddedStores>();

        Assert.Same(stores.Logs, provider.GetRequiredService<IRequestLogStore>());
        Assert.Equal(Path.Combine(folder.Path, "hosted-logs.db"), stores.LogPath);
    }

    private static async Task<(long PageSize, string JournalMode)> PageSizeAndJournalAsync(string path)
    {
        var database = new SqliteDatabase(path);
        try
        {
            return (await database.ExecuteScalarAsync<long>("PRAGMA page_size", null, default), (await database.ExecuteScalarAsync<string>("PRAGMA journal_mode", null, default))!);
        }
        finally
        {
            database.Close();
        }
    }

    private static async Task<List<string>> TablesAsync(string path)
    {
        var database = new SqliteDatabase(path);
        try
        {
            return [.. await database.QueryAsync<string>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name", null, default)];
        }
        finally
        {
            database.Close();
        }
    }

    private static async Task<long> UsedBytesAsync(string path)
    {
        var database = new SqliteDatabase(path);
        try
        {
            await using var connection = await database.OpenAsync(default);
            return SqliteRequestLog.UsedBytes(connection);
        }
        finally
        {
            database.Close();
        }
    }

    private static async Task<long> PragmaAsync(string path, string name)
    {
        var database = new SqliteDatabase(path);
        try
        {
            return await database.ExecuteScalarAsync<long>($"PRAGMA {name}", null, default);
        }
        finally
        {
            database.Close();
        }
    }

    /// <summary>Stores in a temporary folder of their own, deleted with their files on dispose.</summary>
    internal sealed class LogFolder : IAsyncDisposable
    {
        private LogFolder(string path, LogStoreLimits? limits)
        {
            Path = path;
            Stores = EmbeddedState.Open(System.IO.Path.Combine(path, "switchyard.db"), limits);
        }

        public string Path { get; }

        public EmbeddedStores Stores { get; }

        public static LogFolder Open(LogStoreLimits? limits = null) =>
            new(Directory.CreateTempSubdirectory("switchyard-logs-").FullName, limits);

        public async ValueTask DisposeAsync()
        {
            await Stores.DisposeAsync();
            Directory.Delete(Path, recursive: true);
        }
    }
}

/// <summary>
/// A million records through <see cref="IRequestLogStore.AppendAsync"/> (bodies off, 30 days, several workspaces,
/// providers and models), then a 30-day hourly graph from the rollups. Prints how long each took (measured, never
/// asserted) and asserts the totals exactly.
/// </summary>
public sealed class SqliteRequestLogLoadTests(ITestOutputHelper output)
{
    private const int Records = 1_000_000;
    private const int Batch = 5000;

    [Fact]
    public async Task Rollups_MillionRecordsOver30Days_HourlyGraphEqualsTheRecords()
    {
        var start = new DateTimeOffset(2026, 9, 1, 0, 0, 0, TimeSpan.Zero);
        var spacing = TimeSpan.FromDays(30) / Records;
        string[] workspaces = ["ws_load_a", "ws_load_b", "ws_load_c", "ws_load_d"];
        string[] providers = ["openai", "anthropic", "groq", "mistral", "bedrock"];
        string[] models = ["gpt-4o-mini", "gpt-4o", "claude-sonnet-4", "llama-3.3-70b", "mistral-large", "nova-pro", "o3-mini"];

        await using var folder = SqliteRequestLogTests.LogFolder.Open();
        var logs = folder.Stores.Logs;
        long requests = 0, errors = 0, cost = 0, input = 0, outputTokens = 0;
        var perHour = new Dictionary<DateTimeOffset, long>();
        var perProvider = new Dictionary<string, long>();

        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var load = Stopwatch.StartNew();
        var batch = new List<RequestLogRecord>(Batch);
        for (var i = 0; i < Records; i++)
        {
            var at = start + (spacing * i);
            var status = i % 50 == 0 ? 429 : i % 97 == 0 ? 500 : 200;
            var record = new RequestLogRecord
            {
                Id = Guid.CreateVersion7(at).ToString("N"),
                CreatedAt = at,
                ExpiresAt = at.AddDays(30),
                WorkspaceId = workspaces[i % workspaces.Length],
                TraceId = $"{i:x32}",
                SpanId = $"{i:x16}",
                ApiKeyId = $"key_{i % 10}",
                Provider = providers[i % providers.Length],
                ModelRequested = models[i % models.Length],
                ModelUsed = models[i % models.Length],
                Endpoint = "chat.completions",
                Path = "/v1/chat/completions",
                Status = status,
                ErrorType = status == 200 ? null : "api_error",
                TotalMs = 20 + (i % 3000),
                InputTokens = 100 + (i % 900),
                OutputTokens = i % 400,
                CostMicros = status == 200 ? 10 + (i % 5000) : 0,
                CacheStatus = i % 10 == 0 ? "HIT" : "MISS",
            };
            batch.Add(record);
            requests++;
            errors += record.IsError ? 1 : 0;
            cost += record.CostMicros;
            input += record.InputTokens;
            outputTokens += record.OutputTokens;
            var hour = new DateTimeOffset(at.UtcTicks - (at.UtcTicks % TimeSpan.TicksPerHour), TimeSpan.Zero);
            perHour[hour] = perHour.GetValueOrDefault(hour) + 1;
            perProvider[record.Provider] = perProvider.GetValueOrDefault(record.Provider) + 1;

            if (batch.Count == Batch)
            {
                await logs.AppendAsync(batch, default);
                batch = new List<RequestLogRecord>(Batch);
            }
        }

        load.Stop();
        var loadCpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var query = Stopwatch.StartNew();
        var graph = await logs.RollupsAsync(new RollupQuery { From = start, To = start.AddDays(30), Grain = RollupGrain.Hour, Latency = false }, default);
        query.Stop();
        var latencyQuery = Stopwatch.StartNew();
        var latencyGraph = await logs.RollupsAsync(new RollupQuery { From = start, To = start.AddDays(30), Grain = RollupGrain.Hour }, default);
        latencyQuery.Stop();
        var byProvider = Stopwatch.StartNew();
        var providerTotals = await logs.RollupsAsync(
            new RollupQuery { From = start, To = start.AddDays(30), Grain = RollupGrain.Hour, ByBucket = false, GroupBy = [RollupDimension.Provider] }, default);
        byProvider.Stop();

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Loaded {Records:N0} records in batches of {Batch:N0} in {load.Elapsed.TotalSeconds:F1} s ({Records / load.Elapsed.TotalSeconds:N0} records/s, " +
            $"{loadCpu.TotalSeconds:F1} s of CPU: the machine's other work shows in the first, not the second); " +
            $"log file {new FileInfo(folder.Stores.LogPath).Length / (1 << 20):N0} MiB."));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"30-day hourly graph: {graph.Count} rows in {query.Elapsed.TotalMilliseconds:F0} ms, with latency percentiles in " +
            $"{latencyQuery.Elapsed.TotalMilliseconds:F0} ms; 30-day totals by provider in {byProvider.Elapsed.TotalMilliseconds:F0} ms."));

        Assert.Equal(30 * 24, graph.Count);
        Assert.Equal(perHour.OrderBy(p => p.Key).Select(p => (p.Key, p.Value)), graph.Select(r => (r.Bucket, r.Requests)));
        Assert.Equal(requests, graph.Sum(r => r.Requests));
        Assert.Equal(errors, graph.Sum(r => r.Errors));
        Assert.Equal(cost, graph.Sum(r => r.CostMicros));
        Assert.Equal(input, graph.Sum(r => r.InputTokens));
        Assert.Equal(outputTokens, graph.Sum(r => r.OutputTokens));
        Assert.All(graph, r => Assert.Empty(r.Latency));
        Assert.Equal(graph.Select(r => (r.Bucket, r.Requests)), latencyGraph.Select(r => (r.Bucket, r.Requests)));
        Assert.Equal(requests, latencyGraph.Sum(r => r.Latency.Sum()));
        Assert.Equal(perProvider.OrderBy(p => p.Key, StringComparer.Ordinal), providerTotals.Select(r => KeyValuePair.Create(r.Provider!, r.Requests)).OrderBy(p => p.Key, StringComparer.Ordinal));
    }
}
