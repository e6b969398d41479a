using System.Diagnostics;
using Xunit.Abstractions;

namespace Switchyard.State.Tests.Postgres;

/// <summary>
/// A million records through <see cref="IRequestLogStore.AppendAsync"/> in batches of 5000 (bodies off, spread over 30
/// days, four workspaces with their own retentions, three providers, six models), then the 30-day hourly graph read
/// from the rollups. The load and query times are printed, not asserted; the totals are asserted exactly.
/// </summary>
public sealed class PostgresRequestLogLoadTests(ITestOutputHelper output)
{
    private const int Records = 1_000_000;
    private const int Batch = 5000;

    private static readonly DateTimeOffset Start = new(2030, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly string[] Workspaces = ["ws_load_a", "ws_load_b", "ws_load_c", "ws_load_d"];
    private static readonly int[] RetentionDays = [7, 30, 90, 365];
    private static readonly string[] Providers = ["openai", "anthropic", "google"];
    private static readonly string[][] Models = [["gpt-4o", "gpt-4o-mini"], ["claude-sonnet-4", "claude-haiku-4"], ["gemini-2.5-pro", "gemini-2.5-flash"]];

    private static RequestLogRecord RecordAt(int i)
    {
        var createdAt = Start.AddTicks(TimeSpan.FromDays(30).Ticks / Records * i);
        var w = i % Workspaces.Length;
        var p = i / 7 % Providers.Length;
        return new RequestLogRecord
        {
            Id = Guid.CreateVersion7(createdAt).ToString("N"),
            CreatedAt = createdAt,
            ExpiresAt = createdAt.AddDays(RetentionDays[w]),
            WorkspaceId = Workspaces[w],
            TraceId = $"trace-{i}",
            SpanId = "0123456789abcdef",
            Endpoint = "chat.completions",
            Path = "/v1/chat/completions",
            Status = i % 20 == 0 ? 500 : 200,
            ErrorType = i % 20 == 0 ? "api_error" : null,
            Provider = Providers[p],
            ModelRequested = Models[p][i % 2],
            ModelUsed = Models[p][i % 2],
            ApiKeyId = $"key_{w}",
            TotalMs = 5 + (i % 2000),
            InputTokens = i % 50,
            OutputTokens = i % 30,
            CostMicros = i % 100,
            CacheStatus = i % 50 == 0 ? "HIT" : "MISS",
            Bodies = LogBodies.Off,
        };
    }

    [Fact]
    public async Task Load_AMillionRecords_HourlyGraphOf30DaysIsExact()
    {
        await using var backend = new PostgresBackend();
        await backend.InitializeAsync();
        long errors = 0, cost = 0, input = 0, outputTokens = 0;
        var perHour = new long[30 * 24];

        var load = Stopwatch.StartNew();
        for (var first = 0; first < Records; first += Batch)
        {
            var batch = new List<RequestLogRecord>(Batch);
            for (var i = first; i < first + Batch; i++)
            {
                var record = RecordAt(i);
                batch.Add(record);
                errors += record.IsError ? 1 : 0;
                cost += record.CostMicros;
                input += record.InputTokens;
                outputTokens += record.OutputTokens;
                perHour[(int)((record.CreatedAt - Start).Ticks / TimeSpan.TicksPerHour)]++;
            }

            await backend.Logs.AppendAsync(batch, default);
        }

        load.Stop();

        var query = Stopwatch.StartNew();
        var graph = await backend.Logs.RollupsAsync(
            new RollupQuery { WorkspaceIds = Workspaces, From = Start, To = Start.AddDays(30), Grain = RollupGrain.Hour }, default);
        query.Stop();
        var byProvider = Stopwatch.StartNew();
        var providerGraph = await backend.Logs.RollupsAsync(
            new RollupQuery
            {
                WorkspaceIds = Workspaces,
                From = Start,
                To = Start.AddDays(30),
                Grain = RollupGrain.Hour,
                GroupBy = [RollupDimension.Provider],
            },
            default);
        byProvider.Stop();

        output.WriteLine($"load: {Records:N0} records in {load.Elapsed.TotalSeconds:F1} s ({Records / load.Elapsed.TotalSeconds:N0} records/s, batches of {Batch})");
        output.WriteLine($"30-day hourly graph: {graph.Count} rows in {query.Elapsed.TotalMilliseconds:F0} ms");
        output.WriteLine($"30-day hourly graph by provider: {providerGraph.Count} rows in {byProvider.Elapsed.TotalMilliseconds:F0} ms");

        Assert.Equal(perHour, graph.Select(r => r.Requests));
        Assert.Equal(Enumerable.Range(0, 30 * 24).Select(h => Start.AddHours(h)), graph.Select(r => r.Bucket));
        Assert.Equal(Records, graph.Sum(r => r.Requests));
        Assert.Equal(errors, graph.Sum(r => r.Errors));
        Assert.Equal(cost, graph.Sum(r => r.CostMicros));
        Assert.Equal(input, graph.Sum(r => r.InputTokens));
        Assert.Equal(outputTokens, graph.Sum(r => r.OutputTokens));
        Assert.Equal(Records, graph.Sum(r => r.Latency.Sum()));
        Assert.Equal(30 * 24 * Providers.Length, providerGraph.Count);
        Assert.Equal(Records, providerGraph.Sum(r => r.Requests));
        Assert.Equal(Records, await backend.Logs.CountAsync(new LogSearch { WorkspaceIds = Workspaces }, default));
    }
}
