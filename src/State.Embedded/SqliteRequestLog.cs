using System.Runtime.CompilerServices;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Switchyard.State.Embedded;

/// <summary>
/// The request log in its own SQLite file (<see cref="SqliteRequestLogSchema"/>), beside the catalog so log writes
/// never hold the catalog's write lock. Every write (appends, retention, feedback, exports) runs on one thread of its
/// own over one connection with prepared statements (<see cref="SqliteGrainStorageThread"/>: SQLite's I/O is
/// synchronous, and a batch of thousands of rows must not hold a pool thread); reads use pooled connections and run
/// beside writes under WAL. The file migrates itself on first use, so a host that migrated only the catalog still logs.
/// </summary>
/// <remarks>
/// An append is one transaction: <c>INSERT OR IGNORE</c> per record, then the minute and hour rollups of exactly the
/// rows inserted, so a retried batch counts once. Retention never runs a table-wide DELETE: it deletes at most
/// <see cref="LogStoreLimits.DeleteBatch"/> rows per statement, each its own transaction, so appends interleave.
/// </remarks>
internal sealed class SqliteRequestLog : IRequestLogStore, IDisposable
{
    /// <summary>Rows per statement when streaming a search (exports): short statements, so no read holds a snapshot long.</summary>
    private const int ReadAllPage = 1000;

    /// <summary>
    /// The page size of a new log file: rows of a kilobyte or more with their bodies, appended in batches, write about a
    /// quarter less CPU (fewer WAL frames and system calls per row) and take a sixth less room than in 4 KiB pages.
    /// </summary>
    internal const int PageSize = 16_384;

    private readonly SqliteDatabase _database;
    private readonly LogStoreLimits _limits;
    private readonly SqliteGrainStorageThread _writer;
    private readonly Lock _migrationLock = new();
    private Task? _migrated;
    private int _disposed;

    // Owned by the writer thread: opened there on first use, closed there on dispose.
    private SqliteConnection? _connection;
    private PreparedStatement? _insert;
    private readonly Dictionary<(RollupGrain, int?), PreparedStatement> _upserts = [];

    public SqliteRequestLog(string path, LogStoreLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentOutOfRangeException.ThrowIfLessThan(limits.DeleteBatch, 1);
        Path = System.IO.Path.GetFullPath(path);
        _database = new SqliteDatabase(path, PageSize);
        _limits = limits;
        _writer = new SqliteGrainStorageThread($"Request log {System.IO.Path.GetFileName(path)}");
    }

    /// <summary>The absolute path of the log's file.</summary>
    public string Path { get; }

    public async Task AppendAsync(IReadOnlyList<RequestLogRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return;
        }

