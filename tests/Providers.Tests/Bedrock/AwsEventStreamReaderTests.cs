using System.IO.Pipelines;
using System.Text;
using Switchyard.Providers.Bedrock;
using Switchyard.Providers.Streaming;

namespace Switchyard.Providers.Tests.Bedrock;

/// <summary>Against the event stream vectors botocore's own decoder is tested with, and Bedrock-shaped frames.</summary>
public sealed class AwsEventStreamReaderTests
{
    private const string EmptyMessage = "000000100000000005c248eb7d98c8ff";
    private const string InitialResponse =
        "0000007e0000004fc5a3ddc60d3a6d6573736167652d747970650700056576656e740b3a6576656e742d74797065070010696e697469616c2d726573706f6e73650d3a636f6e74656e742d74797065070009746578742f6a736f6e7b22496e697469616c526573706f6e7365223a2022736f6d6574657874227df6982483";
    private const string ErrorMessage =
        "0000005200000042bf23637e0d3a6d6573736167652d747970650700056572726f720b3a6572726f722d636f6465070004636f64650e3a6572726f722d6d6573736167650700076d6573736167656b6cea3d";
    private const string AllHeaderTypes =
        "000000620000005203b5cb9c0130000131010132020201330300030134040000000401350500000000000000050136060005627974657301370700047574663801380800000000000000080139093031323334353637383961626364656663353671";
    private const string CorruptedPayload = "0000001d00000000fd528c5a7b27666f6f273a27626172278dc3653936";
    private const string CorruptedLength = "0100001d00000000fd528c5a7b27666f6f273a27626172277dc3653936";

    private static async Task<List<StreamEvent>> ReadAll(byte[] bytes)
    {
        await using var reader = new AwsEventStreamReader(new MemoryStream(bytes));
        var events = new List<StreamEvent>();
        while (await reader.ReadAsync(CancellationToken.None) is { } message)
        {
            events.Add(message);
        }

        return events;
    }

    private static string Text(StreamEvent message) => Encoding.UTF8.GetString(message.Data);

    [Fact]
    public void Crc32_CheckValue_IsTheIeeeOne()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
        Assert.Equal(Crc32.Compute("123456789"u8), Crc32.Append(Crc32.Compute("1234"u8), "56789"u8));
    }

    [Fact]
    public void Encode_EmptyMessage_IsTheCanonicalVector()
    {
        Assert.Equal(EmptyMessage, Convert.ToHexStringLower(EventStreamFrames.Encode([], [])));
    }

    [Fact]
    public async Task ReadAsync_InitialResponseVector_NamesTheEventAndKeepsThePayload()
    {
        var message = Assert.Single(await ReadAll(Convert.FromHexString(InitialResponse)));

        Assert.Equal("initial-response", message.Name);
        Assert.Equal("""{"InitialResponse": "sometext"}""", Text(message));
    }

    [Fact]
    public async Task ReadAsync_AllHeaderTypesVector_SkipsNonStringHeaders()
    {
        var message = Assert.Single(await ReadAll(Convert.FromHexString(AllHeaderTypes)));

        Assert.Null(message.Name);
        Assert.Empty(message.Data);
    }

    [Fact]
    public async Task ReadAsync_ErrorMessageVector_BecomesAnExceptionEventWithJson()
    {
        var message = Assert.Single(await ReadAll(Convert.FromHexString(ErrorMessage)));

        Assert.Equal("exception:code", message.Name);
        Assert.Equal("""{"message":"message"}""", Text(message));
    }

    [Fact]
    public async Task ReadAsync_BedrockException_IsNamedByItsExceptionType()
    {
        var message = Assert.Single(await ReadAll(EventStreamFrames.Exception("throttlingException", """{"message":"Too many requests"}""")));

        Assert.Equal("exception:throttlingException", message.Name);
        Assert.Equal("""{"message":"Too many requests"}""", Text(message));
    }

    [Fact]
    public async Task ReadAsync_SeveralMessages_YieldsEachInOrderThenNull()
    {
        var bytes = EventStreamFrames.Event("messageStart", """{"role":"assistant"}""")
            .Concat(Convert.FromHexString(EmptyMessage))
            .Concat(EventStreamFrames.Event("messageStop", """{"stopReason":"end_turn"}"""))
            .ToArray();

        var events = await ReadAll(bytes);

        Assert.Equal(["messageStart", null, "messageStop"], events.Select(e => e.Name));
        Assert.Equal(["""{"role":"assistant"}""", "", """{"stopReason":"end_turn"}"""], events.Select(Text));
    }

    [Fact]
    public async Task ReadAsync_CorruptedPayloadVector_ThrowsOnTheMessageChecksum()
    {
        var ex = await Assert.ThrowsAsync<StreamProtocolException>(() => ReadAll(Convert.FromHexString(CorruptedPayload)));

        Assert.Equal("an upstream event stream message failed its checksum", ex.Message);
    }

    [Fact]
    public async Task ReadAsync_CorruptedLengthVector_ThrowsOnThePreludeChecksum()
    {
        var ex = await Assert.ThrowsAsync<StreamProtocolException>(() => ReadAll(Convert.FromHexString(CorruptedLength)));

        Assert.Equal("an upstream event stream message failed its prelude checksum", ex.Message);
    }

    [Fact]
    public async Task ReadAsync_StreamEndsInsideAMessage_ThrowsAfterTheWholeOnes()
    {
        var whole = EventStreamFrames.Event("messageStart", """{"role":"assistant"}""");
        var cut = EventStreamFrames.Event("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":"Hi"}}""")[..20];
        await using var reader = new AwsEventStreamReader(new MemoryStream([.. whole, .. cut]));

        Assert.Equal("messageStart", (await reader.ReadAsync(CancellationToken.None))!.Name);
        var ex = await Assert.ThrowsAsync<StreamProtocolException>(() => reader.ReadAsync(CancellationToken.None).AsTask());
        Assert.Equal("the upstream event stream ended in the middle of a message", ex.Message);
    }

    [Fact]
    public async Task ReadAsync_StreamEndsInsideThePrelude_Throws()
    {
        await Assert.ThrowsAsync<StreamProtocolException>(() => ReadAll(Convert.FromHexString(EmptyMessage)[..7]));
    }

    [Fact]
    public async Task ReadAsync_ImpossibleHeadersLength_Throws()
    {
        var bytes = EventStreamFrames.Encode([], "{}"u8.ToArray());
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4), 100);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(8), Crc32.Compute(bytes.AsSpan(0, 8)));

        var ex = await Assert.ThrowsAsync<StreamProtocolException>(() => ReadAll(bytes));

        Assert.StartsWith("an upstream event stream message has an impossible length", ex.Message);
    }

    [Fact]
    public async Task ReadAsync_MessageArrivingInPieces_IsReturnedOnceWhole()
    {
        var pipe = new Pipe();
        await using var reader = new AwsEventStreamReader(pipe.Reader.AsStream());
        var frame = EventStreamFrames.Event("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":"Hello"}}""");

        await pipe.Writer.WriteAsync(frame.AsMemory(0, 10));
        var pending = reader.ReadAsync(CancellationToken.None).AsTask();
        await Task.Yield();
        Assert.False(pending.IsCompleted);
        await pipe.Writer.WriteAsync(frame.AsMemory(10));
        var message = await pending;

        Assert.Equal("contentBlockDelta", message!.Name);
        await pipe.Writer.CompleteAsync();
        Assert.Null(await reader.ReadAsync(CancellationToken.None));
    }
}
