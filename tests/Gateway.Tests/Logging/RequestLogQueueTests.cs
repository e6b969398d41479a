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
}
