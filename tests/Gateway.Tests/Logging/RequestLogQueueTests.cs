using Microsoft.Extensions.Options;
using Switchyard.Gateway.Logging;

namespace Switchyard.Gateway.Tests.Logging;

public sealed class RequestLogQueueTests
{
    [Fact]
    public void TryEnqueue_PastCapacity_DropsAndCounts()
    {
        var queue = new RequestLogQueue(Options.Create(new RequestLogOptions { QueueCapacity = 3 }));

        var accepted = Enumerable.Range(1, 5).Select(n => queue.TryEnqueue(LogRecords.Of(n))).ToList();

        Assert.Equal([true, true, true, false, false], accepted);
        Assert.Equal((3L, 2L, 3), (queue.Enqueued, queue.Dropped, queue.Depth));
    }

    [Fact]
    public void TryEnqueue_AfterARead_HasRoomAgain()
    {
        var queue = new RequestLogQueue(Options.Create(new RequestLogOptions { QueueCapacity = 1 }));
        queue.TryEnqueue(LogRecords.Of(1));

        Assert.True(queue.Reader.TryRead(out var first));
        Assert.True(queue.TryEnqueue(LogRecords.Of(2)));

        Assert.Equal(LogRecords.Of(1).Id, first!.Record.Id);
        Assert.Equal((2L, 0L, 1), (queue.Enqueued, queue.Dropped, queue.Depth));
    }

    [Fact]
    public void TryEnqueue_PastTheBodyBudget_QueuesTheRecordWithoutItsBodies_UntilTheWriterTakesSome()
    {
        var queue = new RequestLogQueue(Options.Create(new RequestLogOptions { MaxQueuedBodyBytes = 250 }));
        LoggedCall WithBodies(int n) => new(LogRecords.Of(n) with { Bodies = State.LogBodies.Full })
        {
            Bodies = State.LogBodies.Full,
            RequestBody = new byte[100],
        };

        Assert.True(queue.TryEnqueue(WithBodies(1)));
        Assert.True(queue.TryEnqueue(WithBodies(2)));
        Assert.True(queue.TryEnqueue(WithBodies(3)));                       // 300 bytes would pass the budget

        Assert.Equal((3L, 0L, 1L, 200L), (queue.Enqueued, queue.Dropped, queue.BodiesShed, queue.HeldBodyBytes));
        var queued = new List<LoggedCall>();
        while (queue.Reader.TryRead(out var call))
        {
            queued.Add(call);
        }

        var shed = queued[2].Complete(1000);
        Assert.Equal((State.LogBodies.Off, true), (shed.Bodies, shed.Truncated));
        Assert.Null(shed.RequestBody);
        Assert.NotNull(queued[0].Complete(1000).RequestBody);

        queue.Taken(queued[0]);
        Assert.Equal(100L, queue.HeldBodyBytes);
        Assert.True(queue.TryEnqueue(WithBodies(4)));
        Assert.Equal((1L, 200L), (queue.BodiesShed, queue.HeldBodyBytes));
    }
}
