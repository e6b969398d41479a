using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Switchyard.Gateway.Logging;

namespace Switchyard.Gateway.Tests.Logging;

/// <summary>The writer on a fake clock: the flush interval passes only when a test says so.</summary>
public sealed class RequestLogWriterTests
{
    private readonly FakeTimeProvider _time = new(LogRecords.Now);
    private readonly InMemoryRequestLogStore _store = new();

    private (RequestLogQueue Queue, RequestLogWriter Writer) Create(int batchSize)
    {
        var options = Options.Create(new RequestLogOptions { BatchSize = batchSize, QueueCapacity = 100 });
        var queue = new RequestLogQueue(options);
        return (queue, new RequestLogWriter(queue, _store, options, _time, NullLogger<RequestLogWriter>.Instance));
    }

    [Fact]
    public async Task ExecuteAsync_MoreThanABatch_WritesFullBatchesThenTheRestOnStop()
    {
        var (queue, writer) = Create(batchSize: 2);
        for (var n = 1; n <= 5; n++)
        {
            queue.TryEnqueue(LogRecords.Of(n));
        }

        await writer.StartAsync(default);
        await Eventually.Until(() => _store.Batches.Count == 2);
        await writer.StopAsync(default);

        Assert.Equal([2, 2, 1], _store.Batches.Select(b => b.Count));
        Assert.Equal(Enumerable.Range(1, 5).Select(n => LogRecords.Of(n).Id), _store.Records.Select(r => r.Id));
        Assert.Equal((5L, 0), (queue.Written, queue.Depth));
    }

    [Fact]
    public async Task ExecuteAsync_FlushIntervalPasses_WritesAPartialBatch()
    {
        var (queue, writer) = Create(batchSize: 1000);
        await writer.StartAsync(default);
        queue.TryEnqueue(LogRecords.Of(1));
        queue.TryEnqueue(LogRecords.Of(2));

        await Eventually.Until(() =>
        {
            _time.Advance(TimeSpan.FromMilliseconds(200));
            return _store.Batches.Count == 1;
        });

        Assert.Equal(2, Assert.Single(_store.Batches).Count);
        Assert.Equal(2L, queue.Written);
        await writer.StopAsync(default);
    }

    [Fact]
    public async Task StopAsync_RecordsStillQueued_AreDrained()
    {
        var (queue, writer) = Create(batchSize: 1000);
        await writer.StartAsync(default);
        for (var n = 1; n <= 3; n++)
        {
            queue.TryEnqueue(LogRecords.Of(n));
        }

        await writer.StopAsync(default);

        Assert.Equal(3, _store.Records.Count);
        Assert.Equal((3L, 0), (queue.Written, queue.Depth));
    }

    [Fact]
    public async Task ExecuteAsync_StoreRefusesABatch_RetriesTheSameBatchAfterBackOff()
    {
        var (queue, writer) = Create(batchSize: 2);
        _store.FailNext(1);
        queue.TryEnqueue(LogRecords.Of(1));
        queue.TryEnqueue(LogRecords.Of(2));

        await writer.StartAsync(default);
        await Eventually.Until(() => _store.Failures == 1);
        await Eventually.Until(() =>
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
            return _store.Records.Count == 2;
        });
        await writer.StopAsync(default);

        var batches = _store.Batches.ToList();
        Assert.Equal(2, batches.Count);
        Assert.Equal(batches[0], batches[1]);
        Assert.Equal((2L, 1L), (queue.Written, queue.WriteFailures));
    }

    [Fact]
    public async Task PassAsync_ExpiredRecords_AreDropped()
    {
        await _store.AppendAsync([LogRecords.Of(1, expiresAt: LogRecords.Now.AddMinutes(-1)), LogRecords.Of(2)], default);
        var retention = new LogRetention(_store, Options.Create(new RequestLogOptions()), _time, NullLogger<LogRetention>.Instance);

        var result = await retention.PassAsync(default);

        Assert.Equal(1, result!.RecordsDropped);
        Assert.Equal(LogRecords.Of(2).Id, Assert.Single(_store.Records).Id);
    }

    [Fact]
    public async Task ExecuteAsync_Retention_RunsAfterTheFirstMinuteThenEveryInterval()
    {
        var retention = new LogRetention(_store, Options.Create(new RequestLogOptions { RetentionInterval = TimeSpan.FromHours(1) }), _time, NullLogger<LogRetention>.Instance);
        await retention.StartAsync(default);

        await Eventually.Until(() =>
        {
            _time.Advance(TimeSpan.FromSeconds(30));
            return _store.RetentionPasses == 1;
        });
        await Eventually.Until(() =>
        {
            _time.Advance(TimeSpan.FromMinutes(30));
            return _store.RetentionPasses == 2;
        });
        await retention.StopAsync(default);

        Assert.Equal(2, _store.RetentionPasses);
    }
}
