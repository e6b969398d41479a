using System.Collections.Concurrent;
using Switchyard.State;

namespace Switchyard.Gateway.Tests.Logging;

/// <summary>
/// The request log in memory, for the writer's and the observer's tests: appends (skipping ids it holds, as every
/// store must), the batches as they came, and failures on demand. Reads other than what those tests need throw.
/// </summary>
internal sealed class InMemoryRequestLogStore : IRequestLogStore
{
    private readonly ConcurrentDictionary<string, RequestLogRecord> _records = new();
    private int _failuresLeft;

    public ConcurrentQueue<IReadOnlyList<string>> Batches { get; } = new();

    public int Failures;

    public int RetentionPasses;

    public IReadOnlyCollection<RequestLogRecord> Records => _records.Values.OrderBy(r => r.Id, StringComparer.Ordinal).ToList();

    /// <summary>The next <paramref name="count"/> appends throw, as a database that is away would.</summary>
    public void FailNext(int count) => Volatile.Write(ref _failuresLeft, count);

    public Task AppendAsync(IReadOnlyList<RequestLogRecord> records, CancellationToken cancellationToken)
    {
        Batches.Enqueue(records.Select(r => r.Id).ToList());
        if (Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            Interlocked.Increment(ref Failures);
            throw new InvalidOperationException("the log database is away");
        }

        foreach (var record in records)
        {
            _records.TryAdd(record.Id, record);
        }

        return Task.CompletedTask;
    }

    public Task<LogRetentionResult> ApplyRetentionAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref RetentionPasses);
        var expired = _records.Values.Where(r => r.ExpiresAt <= now).Select(r => r.Id).ToList();
        foreach (var id in expired)
        {
            _records.TryRemove(id, out _);
        }

        return Task.FromResult(new LogRetentionResult(expired.Count, 0, 0));
    }

    public Task<RequestLogRecord?> GetAsync(IReadOnlyList<string>? workspaceIds, string id, CancellationToken cancellationToken) =>
        Task.FromResult(_records.GetValueOrDefault(id));

    public Task<LogPage> SearchAsync(LogSearch search, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<long> CountAsync(LogSearch search, CancellationToken cancellationToken) => throw new NotSupportedException();

    public IAsyncEnumerable<RequestLogRecord> ReadAllAsync(LogSearch search, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IReadOnlyList<RequestLogRecord>> TraceAsync(IReadOnlyList<string>? workspaceIds, string traceId, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IReadOnlyList<RollupRow>> RollupsAsync(RollupQuery query, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task AddFeedbackAsync(IReadOnlyList<LogFeedback> feedback, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<bool> UpdateFeedbackAsync(LogFeedback feedback, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<LogFeedback?> GetFeedbackAsync(IReadOnlyList<string>? workspaceIds, string id, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IReadOnlyList<LogFeedback>> ListFeedbackAsync(IReadOnlyList<string>? workspaceIds, DateTimeOffset? from, DateTimeOffset? to, string? traceId, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task AddExportAsync(LogExport export, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<bool> UpdateExportAsync(LogExport export, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<LogExport?> GetExportAsync(IReadOnlyList<string>? workspaceIds, string id, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IReadOnlyList<LogExport>> ListExportsAsync(IReadOnlyList<string>? workspaceIds, CancellationToken cancellationToken) => throw new NotSupportedException();
}
