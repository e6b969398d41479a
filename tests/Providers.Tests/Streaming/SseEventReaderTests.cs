using System.IO.Pipelines;
using System.Text;
using Switchyard.Providers.Streaming;

namespace Switchyard.Providers.Tests.Streaming;

public sealed class SseEventReaderTests
{
    private static async Task<List<StreamEvent>> ReadAll(string text)
    {
        await using var reader = new SseEventReader(new MemoryStream(Encoding.UTF8.GetBytes(text)));
        var events = new List<StreamEvent>();
        while (await reader.ReadAsync(CancellationToken.None) is { } sseEvent)
        {
            events.Add(sseEvent);
        }

        return events;
    }

    private static string Text(StreamEvent sseEvent) => Encoding.UTF8.GetString(sseEvent.Data);

    [Fact]
    public async Task ReadAsync_OpenAiStream_YieldsEachDataEvent()
    {
        var events = await ReadAll("data: {\"a\":1}\n\ndata: {\"a\":2}\n\ndata: [DONE]\n\n");

        Assert.Equal(["{\"a\":1}", "{\"a\":2}", "[DONE]"], events.Select(Text));
        Assert.True(events[2].IsDone);
    }

    [Fact]
    public async Task ReadAsync_CrLfCommentsEventNamesAndMultiLineData_AreParsed()
    {
        var events = await ReadAll(": keep-alive\r\n\r\nevent: message_start\r\ndata: line1\r\ndata: line2\r\nid: 7\r\n\r\ndata:no-space\n\n");

        Assert.Equal(2, events.Count);
        Assert.Equal("message_start", events[0].Name);
        Assert.Equal("line1\nline2", Text(events[0]));
        Assert.Null(events[1].Name);
        Assert.Equal("no-space", Text(events[1]));
    }

    [Fact]
    public async Task ReadAsync_EndsInTheMiddleOfAnEvent_Throws()
    {
        await using var reader = new SseEventReader(new MemoryStream(Encoding.UTF8.GetBytes("data: {\"a\":1}\n\ndata: {\"a\"")));

        Assert.NotNull(await reader.ReadAsync(CancellationToken.None));
        await Assert.ThrowsAsync<StreamProtocolException>(() => reader.ReadAsync(CancellationToken.None).AsTask());
    }

    [Fact]
    public async Task ReadAsync_EventsArrivingInPieces_AreReassembledAndNotDelayed()
    {
        var pipe = new Pipe();
        await using var reader = new SseEventReader(pipe.Reader.AsStream());

        await pipe.Writer.WriteAsync(Encoding.UTF8.GetBytes("data: {\"a\""));
        var pending = reader.ReadAsync(CancellationToken.None).AsTask();
        Assert.False(pending.IsCompleted);
        await pipe.Writer.WriteAsync(Encoding.UTF8.GetBytes(":1}\n\ndata: {\"b\":2}\n\n"));

        Assert.Equal("{\"a\":1}", Text((await pending)!));
        // The second event is already buffered: it must come without more bytes arriving.
        Assert.Equal("{\"b\":2}", Text((await reader.ReadAsync(CancellationToken.None))!));
        await pipe.Writer.CompleteAsync();
        Assert.Null(await reader.ReadAsync(CancellationToken.None));
    }
}