        await WriteAsync(connection => Append(connection, records), cancellationToken);
    }

    public async Task<RequestLogRecord?> GetAsync(IReadOnlyList<string>? workspaceIds, string id, CancellationToken cancellationToken)
    {
        var filter = SqliteLogFilter.Scoped(workspaceIds).Compare("id", "=", id);
        return (await ReadRecordsAsync(filter, "", cancellationToken)).SingleOrDefault();
    }

    public async Task<LogPage> SearchAsync(LogSearch search, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(search.Limit, 1);
        var filter = SqliteLogFilter.Of(search).Compare("id", "<", search.Before);

        // One more than asked: whether it exists says whether there is a next page.
        var records = await ReadRecordsAsync(filter, $" ORDER BY id DESC LIMIT {search.Limit + 1}", cancellationToken);
        return records.Count > search.Limit
            ? new LogPage(records.GetRange(0, search.Limit), records[search.Limit - 1].Id)
            : new LogPage(records, null);
    }

    public async Task<long> CountAsync(LogSearch search, CancellationToken cancellationToken)
    {
        await MigratedAsync(cancellationToken);
        var filter = SqliteLogFilter.Of(search);
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM request_logs{filter.Where}";
        filter.BindTo(command);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async IAsyncEnumerable<RequestLogRecord> ReadAllAsync(LogSearch search, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? after = null;
        while (true)
        {
            var filter = SqliteLogFilter.Of(search).Compare("id", ">", after);
            var page = await ReadRecordsAsync(filter, $" ORDER BY id LIMIT {ReadAllPage}", cancellationToken);
            foreach (var record in page)
            {
                yield return record;
            }

            if (page.Count < ReadAllPage)
            {
                yield break;
            }

            after = page[^1].Id;
        }
    }

    public async Task<IReadOnlyList<RequestLogRecord>> TraceAsync(IReadOnlyList<string>? workspaceIds, string traceId, CancellationToken cancellationToken)
    {
        var filter = SqliteLogFilter.Scoped(workspaceIds).Compare("trace_id", "=", traceId);
        return await ReadRecordsAsync(filter, " ORDER BY created_at, id", cancellationToken);
    }

    public async Task<IReadOnlyList<RollupRow>> RollupsAsync(RollupQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await MigratedAsync(cancellationToken);
        await using var connection = await _database.OpenAsync(cancellationToken);
        return SqliteLogRollupTables.Read(connection, query);
    }

    public async Task<LogRetentionResult> ApplyRetentionAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        long records = 0;
        long rollupRows = 0;
        var batch = _limits.DeleteBatch;

        // Each statement is its own write on the writer thread, so appends queued meanwhile run between them.
        async Task<long> Drain(Func<SqliteConnection, int> deleteBatch)
        {
            long total = 0;
            int deleted;
            do
            {
                deleted = await WriteAsync(deleteBatch, cancellationToken);
                total += deleted;
            }
            while (deleted >= batch);

            return total;
        }

        records += await Drain(c => DeleteExpired(c, now, batch));
        rollupRows += await Drain(c => SqliteLogRollupTables.DeleteBefore(c, null, RollupGrain.Minute, now.AddDays(-_limits.MinuteRollupDays), batch));
        rollupRows += await Drain(c => SqliteLogRollupTables.DeleteBefore(c, null, RollupGrain.Hour, now.AddDays(-_limits.HourRollupDays), batch));

        // The size cap: pages in use, not the file's length (freed pages stay in the file and are reused, so trimming
        // stops the file growing rather than shrinking it). Oldest records first; rollups are never trimmed for size.
        while (await WriteAsync(UsedBytes, cancellationToken) > _limits.MaxBytes)
        {
            var trimmed = await WriteAsync(c => DeleteOldest(c, batch), cancellationToken);
            records += trimmed;
            if (trimmed == 0)
            {
                break;
            }
        }

        return new LogRetentionResult(records, 0, rollupRows);
    }

    public async Task AddFeedbackAsync(IReadOnlyList<LogFeedback> feedback, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(feedback);
        if (feedback.Count == 0)
        {
            return;
        }

        var rows = feedback.Select(FeedbackRow.From).ToList();
        await WriteAsync(
            c =>
            {
                using var transaction = c.BeginTransaction();

                // An id stored before is kept as it was: a retried request adds nothing.
                c.Execute(
                    """
                    INSERT OR IGNORE INTO log_feedback (id, workspace_id, trace_id, value, weight, metadata, created_at, updated_at)
                    VALUES (@Id, @WorkspaceId, @TraceId, @Value, @Weight, @Metadata, @CreatedAt, @UpdatedAt)
                    """,
                    rows, transaction);
                transaction.Commit();
                return 0;
            },
            cancellationToken);
    }

    public async Task<bool> UpdateFeedbackAsync(LogFeedback feedback, CancellationToken cancellationToken)
    {
        var row = FeedbackRow.From(feedback);
        return await WriteAsync(
            c => c.Execute(
                "UPDATE log_feedback SET value = @Value, weight = @Weight, metadata = @Metadata, updated_at = @UpdatedAt WHERE id = @Id AND workspace_id = @WorkspaceId",
                row),
            cancellationToken) > 0;
    }

    public async Task<LogFeedback?> GetFeedbackAsync(IReadOnlyList<string>? workspaceIds, string id, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync<FeedbackRow>(FeedbackRow.Select, SqliteLogFilter.Scoped(workspaceIds).Compare("id", "=", id), "", cancellationToken);
        return rows.SingleOrDefault()?.ToRecord();
    }

    public async Task<IReadOnlyList<LogFeedback>> ListFeedbackAsync(
        IReadOnlyList<string>? workspaceIds, DateTimeOffset? from, DateTimeOffset? to, string? traceId, CancellationToken cancellationToken)
    {
        var filter = SqliteLogFilter.Scoped(workspaceIds)
            .Compare("created_at", ">=", LogTime.Write(from))
            .Compare("created_at", "<", LogTime.Write(to))
            .Compare("trace_id", "=", traceId);
        var rows = await QueryAsync<FeedbackRow>(FeedbackRow.Select, filter, " ORDER BY created_at, id", cancellationToken);
        return [.. rows.Select(r => r.ToRecord())];
    }

    public async Task AddExportAsync(LogExport export, CancellationToken cancellationToken)
    {
        var row = ExportRow.From(export);
        await WriteAsync(
            c => c.Execute(
                """
                INSERT INTO log_exports (id, workspace_id, filters_json, requested_data, status, description, created_by, created_at, updated_at, pinned_at, total)
                VALUES (@Id, @WorkspaceId, @FiltersJson, @RequestedData, @Status, @Description, @CreatedBy, @CreatedAt, @UpdatedAt, @PinnedAt, @Total)
                """,
                row),
            cancellationToken);
    }

    public async Task<bool> UpdateExportAsync(LogExport export, CancellationToken cancellationToken)
    {
        var row = ExportRow.From(export);
        return await WriteAsync(
            c => c.Execute(
                """
                UPDATE log_exports SET filters_json = @FiltersJson, requested_data = @RequestedData, status = @Status, description = @Description,
                    updated_at = @UpdatedAt, pinned_at = @PinnedAt, total = @Total
                WHERE id = @Id AND workspace_id = @WorkspaceId
                """,
                row),
            cancellationToken) > 0;
    }

    public async Task<LogExport?> GetExportAsync(IReadOnlyList<string>? workspaceIds, string id, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync<ExportRow>(ExportRow.Select, SqliteLogFilter.Scoped(workspaceIds).Compare("id", "=", id), "", cancellationToken);
        return rows.SingleOrDefault()?.ToRecord();
    }

    public async Task<IReadOnlyList<LogExport>> ListExportsAsync(IReadOnlyList<string>? workspaceIds, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync<ExportRow>(ExportRow.Select, SqliteLogFilter.Scoped(workspaceIds), " ORDER BY created_at DESC, id DESC", cancellationToken);
        return [.. rows.Select(r => r.ToRecord())];
    }

    /// <summary>Finishes the writes queued, closes the writer's connection, then releases the file.</summary>
    public void Dispose()
    {
        // Once: the host disposes both the EmbeddedStores and this store, which it also serves as IRequestLogStore.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            _writer.RunAsync(
                () =>
                {
                    _insert?.Dispose();
                    foreach (var upsert in _upserts.Values)
                    {
                        upsert.Dispose();
                    }

                    _connection?.Dispose();
                    _connection = null;
                    return 0;
                },
                CancellationToken.None).Wait();
        }
        catch (ObjectDisposedException)
        {
            // Disposed before.
        }

        _writer.Dispose();
        _database.Close();
    }

    private int Append(SqliteConnection connection, IReadOnlyList<RequestLogRecord> records)
    {
        _insert ??= SqliteRequestLogRows.PrepareInsert(connection);

        using var transaction = connection.BeginTransaction();
        var inserted = new List<RequestLogRecord>(records.Count);
        foreach (var record in records)
        {
            SqliteRequestLogRows.Bind(_insert, record);
            if (_insert.Execute() == 1)
            {
                inserted.Add(record);
            }
        }

        foreach (var grain in (ReadOnlySpan<RollupGrain>)[RollupGrain.Minute, RollupGrain.Hour])
        {
            foreach (var delta in LogRollups.Of(inserted, grain))
            {
                var single = SqliteLogRollupTables.SingleHistogramBucket(delta);
                var upsert = Upsert(connection, grain, single);
                SqliteLogRollupTables.Bind(upsert, delta, single is not null);
                upsert.Execute();
            }
        }

        transaction.Commit();
        return inserted.Count;
    }

    /// <summary>The writer's prepared UPSERT for a grain, for all latency columns or (a single-bucket delta) one.</summary>
    private PreparedStatement Upsert(SqliteConnection connection, RollupGrain grain, int? histogramBucket)
    {
        if (!_upserts.TryGetValue((grain, histogramBucket), out var upsert))
        {
            upsert = SqliteLogRollupTables.PrepareUpsert(connection, grain, histogramBucket);
            _upserts.Add((grain, histogramBucket), upsert);
        }

        return upsert;
    }

    /// <summary>One bounded statement: deletes at most <paramref name="limit"/> records expired before <paramref name="now"/>.</summary>
    internal static int DeleteExpired(SqliteConnection connection, DateTimeOffset now, int limit) => Execute(
        connection,
        "DELETE FROM request_logs WHERE rowid IN (SELECT rowid FROM request_logs WHERE expires_at < @Now LIMIT @Limit)",
        ("@Now", LogTime.Write(now)), ("@Limit", limit));

    /// <summary>One bounded statement: deletes the <paramref name="limit"/> oldest records (ids sort like creation times).</summary>
    internal static int DeleteOldest(SqliteConnection connection, int limit) => Execute(
        connection, "DELETE FROM request_logs WHERE rowid IN (SELECT rowid FROM request_logs ORDER BY id LIMIT @Limit)", ("@Limit", limit));

    /// <summary>Bytes in pages that hold data: the file's pages less the free ones waiting for reuse.</summary>
    internal static long UsedBytes(SqliteConnection connection)
    {
        long Pragma(string name)
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA {name}";
            return (long)command.ExecuteScalar()!;
        }

        return (Pragma("page_count") - Pragma("freelist_count")) * Pragma("page_size");
    }

    private static int Execute(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command.ExecuteNonQuery();
    }

    /// <summary>Runs <paramref name="write"/> on the writer thread, over its connection, once the file is migrated.</summary>
    private async Task<T> WriteAsync<T>(Func<SqliteConnection, T> write, CancellationToken cancellationToken)
    {
        await MigratedAsync(cancellationToken);
        return await _writer.RunAsync(() => write(_connection ??= OpenWriter()), cancellationToken);
    }

    private SqliteConnection OpenWriter()
    {
        var connection = _database.Open();
        using var command = connection.CreateCommand();

        // WAL with synchronous NORMAL: a commit no longer waits for the disk; an application crash loses nothing, a power
        // cut may lose the last commits of a log, never corrupt it. A larger page cache keeps the indexes' hot pages in memory.
        command.CommandText = "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536;";
        command.ExecuteNonQuery();
        return connection;
    }

    private async Task<List<RequestLogRecord>> ReadRecordsAsync(SqliteLogFilter filter, string orderAndLimit, CancellationToken cancellationToken)
    {
        await MigratedAsync(cancellationToken);
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {SqliteRequestLogRows.SelectList} FROM request_logs{filter.Where}{orderAndLimit}";
        filter.BindTo(command);
        var records = new List<RequestLogRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            records.Add(SqliteRequestLogRows.Read(reader));
        }

        return records;
    }

    private async Task<List<TRow>> QueryAsync<TRow>(string select, SqliteLogFilter filter, string order, CancellationToken cancellationToken)
    {
        await MigratedAsync(cancellationToken);
        await using var connection = await _database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<TRow>(new CommandDefinition($"{select}{filter.Where}{order}", filter.ToParameters(), cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>Migrates the log's file once per process (again after a failure).</summary>
    private Task MigratedAsync(CancellationToken cancellationToken)
    {
        lock (_migrationLock)
        {
            if (_migrated is null || _migrated.IsFaulted || _migrated.IsCanceled)
            {
                _migrated = new SqliteMigrator(_database, SqliteRequestLogSchema.All).MigrateAsync(CancellationToken.None);
            }

            return _migrated.IsCompletedSuccessfully ? Task.CompletedTask : _migrated.WaitAsync(cancellationToken);
        }
    }

    private sealed class FeedbackRow
    {
        public const string Select =
            "SELECT id AS Id, workspace_id AS WorkspaceId, trace_id AS TraceId, value AS Value, weight AS Weight, metadata AS Metadata, " +
            "created_at AS CreatedAt, updated_at AS UpdatedAt FROM log_feedback";

        public string Id { get; set; } = "";
        public string WorkspaceId { get; set; } = "";
        public string TraceId { get; set; } = "";
        public long Value { get; set; }
        public double Weight { get; set; }
        public string Metadata { get; set; } = "{}";
        public long CreatedAt { get; set; }
        public long UpdatedAt { get; set; }

        public static FeedbackRow From(LogFeedback f) => new()
        {
            Id = f.Id,
            WorkspaceId = f.WorkspaceId,
            TraceId = f.TraceId,
            Value = f.Value,
            Weight = f.Weight,
            Metadata = StoredJson.WriteMap(f.Metadata),
            CreatedAt = LogTime.Write(f.CreatedAt),
            UpdatedAt = LogTime.Write(f.UpdatedAt),
        };

        public LogFeedback ToRecord() => new(
            Id, WorkspaceId, TraceId, checked((int)Value), Weight, StoredJson.ReadMap(Metadata), LogTime.Read(CreatedAt), LogTime.Read(UpdatedAt));
    }

    private sealed class ExportRow
    {
        public const string Select =
            "SELECT id AS Id, workspace_id AS WorkspaceId, filters_json AS FiltersJson, requested_data AS RequestedData, status AS Status, " +
            "description AS Description, created_by AS CreatedBy, created_at AS CreatedAt, updated_at AS UpdatedAt, pinned_at AS PinnedAt, total AS Total " +
            "FROM log_exports";

        public string Id { get; set; } = "";
        public string WorkspaceId { get; set; } = "";
        public string FiltersJson { get; set; } = "";
        public string RequestedData { get; set; } = "[]";
        public string Status { get; set; } = "";
        public string? Description { get; set; }
        public string CreatedBy { get; set; } = "";
        public long CreatedAt { get; set; }
        public long UpdatedAt { get; set; }
        public long? PinnedAt { get; set; }
        public long? Total { get; set; }

        public static ExportRow From(LogExport e) => new()
        {
            Id = e.Id,
            WorkspaceId = e.WorkspaceId,
            FiltersJson = e.FiltersJson,
            RequestedData = StoredJson.WriteList(e.RequestedData),
            Status = e.Status,
            Description = e.Description,
            CreatedBy = e.CreatedBy,
            CreatedAt = LogTime.Write(e.CreatedAt),
            UpdatedAt = LogTime.Write(e.UpdatedAt),
            PinnedAt = LogTime.Write(e.PinnedAt),
            Total = e.Total,
        };

        public LogExport ToRecord() => new(
            Id, WorkspaceId, FiltersJson, StoredJson.ReadList(RequestedData), Status, Description, CreatedBy,
            LogTime.Read(CreatedAt), LogTime.Read(UpdatedAt), LogTime.Read(PinnedAt), Total);
    }
}
