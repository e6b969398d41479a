using System.Globalization;

namespace Switchyard.State.Tests.Contracts;

/// <summary>
/// The <see cref="IRequestLogStore"/> contract: records read back exactly as appended; an id stored twice is skipped
/// (and not counted twice in the rollups); every read is scoped by the workspaces given (null: all; empty: none);
/// every search filter narrows; pages run newest first with no gap and no duplicate; rollups equal the records
/// appended, exactly, at every grain, grouping and filter; retention drops what expired and keeps the rest. Each test
/// works in workspaces of its own, since the store is shared by the class; row order of rollups is not part of the
/// contract (collations differ), so rows are compared sorted.
/// </summary>
public abstract class RequestLogContract
{
    /// <summary>Microseconds, the precision both stores keep; a day away from every other test's records.</summary>
    private static readonly DateTimeOffset T0 = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);

    protected abstract IStoreBackend Backend { get; }

    private IRequestLogStore Logs => Backend.Logs;

    private static string NewWorkspace() => $"ws_{Guid.NewGuid():N}";

    /// <summary>A time-ordered id, as the gateway makes them: ids of records a millisecond apart sort like their creation times.</summary>
    private static string NewId(DateTimeOffset at) => Guid.CreateVersion7(at).ToString("N");

    private static RequestLogRecord NewRecord(string workspaceId, DateTimeOffset createdAt) =>
        LogSamples.Record(workspaceId, createdAt) with
        {
            ModelRequested = "gpt-4o-mini",
            ModelUsed = "gpt-4o-mini-2024-07-18",
            ApiKeyId = "key_a",
            VirtualKey = "openai-prod",
            ConfigId = "routing",
        };

    private static RequestLogRecord FullRecord(string workspaceId) => new()
    {
        Id = NewId(T0.AddHours(3)),
        CreatedAt = new DateTimeOffset(2026, 11, 20, 4, 0, 0, TimeSpan.FromHours(1)).AddTicks(1_234_560),
        ExpiresAt = new DateTimeOffset(2026, 12, 20, 3, 0, 0, TimeSpan.Zero).AddTicks(1_234_560),
        Kind = LogKinds.Custom,
        WorkspaceId = workspaceId,
        TraceId = $"trace-{Guid.NewGuid():N}",
        SpanId = "fedcba9876543210",
        ParentSpanId = "0011223344556677",
        W3cTraceId = "4bf92f3577b34da6a3ce929d0e0e4736",
        SpanName = "chat.completions gpt-4o — é 東京",
        ApiKeyId = "key_full",
        VirtualKey = "anthropic-prod",
        ConfigId = "fallback-routing",
        ConfigVersion = 7,
        Provider = "anthropic",
        ModelRequested = "gpt-4o",
        ModelUsed = "claude-sonnet-4-20250514",
        Endpoint = "messages",
        Path = "/v1/messages",
        Method = "PUT",
        Status = 200,
        ErrorType = "stream_error",
        ErrorMessage = "The stream broke: \"upstream\" went away",
        Stream = true,
        TotalMs = 1234.5678,
        UpstreamMs = 1000.25,
        TtftMs = 321.125,
        OverheadMs = 12.0625,
        InputTokens = 1_000_001,
        OutputTokens = 2_000_002,
        CachedTokens = 333,
        ReasoningTokens = 444,
        CostMicros = 9_876_543_210,
        CacheStatus = "SEMANTIC MISS",
        RetryCount = 2,
        Attempts =
        [
            new LogAttempt(0, "config.targets[0]", "openai", "gpt-4o", 503, "api_error", 10.5, T0.AddHours(3).AddTicks(10)),
            new LogAttempt(1, "config.targets[1]", "anthropic", null, 200, null, 900.125, new DateTimeOffset(2026, 11, 20, 5, 0, 1, TimeSpan.FromHours(2))),
        ],
        Metadata = new Dictionary<string, string> { ["env"] = "prod \"eu\"", ["team"] = "plätform" },
        User = "user-42",
        ClientIp = "2001:db8::1",
        UserAgent = "openai-python/1.50.0",
        Bodies = LogBodies.Redacted,
        RequestBody = """{"model":"gpt-4o","messages":[{"role":"user","content":"Hallo 東京 [EMAIL]"}]}""",
        ResponseBody = """{"id":"msg_1","content":[{"type":"text","text":"ok"}]}""",
        Truncated = true,
        HookResults = """{"before_request_hooks":[]}""",
    };

    private static void Same(RequestLogRecord expected, RequestLogRecord? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Id, actual.Id);
        StoreAssert.SameInstant(expected.CreatedAt, actual.CreatedAt);
        StoreAssert.SameInstant(expected.ExpiresAt, actual.ExpiresAt);
        Assert.Equal(expected.Attempts.Count, actual.Attempts.Count);
        for (var i = 0; i < expected.Attempts.Count; i++)
        {
            StoreAssert.SameInstant(expected.Attempts[i].StartedAt, actual.Attempts[i].StartedAt);
            Assert.Equal(expected.Attempts[i], actual.Attempts[i]);
        }

        Assert.Equal(
            expected.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal).ToList(),
            actual.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal).ToList());

        // Every other member by record equality: lists, dictionaries and instants were compared above.
        Assert.Equal(
            expected with { CreatedAt = actual.CreatedAt, ExpiresAt = actual.ExpiresAt, Attempts = actual.Attempts, Metadata = actual.Metadata },
            actual);
    }

    private static List<string> Ids(IEnumerable<RequestLogRecord> records) => records.Select(r => r.Id).ToList();

    private static List<string> NewestFirst(IEnumerable<RequestLogRecord> records) => Ids(records.OrderByDescending(r => r.Id, StringComparer.Ordinal));

    // ---- append and get ----

    [Fact]
    public async Task Append_ThenGet_RoundTripsEveryField()
    {
        var workspaceId = NewWorkspace();
        var full = FullRecord(workspaceId);
        var sparse = new RequestLogRecord
        {
            Id = NewId(T0.AddHours(5)),
            CreatedAt = T0.AddHours(5),
            ExpiresAt = T0.AddDays(5),
            WorkspaceId = "",
            TraceId = $"trace-{Guid.NewGuid():N}",
            SpanId = "0000000000000001",
            Endpoint = "embeddings",
            Path = "/v1/embeddings",
            Status = 401,
        };

        await Logs.AppendAsync([full, sparse], default);

        Same(full, await Logs.GetAsync([workspaceId], full.Id, default));
        Same(sparse, await Logs.GetAsync([""], sparse.Id, default));
        Same(full, Assert.Single((await Logs.SearchAsync(new LogSearch { WorkspaceIds = [workspaceId] }, default)).Records));
    }

    [Fact]
    public async Task Get_UnknownId_IsNull() =>
        Assert.Null(await Logs.GetAsync(null, NewId(T0), default));

    [Fact]
    public async Task Append_IdStoredBefore_IsSkippedAndNotCountedTwice()
    {
        var workspaceId = NewWorkspace();
        var a = NewRecord(workspaceId, T0.AddMinutes(1));
        var b = NewRecord(workspaceId, T0.AddMinutes(2));
        var c = NewRecord(workspaceId, T0.AddMinutes(3));

        await Logs.AppendAsync([a, b], default);
        await Logs.AppendAsync([b with { CostMicros = 1_000_000, Status = 500 }, c, c], default);

        Same(b, await Logs.GetAsync([workspaceId], b.Id, default));
        Assert.Equal(3, await Logs.CountAsync(new LogSearch { WorkspaceIds = [workspaceId] }, default));
        foreach (var grain in new[] { RollupGrain.Minute, RollupGrain.Hour, RollupGrain.Day })
        {
            var row = Assert.Single(await Logs.RollupsAsync(
                new RollupQuery { WorkspaceIds = [workspaceId], From = T0, To = T0.AddDays(1), Grain = grain, ByBucket = false }, default));
            Assert.Equal(3, row.Requests);
            Assert.Equal(0, row.Errors);
            Assert.Equal(3 * 42, row.CostMicros);
        }
    }

    [Fact]
    public async Task Append_EmptyBatch_DoesNothing() => await Logs.AppendAsync([], default);

    [Fact]
    public async Task Rollups_WithoutLatency_HaveTheSameTotalsAndNoHistogram()
    {
        var workspaceId = NewWorkspace();
        await Logs.AppendAsync(
            [NewRecord(workspaceId, T0.AddMinutes(1)) with { TotalMs = 5 }, NewRecord(workspaceId, T0.AddMinutes(2)) with { TotalMs = 5000 }, NewRecord(workspaceId, T0.AddHours(3))],
            default);
        var query = new RollupQuery { WorkspaceIds = [workspaceId], From = T0, To = T0.AddDays(1), GroupBy = [RollupDimension.Status] };

        var withLatency = await Logs.RollupsAsync(query, default);
        var without = await Logs.RollupsAsync(query with { Latency = false }, default);

        Assert.Equal(2, without.Count);
        Assert.All(without, row => Assert.Empty(row.Latency));
        Assert.Equal(
            withLatency.Select(r => (r.Bucket, r.Status, r.Requests, r.Errors, r.CostMicros, r.InputTokens, r.OutputTokens, r.LatencyMsSum)),
            without.Select(r => (r.Bucket, r.Status, r.Requests, r.Errors, r.CostMicros, r.InputTokens, r.OutputTokens, r.LatencyMsSum)));
        Assert.Equal(3, withLatency.Sum(r => r.Latency.Sum()));
    }

    // ---- scoping ----

    [Fact]
    public async Task EveryRead_OtherWorkspace_SeesNothing()
    {
        var mine = NewWorkspace();
        var other = NewWorkspace();
        var record = NewRecord(mine, T0.AddMinutes(10));
        await Logs.AppendAsync([record], default);
        var feedback = NewFeedback(mine, record.TraceId, T0.AddMinutes(11));
        await Logs.AddFeedbackAsync([feedback], default);
        var export = NewExport(mine, T0.AddMinutes(12));
        await Logs.AddExportAsync(export, default);

        foreach (var scope in new IReadOnlyList<string>?[] { [other], [] })
        {
            Assert.Null(await Logs.GetAsync(scope, record.Id, default));
            Assert.Empty((await Logs.SearchAsync(new LogSearch { WorkspaceIds = scope, TraceId = record.TraceId }, default)).Records);
            Assert.Equal(0, await Logs.CountAsync(new LogSearch { WorkspaceIds = scope, TraceId = record.TraceId }, default));
            Assert.Empty(await ToListAsync(Logs.ReadAllAsync(new LogSearch { WorkspaceIds = scope, TraceId = record.TraceId }, default)));
            Assert.Empty(await Logs.TraceAsync(scope, record.TraceId, default));
            Assert.Null(await Logs.GetFeedbackAsync(scope, feedback.Id, default));
            Assert.Empty(await Logs.ListFeedbackAsync(scope, null, null, record.TraceId, default));
            Assert.Null(await Logs.GetExportAsync(scope, export.Id, default));
            Assert.DoesNotContain(await Logs.ListExportsAsync(scope, default), e => e.Id == export.Id);
        }

        Assert.False(await Logs.UpdateFeedbackAsync(feedback with { WorkspaceId = other, Value = -3 }, default));
        Assert.False(await Logs.UpdateExportAsync(export with { WorkspaceId = other, Status = LogExportStatus.Failed }, default));

        foreach (var scope in new IReadOnlyList<string>?[] { [mine], [other, mine], null })
        {
            Same(record, await Logs.GetAsync(scope, record.Id, default));
            Assert.Equal([record.Id], Ids((await Logs.SearchAsync(new LogSearch { WorkspaceIds = scope, TraceId = record.TraceId }, default)).Records));
            Assert.Equal(1, await Logs.CountAsync(new LogSearch { WorkspaceIds = scope, TraceId = record.TraceId }, default));
            Assert.Equal([record.Id], Ids(await ToListAsync(Logs.ReadAllAsync(new LogSearch { WorkspaceIds = scope, TraceId = record.TraceId }, default))));
            Assert.Equal([record.Id], Ids(await Logs.TraceAsync(scope, record.TraceId, default)));
            Assert.NotNull(await Logs.GetFeedbackAsync(scope, feedback.Id, default));
            Assert.Single(await Logs.ListFeedbackAsync(scope, null, null, record.TraceId, default));
            Assert.NotNull(await Logs.GetExportAsync(scope, export.Id, default));
            Assert.Contains(await Logs.ListExportsAsync(scope, default), e => e.Id == export.Id);
        }

        // The feedback and the export are unchanged by the refused updates.
        Assert.Equal(feedback.Value, (await Logs.GetFeedbackAsync([mine], feedback.Id, default))!.Value);
        Assert.Equal(export.Status, (await Logs.GetExportAsync([mine], export.Id, default))!.Status);
    }

    [Fact]
    public async Task Rollups_OtherWorkspace_SeesNothing()
    {
        var mine = NewWorkspace();
        var other = NewWorkspace();
        await Logs.AppendAsync([NewRecord(mine, T0.AddMinutes(20))], default);

        var query = new RollupQuery { From = T0, To = T0.AddDays(1), ByBucket = false, GroupBy = [RollupDimension.Workspace] };
        Assert.Empty(await Logs.RollupsAsync(query with { WorkspaceIds = [other] }, default));
        Assert.Empty(await Logs.RollupsAsync(query with { WorkspaceIds = [] }, default));
        Assert.Equal(1, Assert.Single(await Logs.RollupsAsync(query with { WorkspaceIds = [other, mine] }, default)).Requests);
        Assert.Equal(1, Assert.Single(await Logs.RollupsAsync(query with { WorkspaceIds = null }, default), r => r.WorkspaceId == mine).Requests);
    }

    // ---- search ----

    /// <summary>Two dozen records that differ in every filtered field, one minute apart.</summary>
    private static List<RequestLogRecord> SearchSample(string workspaceId, string traceId)
    {
        string[] providers = ["openai", "anthropic", "groq"];
        string[] caches = ["MISS", "HIT", "DISABLED", "SEMANTIC HIT"];
        int[] statuses = [200, 200, 429, 500, 200, 400];
        var records = new List<RequestLogRecord>();
        for (var i = 0; i < 24; i++)
        {
            var record = NewRecord(workspaceId, T0.AddHours(6).AddMinutes(i)) with
            {
                Status = statuses[i % statuses.Length],
                ErrorType = statuses[i % statuses.Length] >= 400 ? "api_error" : i == 7 ? "stream_error" : null,
                Provider = i == 5 ? null : providers[i % 3],
                ModelUsed = i == 5 ? null : $"model-{i % 4}",
                ModelRequested = i == 5 ? "model-requested-only" : "model-x",
                ApiKeyId = $"key_{i % 2}",
                VirtualKey = i % 5 == 0 ? null : $"vk-{i % 3}",
                ConfigId = i % 4 == 0 ? null : $"config-{i % 2}",
                CacheStatus = caches[i % caches.Length],
                TraceId = i % 6 == 0 ? traceId : $"trace-{Guid.NewGuid():N}",
                SpanId = $"{i:x16}",
                Metadata = i % 3 == 0
                    ? new Dictionary<string, string> { ["env"] = "prod", ["team"] = i % 2 == 0 ? "a" : "b" }
                    : new Dictionary<string, string> { ["env"] = "dev" },
                CostMicros = i * 1000,
                TotalMs = 50 + (i * 25),
                InputTokens = i * 10,
                OutputTokens = (24 - i) * 3,
            };
            records.Add(record);
        }

        return records;
    }

    public static TheoryData<string> SearchFilters =>
    [
        "from", "to", "statuses", "errors", "successes", "providers", "models", "model-requested", "api-keys", "virtual-keys",
        "configs", "cache-statuses", "trace", "span", "metadata", "metadata-two", "min-cost", "max-cost", "min-latency", "max-latency",
        "min-tokens", "max-tokens", "min-input", "max-input", "min-output", "max-output",
    ];

    private static (LogSearch Search, Func<RequestLogRecord, bool> Matches) SearchFilter(string name, string traceId, IReadOnlyList<RequestLogRecord> sample)
    {
        var s = new LogSearch();
        return name switch
        {
            "from" => (s with { From = sample[10].CreatedAt }, r => r.CreatedAt >= sample[10].CreatedAt),
            "to" => (s with { To = sample[10].CreatedAt }, r => r.CreatedAt < sample[10].CreatedAt),
            "statuses" => (s with { Statuses = [429, 400] }, r => r.Status is 429 or 400),
            "errors" => (s with { Errors = true }, r => r.IsError),
            "successes" => (s with { Errors = false }, r => !r.IsError),
            "providers" => (s with { Providers = ["anthropic", "groq"] }, r => r.Provider is "anthropic" or "groq"),
            "models" => (s with { Models = ["model-1", "model-3"] }, r => r.ModelUsed is "model-1" or "model-3"),
            "model-requested" => (s with { Models = ["model-requested-only", "model-x"] }, r => r.ModelUsed is null),
            "api-keys" => (s with { ApiKeyIds = ["key_1"] }, r => r.ApiKeyId == "key_1"),
            "virtual-keys" => (s with { VirtualKeys = ["vk-2"] }, r => r.VirtualKey == "vk-2"),
            "configs" => (s with { ConfigIds = ["config-1"] }, r => r.ConfigId == "config-1"),
            "cache-statuses" => (s with { CacheStatuses = ["HIT", "SEMANTIC HIT"] }, r => r.CacheStatus is "HIT" or "SEMANTIC HIT"),
            "trace" => (s with { TraceId = traceId }, r => r.TraceId == traceId),
            "span" => (s with { SpanId = sample[9].SpanId }, r => r.SpanId == sample[9].SpanId),
            "metadata" => (s with { Metadata = new Dictionary<string, string> { ["env"] = "prod" } }, r => r.Metadata.GetValueOrDefault("env") == "prod"),
            "metadata-two" => (s with { Metadata = new Dictionary<string, string> { ["env"] = "prod", ["team"] = "b" } },
                r => r.Metadata.GetValueOrDefault("env") == "prod" && r.Metadata.GetValueOrDefault("team") == "b"),
            "min-cost" => (s with { MinCostMicros = 5000 }, r => r.CostMicros >= 5000),
            "max-cost" => (s with { MaxCostMicros = 5000 }, r => r.CostMicros <= 5000),
            "min-latency" => (s with { MinLatencyMs = 300 }, r => r.TotalMs >= 300),
            "max-latency" => (s with { MaxLatencyMs = 300 }, r => r.TotalMs <= 300),
            "min-tokens" => (s with { MinTokens = 100 }, r => r.InputTokens + r.OutputTokens >= 100),
            "max-tokens" => (s with { MaxTokens = 100 }, r => r.InputTokens + r.OutputTokens <= 100),
            "min-input" => (s with { MinInputTokens = 100 }, r => r.InputTokens >= 100),
            "max-input" => (s with { MaxInputTokens = 100 }, r => r.InputTokens <= 100),
            "min-output" => (s with { MinOutputTokens = 30 }, r => r.OutputTokens >= 30),
            "max-output" => (s with { MaxOutputTokens = 30 }, r => r.OutputTokens <= 30),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown filter."),
        };
    }

    [Theory]
    [MemberData(nameof(SearchFilters))]
    public async Task Search_OneFilter_MatchesExactlyThoseRecords(string filter)
    {
        var workspaceId = NewWorkspace();
        var traceId = $"trace-{Guid.NewGuid():N}";
        var sample = SearchSample(workspaceId, traceId);
        await Logs.AppendAsync(sample, default);
        var (search, matches) = SearchFilter(filter, traceId, sample);
        search = search with { WorkspaceIds = [workspaceId], Limit = 100 };

        var expected = sample.Where(matches).ToList();
        Assert.InRange(expected.Count, 1, sample.Count - 1);

        var page = await Logs.SearchAsync(search, default);
        Assert.Equal(NewestFirst(expected), Ids(page.Records));
        Assert.Null(page.NextCursor);
        Assert.Equal(expected.Count, await Logs.CountAsync(search with { Limit = 1 }, default));
        Assert.Equal(Ids(expected.OrderBy(r => r.Id, StringComparer.Ordinal)), Ids(await ToListAsync(Logs.ReadAllAsync(search with { Limit = 1 }, default))));
    }

    [Fact]
    public async Task Search_FiltersTogether_MatchAll()
    {
        var workspaceId = NewWorkspace();
        var sample = SearchSample(workspaceId, "t");
        await Logs.AppendAsync(sample, default);

        var search = new LogSearch { WorkspaceIds = [workspaceId], Providers = ["openai"], Errors = false, MinCostMicros = 1000 };
        var expected = sample.Where(r => r.Provider == "openai" && !r.IsError && r.CostMicros >= 1000).ToList();

        Assert.Equal(NewestFirst(expected), Ids((await Logs.SearchAsync(search, default)).Records));
    }

    [Fact]
    public async Task Search_Pages_NewestFirstWithoutGapsOrDuplicates()
    {
        var workspaceId = NewWorkspace();
        var records = Enumerable.Range(0, 20).Select(i => NewRecord(workspaceId, T0.AddHours(8).AddSeconds(i))).ToList();
        // Appended in two batches out of order: the order is the ids', not the appends'.
        await Logs.AppendAsync(records.Skip(10).ToList(), default);
        await Logs.AppendAsync(records.Take(10).ToList(), default);

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await Logs.SearchAsync(new LogSearch { WorkspaceIds = [workspaceId], Limit = 5, Before = cursor }, default);
            Assert.Equal(5, page.Records.Count);
            seen.AddRange(Ids(page.Records));
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(4, pages);
        Assert.Equal(NewestFirst(records), seen);

        var partial = await Logs.SearchAsync(new LogSearch { WorkspaceIds = [workspaceId], Limit = 50, Before = records[3].Id }, default);
        Assert.Equal(NewestFirst(records.Take(3)), Ids(partial.Records));
        Assert.Null(partial.NextCursor);
    }

    [Fact]
    public async Task Search_Text_MatchesEitherBodyCaseInsensitivelyAndLiterally()
    {
        var workspaceId = NewWorkspace();
        var inRequest = NewRecord(workspaceId, T0.AddHours(9)) with { Bodies = LogBodies.Full, RequestBody = """{"content":"Tell me about the Purple Elephant"}""", ResponseBody = "{}" };
        var inResponse = NewRecord(workspaceId, T0.AddHours(9).AddSeconds(1)) with { Bodies = LogBodies.Full, RequestBody = "{}", ResponseBody = """{"content":"a PURPLE elephant, 50% off"}""" };
        var noBodies = NewRecord(workspaceId, T0.AddHours(9).AddSeconds(2)) with { Bodies = LogBodies.Off, SpanName = "purple elephant" };
        var other = NewRecord(workspaceId, T0.AddHours(9).AddSeconds(3)) with { Bodies = LogBodies.Full, RequestBody = """{"content":"500 grey elephants_"}""", ResponseBody = "{}" };
        await Logs.AppendAsync([inRequest, inResponse, noBodies, other], default);

        async Task<List<string>> Find(string text) =>
            Ids((await Logs.SearchAsync(new LogSearch { WorkspaceIds = [workspaceId], Text = text }, default)).Records);

        Assert.Equal([inResponse.Id, inRequest.Id], await Find("purple ELEPHANT"));
        Assert.Equal([inResponse.Id], await Find("50%"));
        Assert.Equal([other.Id], await Find("elephants_"));
        Assert.Empty(await Find("t_ll"));
        Assert.Empty(await Find("blue whale"));
    }

    [Fact]
    public async Task Trace_Always_OldestFirst()
    {
        var workspaceId = NewWorkspace();
        var traceId = $"trace-{Guid.NewGuid():N}";
        var records = Enumerable.Range(0, 4).Select(i => NewRecord(workspaceId, T0.AddHours(10).AddMilliseconds(i * 10)) with { TraceId = traceId }).ToList();
        await Logs.AppendAsync([records[2], records[0]], default);
        await Logs.AppendAsync([records[3], records[1], NewRecord(workspaceId, T0.AddHours(10))], default);

        Assert.Equal(Ids(records), Ids(await Logs.TraceAsync([workspaceId], traceId, default)));
        Assert.Empty(await Logs.TraceAsync([workspaceId], "no-such-trace", default));
    }

    // ---- rollups ----

    /// <summary>
    /// Records over three days in two workspaces, differing in every rollup dimension; latencies and costs chosen so
    /// every sum is exact in binary floating point, whatever order a database adds in.
    /// </summary>
    private static List<RequestLogRecord> RollupSample(string a, string b)
    {
        string[] providers = ["openai", "anthropic", "groq"];
        string[] caches = ["MISS", "HIT", "DISABLED"];
        int[] statuses = [200, 200, 200, 429, 500, 200, 499];
        var records = new List<RequestLogRecord>();
        for (var i = 0; i < 150; i++)
        {
            var at = T0.AddDays(-3).AddMinutes(i * 29).AddSeconds(i % 60).AddMilliseconds(i);
            var status = statuses[i % statuses.Length];
            var success = status < 400 && i % 11 != 0;
            records.Add(NewRecord(i % 5 == 0 ? b : a, at) with
            {
                Status = status,
                ErrorType = status >= 400 ? "api_error" : i % 11 == 0 ? "stream_error" : null,
                Provider = i % 13 == 0 ? null : providers[i % 3],
                ModelUsed = i % 13 == 0 ? null : $"model-{i % 4}",
                ModelRequested = i % 13 == 0 ? "asked-for" : "model-x",
                ApiKeyId = i % 9 == 0 ? null : $"key_{i % 2}",
                VirtualKey = i % 7 == 0 ? null : $"vk-{i % 3}",
                ConfigId = i % 4 == 0 ? null : $"config-{i % 2}",
                CacheStatus = caches[i % caches.Length],
                CostMicros = (i * 7919) % 100_000,
                InputTokens = i * 13,
                OutputTokens = (i * 7) % 200,
                TotalMs = (i * 37 % 900) + (0.25 * (i % 4)) + (i % 17 == 0 ? 40_000 : 0),
                RetryCount = success && i % 3 == 0 ? 1 : 0,
                Attempts = success && i % 8 == 1
                    ? [new LogAttempt(0, "config.targets[0]", "openai", null, 503, "api_error", 1, at), new LogAttempt(1, "config.targets[1]", "groq", null, 200, null, 2, at)]
                    : success && i % 8 == 2
                        ? [new LogAttempt(0, "config.targets[0]", "openai", null, 500, "api_error", 1, at), new LogAttempt(1, "config.targets[0]", "openai", null, 200, null, 2, at)]
                        : [],
            });
        }

        return records;
    }

    private static DateTimeOffset Floor(DateTimeOffset at, RollupGrain grain)
    {
        var size = grain switch { RollupGrain.Minute => TimeSpan.TicksPerMinute, RollupGrain.Hour => TimeSpan.TicksPerHour, _ => TimeSpan.TicksPerDay };
        return new DateTimeOffset(at.UtcTicks - (at.UtcTicks % size), TimeSpan.Zero);
    }

    private static string? Blank(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>What the rollups must say, computed from the records themselves.</summary>
    private static List<string> Expected(IReadOnlyList<RequestLogRecord> records, RollupQuery q)
    {
        bool In<T>(IReadOnlyList<T>? filter, T value) => filter is null || filter.Count == 0 || filter.Contains(value);
        bool Groups(RollupDimension d) => q.GroupBy.Contains(d);
        var from = Floor(q.From, q.Grain);
        return records
            .Where(r => q.WorkspaceIds is null || q.WorkspaceIds.Contains(r.WorkspaceId))
            .Where(r => Floor(r.CreatedAt, q.Grain) >= from && Floor(r.CreatedAt, q.Grain) < q.To)
            .Where(r => In(q.Providers, r.Provider ?? "") && In(q.Models, r.ModelUsed ?? r.ModelRequested ?? "") && In(q.ApiKeyIds, r.ApiKeyId ?? "")
                && In(q.VirtualKeys, r.VirtualKey ?? "") && In(q.ConfigIds, r.ConfigId ?? "") && In(q.Statuses, r.Status) && In(q.CacheStatuses, r.CacheStatus))
            .GroupBy(r => new RollupRow
            {
                Bucket = q.ByBucket ? Floor(r.CreatedAt, q.Grain) : q.From,
                WorkspaceId = Groups(RollupDimension.Workspace) ? r.WorkspaceId : null,
                Provider = Groups(RollupDimension.Provider) ? r.Provider : null,
                Model = Groups(RollupDimension.Model) ? Blank(r.ModelUsed ?? r.ModelRequested) : null,
                ApiKeyId = Groups(RollupDimension.ApiKey) ? r.ApiKeyId : null,
                VirtualKey = Groups(RollupDimension.VirtualKey) ? r.VirtualKey : null,
                ConfigId = Groups(RollupDimension.Config) ? r.ConfigId : null,
                Status = Groups(RollupDimension.Status) ? r.Status : null,
                CacheStatus = Groups(RollupDimension.CacheStatus) ? r.CacheStatus : null,
                Latency = [],
            }, RowKeyComparer.Instance)
            .Select(g =>
            {
                var latency = new long[LatencyHistogram.Buckets];
                foreach (var r in g)
                {
                    latency[LatencyHistogram.BucketOf(r.TotalMs)]++;
                }

                return Describe(g.Key with
                {
                    Requests = g.Count(),
                    Errors = g.Count(r => r.IsError),
                    CostMicros = g.Sum(r => r.CostMicros),
                    InputTokens = g.Sum(r => (long)r.InputTokens),
                    OutputTokens = g.Sum(r => (long)r.OutputTokens),
                    LatencyMsSum = g.Sum(r => r.TotalMs),
                    Latency = latency,
                    RescuedByRetry = g.Count(r => !r.IsError && r.RetryCount > 0),
                    RescuedByFallback = g.Count(r => !r.IsError && r.Attempts.Select(a => a.OptionPath).Distinct().Count() > 1),
                });
            })
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    private static string Describe(RollupRow r) => string.Join(
        " | ",
        r.Bucket.UtcDateTime.ToString("O", CultureInfo.InvariantCulture) + (r.Bucket.Offset == TimeSpan.Zero ? "" : " (not UTC)"),
        r.WorkspaceId ?? "-", r.Provider ?? "-", r.Model ?? "-", r.ApiKeyId ?? "-", r.VirtualKey ?? "-", r.ConfigId ?? "-",
        r.Status?.ToString(CultureInfo.InvariantCulture) ?? "-", r.CacheStatus ?? "-",
        $"requests {r.Requests}", $"errors {r.Errors}", $"cost {r.CostMicros}", $"in {r.InputTokens}", $"out {r.OutputTokens}",
        $"latency {r.LatencyMsSum.ToString("R", CultureInfo.InvariantCulture)}", $"histogram {string.Join(",", r.Latency)}",
        $"retry {r.RescuedByRetry}", $"fallback {r.RescuedByFallback}");

    private async Task<List<string>> ActualAsync(RollupQuery query) =>
        (await Logs.RollupsAsync(query, default)).Select(Describe).Order(StringComparer.Ordinal).ToList();

    public static TheoryData<string> RollupQueries =>
    [
        "minute", "hour", "day", "hour-whole-range", "hour-part-range", "minute-part-range",
        "by-workspace", "by-provider", "by-model", "by-api-key", "by-virtual-key", "by-config", "by-status", "by-cache-status", "by-all",
        "hour-by-provider-and-model",
        "filter-providers", "filter-models", "filter-model-requested", "filter-api-keys", "filter-virtual-keys", "filter-configs",
        "filter-statuses", "filter-cache-statuses", "filter-provider-by-status", "filter-one-workspace",
    ];

    private static RollupQuery RollupQueryOf(string name, string a, string b)
    {
        var q = new RollupQuery { WorkspaceIds = [a, b], From = T0.AddDays(-3), To = T0.AddDays(1) };
        var whole = q with { ByBucket = false, Grain = RollupGrain.Hour };
        return name switch
        {
            "minute" => q with { Grain = RollupGrain.Minute },
            "hour" => q with { Grain = RollupGrain.Hour },
            "day" => q with { Grain = RollupGrain.Day },
            "hour-whole-range" => whole,
            "hour-part-range" => q with { From = T0.AddDays(-2).AddHours(5), To = T0.AddDays(-1).AddHours(1) },
            "minute-part-range" => q with { Grain = RollupGrain.Minute, From = T0.AddDays(-2).AddHours(5), To = T0.AddDays(-2).AddHours(9) },
            "by-workspace" => whole with { GroupBy = [RollupDimension.Workspace] },
            "by-provider" => whole with { GroupBy = [RollupDimension.Provider] },
            "by-model" => whole with { GroupBy = [RollupDimension.Model] },
            "by-api-key" => whole with { GroupBy = [RollupDimension.ApiKey] },
            "by-virtual-key" => whole with { GroupBy = [RollupDimension.VirtualKey] },
            "by-config" => whole with { GroupBy = [RollupDimension.Config] },
            "by-status" => whole with { GroupBy = [RollupDimension.Status] },
            "by-cache-status" => whole with { GroupBy = [RollupDimension.CacheStatus] },
            "by-all" => whole with { GroupBy = Enum.GetValues<RollupDimension>() },
            "hour-by-provider-and-model" => q with { GroupBy = [RollupDimension.Provider, RollupDimension.Model] },
            "filter-providers" => whole with { Providers = ["openai", "groq"] },
            "filter-models" => q with { Grain = RollupGrain.Day, Models = ["model-1"] },
            "filter-model-requested" => whole with { Models = ["asked-for"] },
            "filter-api-keys" => whole with { ApiKeyIds = ["key_0"] },
            "filter-virtual-keys" => whole with { VirtualKeys = ["vk-1", "vk-2"] },
            "filter-configs" => whole with { ConfigIds = ["config-1"] },
            "filter-statuses" => whole with { Statuses = [429, 500] },
            "filter-cache-statuses" => whole with { CacheStatuses = ["HIT"] },
            "filter-provider-by-status" => whole with { Providers = ["anthropic"], GroupBy = [RollupDimension.Status] },
            "filter-one-workspace" => q with { Grain = RollupGrain.Day, WorkspaceIds = [b] },
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown query."),
        };
    }

    [Theory]
    [MemberData(nameof(RollupQueries))]
    public async Task Rollups_Query_EqualTheRecordsExactly(string name)
    {
        var a = NewWorkspace();
        var b = NewWorkspace();
        var records = RollupSample(a, b);
        await Logs.AppendAsync(records.Take(60).ToList(), default);
        await Logs.AppendAsync(records.Skip(60).ToList(), default);
        var query = RollupQueryOf(name, a, b);

        var expected = Expected(records, query);
        Assert.NotEmpty(expected);
        Assert.Equal(expected, await ActualAsync(query));
    }

    [Fact]
    public async Task Rollups_WholeRange_TotalsEqualTheRecords()
    {
        var a = NewWorkspace();
        var b = NewWorkspace();
        var records = RollupSample(a, b);
        await Logs.AppendAsync(records, default);

        foreach (var grain in new[] { RollupGrain.Minute, RollupGrain.Hour, RollupGrain.Day })
        {
            var row = Assert.Single(await Logs.RollupsAsync(
                new RollupQuery { WorkspaceIds = [a, b], From = T0.AddDays(-3), To = T0.AddDays(1), Grain = grain, ByBucket = false }, default));
            Assert.Equal(T0.AddDays(-3), row.Bucket);
            Assert.Equal(150, row.Requests);
            Assert.Equal(records.Count(r => r.IsError), row.Errors);
            Assert.Equal(records.Sum(r => r.CostMicros), row.CostMicros);
            Assert.Equal(records.Sum(r => (long)r.InputTokens), row.InputTokens);
            Assert.Equal(records.Sum(r => (long)r.OutputTokens), row.OutputTokens);
            Assert.Equal(150, row.Latency.Sum());
            Assert.Null(row.WorkspaceId);
            Assert.Null(row.Provider);
            Assert.Null(row.Status);
        }
    }

    [Fact]
    public async Task Rollups_Latency_GivesPercentilesFromTheHistogram()
    {
        var workspaceId = NewWorkspace();
        // 100 calls: 1 ms … 100 ms. The median is 50 ms, p99 99 ms, read as their buckets' middles.
        var records = Enumerable.Range(1, 100).Select(i => NewRecord(workspaceId, T0.AddHours(12).AddSeconds(i)) with { TotalMs = i }).ToList();
        await Logs.AppendAsync(records, default);

        var row = Assert.Single(await Logs.RollupsAsync(
            new RollupQuery { WorkspaceIds = [workspaceId], From = T0, To = T0.AddDays(1), ByBucket = false }, default));

        Assert.Equal(LatencyHistogram.Buckets, row.Latency.Length);
        Assert.Equal(5050, row.LatencyMsSum);
        Assert.Equal(LatencyHistogram.ValueOf(LatencyHistogram.BucketOf(50)), LatencyHistogram.Percentile(row.Latency, 0.5));
        Assert.Equal(LatencyHistogram.ValueOf(LatencyHistogram.BucketOf(99)), LatencyHistogram.Percentile(row.Latency, 0.99));
        Assert.Equal(LatencyHistogram.ValueOf(LatencyHistogram.BucketOf(1)), LatencyHistogram.Percentile(row.Latency, 0.01));
    }

    // ---- retention ----

    [Fact]
    public async Task ApplyRetention_Expired_DropsThemAndOldRollupBucketsAndKeepsTheRest()
    {
        // A timeline of its own, far from every other test's records (retention applies to the whole store).
        var now = new DateTimeOffset(2001, 6, 1, 12, 0, 0, TimeSpan.Zero);
        var limits = LogStoreLimits.Default;
        var workspaceId = NewWorkspace();
        var expired = NewRecord(workspaceId, now.AddDays(-20)) with { ExpiresAt = now.AddDays(-10) };
        var expiredToo = NewRecord(workspaceId, now.AddDays(-20).AddMinutes(1)) with { ExpiresAt = now.AddDays(-3) };
        var keptOld = NewRecord(workspaceId, now.AddDays(-20).AddMinutes(2)) with { ExpiresAt = now.AddDays(10) };
        var keptNew = NewRecord(workspaceId, now.AddDays(-1)) with { ExpiresAt = now.AddDays(29) };
        var ancient = NewRecord(workspaceId, now.AddDays(-limits.HourRollupDays - 30)) with { ExpiresAt = now.AddDays(5) };
        await Logs.AppendAsync([expired, expiredToo, keptOld, keptNew, ancient], default);

        var result = await Logs.ApplyRetentionAsync(now, default);

        Assert.Equal(2, result.RecordsDropped);
        // Minute rows: the three records 20 days ago and the ancient one; hour rows: the ancient one.
        Assert.Equal(5, result.RollupRowsDropped);
        Assert.Null(await Logs.GetAsync([workspaceId], expired.Id, default));
        Assert.Null(await Logs.GetAsync([workspaceId], expiredToo.Id, default));
        Same(keptOld, await Logs.GetAsync([workspaceId], keptOld.Id, default));
        Same(keptNew, await Logs.GetAsync([workspaceId], keptNew.Id, default));
        Same(ancient, await Logs.GetAsync([workspaceId], ancient.Id, default));
        Assert.Equal([keptNew.Id, keptOld.Id, ancient.Id], Ids((await Logs.SearchAsync(new LogSearch { WorkspaceIds = [workspaceId] }, default)).Records));

        async Task<long> Requests(RollupGrain grain, DateTimeOffset from, DateTimeOffset to) =>
            (await Logs.RollupsAsync(new RollupQuery { WorkspaceIds = [workspaceId], From = from, To = to, Grain = grain, ByBucket = false }, default))
                .Sum(r => r.Requests);

        // Rollups outlive the records they count, for as long as their grain is kept.
        Assert.Equal(0, await Requests(RollupGrain.Minute, now.AddDays(-21), now.AddDays(-19)));
        Assert.Equal(1, await Requests(RollupGrain.Minute, now.AddDays(-2), now));
        Assert.Equal(3, await Requests(RollupGrain.Hour, now.AddDays(-21), now.AddDays(-19)));
        Assert.Equal(3, await Requests(RollupGrain.Day, now.AddDays(-21), now.AddDays(-19)));
        Assert.Equal(0, await Requests(RollupGrain.Hour, now.AddDays(-limits.HourRollupDays - 31), now.AddDays(-limits.HourRollupDays - 29)));

        var again = await Logs.ApplyRetentionAsync(now, default);
        Assert.Equal(0, again.RecordsDropped);
        Assert.Equal(0, again.RollupRowsDropped);
    }

    // ---- feedback ----

    private static LogFeedback NewFeedback(string workspaceId, string traceId, DateTimeOffset at) => new(
        $"fb_{Guid.NewGuid():N}", workspaceId, traceId, 7, 0.75, new Dictionary<string, string> { ["reason"] = "helpful — 東京" }, at, at);

    [Fact]
    public async Task Feedback_AddUpdateGetList_RoundTrips()
    {
        var workspaceId = NewWorkspace();
        var trace = $"trace-{Guid.NewGuid():N}";
        var first = NewFeedback(workspaceId, trace, T0.AddHours(13).AddTicks(10));
        var second = NewFeedback(workspaceId, trace, T0.AddHours(14)) with { Value = -10, Weight = 0, Metadata = new Dictionary<string, string>() };
        var otherTrace = NewFeedback(workspaceId, $"trace-{Guid.NewGuid():N}", T0.AddHours(15));
        await Logs.AddFeedbackAsync([first, second, otherTrace], default);

        SameFeedback(first, await Logs.GetFeedbackAsync([workspaceId], first.Id, default));
        SameFeedback(second, await Logs.GetFeedbackAsync(null, second.Id, default));
        Assert.Null(await Logs.GetFeedbackAsync([workspaceId], "fb_none", default));

        var updated = first with { Value = -2, Weight = 1, Metadata = new Dictionary<string, string> { ["reason"] = "changed" }, UpdatedAt = T0.AddHours(20) };
        Assert.True(await Logs.UpdateFeedbackAsync(updated, default));
        SameFeedback(updated, await Logs.GetFeedbackAsync([workspaceId], first.Id, default));
        Assert.False(await Logs.UpdateFeedbackAsync(updated with { Id = "fb_none" }, default));

        Assert.Equal([first.Id, second.Id], (await Logs.ListFeedbackAsync([workspaceId], null, null, trace, default)).Select(f => f.Id));
        Assert.Equal([first.Id, second.Id, otherTrace.Id], (await Logs.ListFeedbackAsync([workspaceId], null, null, null, default)).Select(f => f.Id));
        Assert.Equal([second.Id], (await Logs.ListFeedbackAsync([workspaceId], T0.AddHours(14), T0.AddHours(15), null, default)).Select(f => f.Id));
    }

    private static void SameFeedback(LogFeedback expected, LogFeedback? actual)
    {
        Assert.NotNull(actual);
        StoreAssert.SameInstant(expected.CreatedAt, actual.CreatedAt);
        StoreAssert.SameInstant(expected.UpdatedAt, actual.UpdatedAt);
        Assert.Equal(expected.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal), actual.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal(expected with { Metadata = actual.Metadata, CreatedAt = actual.CreatedAt, UpdatedAt = actual.UpdatedAt }, actual);
    }

    // ---- exports ----

    private static LogExport NewExport(string workspaceId, DateTimeOffset at) => new(
        $"exp_{Guid.NewGuid():N}", workspaceId, """{"filters":{"status":[200]},"time_of_generation_min":"2026-11-01"}""",
        ["id", "trace_id", "cost", "request"], LogExportStatus.Draft, "November — é", "key_admin", at, at, null, null);

    [Fact]
    public async Task Exports_AddUpdateGetList_RoundTrips()
    {
        var workspaceId = NewWorkspace();
        var draft = NewExport(workspaceId, T0.AddHours(16).AddTicks(20));
        var bare = NewExport(workspaceId, T0.AddHours(17)) with { Description = null, RequestedData = [] };
        await Logs.AddExportAsync(draft, default);
        await Logs.AddExportAsync(bare, default);

        SameExport(draft, await Logs.GetExportAsync([workspaceId], draft.Id, default));
        SameExport(bare, await Logs.GetExportAsync(null, bare.Id, default));
        Assert.Null(await Logs.GetExportAsync([workspaceId], "exp_none", default));

        var started = draft with { Status = LogExportStatus.Success, UpdatedAt = T0.AddHours(18), PinnedAt = T0.AddHours(17).AddTicks(30), Total = 12_345_678_901 };
        Assert.True(await Logs.UpdateExportAsync(started, default));
        SameExport(started, await Logs.GetExportAsync([workspaceId], draft.Id, default));
        Assert.False(await Logs.UpdateExportAsync(started with { Id = "exp_none" }, default));

        var listed = await Logs.ListExportsAsync([workspaceId], default);
        Assert.Equal(2, listed.Count);
        SameExport(started, listed.Single(e => e.Id == draft.Id));
        SameExport(bare, listed.Single(e => e.Id == bare.Id));
    }

    private static void SameExport(LogExport expected, LogExport? actual)
    {
        Assert.NotNull(actual);
        StoreAssert.SameInstant(expected.CreatedAt, actual.CreatedAt);
        StoreAssert.SameInstant(expected.UpdatedAt, actual.UpdatedAt);
        StoreAssert.SameInstant(expected.PinnedAt, actual.PinnedAt);
        Assert.Equal(expected.RequestedData, actual.RequestedData);
        Assert.Equal(
            expected with { RequestedData = actual.RequestedData, CreatedAt = actual.CreatedAt, UpdatedAt = actual.UpdatedAt, PinnedAt = actual.PinnedAt },
            actual);
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }

    /// <summary>Rollup rows compared by their bucket and group columns only (the measures are filled in after grouping).</summary>
    private sealed class RowKeyComparer : IEqualityComparer<RollupRow>
    {
        public static readonly RowKeyComparer Instance = new();

        public bool Equals(RollupRow? x, RollupRow? y) => x is not null && y is not null && Key(x) == Key(y);

        public int GetHashCode(RollupRow obj) => Key(obj).GetHashCode();

        private static (DateTimeOffset, string?, string?, string?, string?, string?, string?, int?, string?) Key(RollupRow r) =>
            (r.Bucket, r.WorkspaceId, r.Provider, r.Model, r.ApiKeyId, r.VirtualKey, r.ConfigId, r.Status, r.CacheStatus);
    }
}
