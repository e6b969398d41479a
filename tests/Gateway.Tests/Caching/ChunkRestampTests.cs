using System.Text;
using Switchyard.Gateway.Caching;

namespace Switchyard.Gateway.Tests.Caching;

public sealed class ChunkRestampTests
{
    private const string First = """{"id":"chatcmpl-old","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}""";

    private static readonly ReplayStamp Stamp = new("chatcmpl-new", 1800000000);

    private static string? Apply(string chunk) =>
        ChunkRestamp.For(Encoding.UTF8.GetBytes(First), Stamp)!.TryApply(Encoding.UTF8.GetBytes(chunk)) is { } bytes ? Encoding.UTF8.GetString(bytes) : null;

    [Fact]
    public void TryApply_CompactChunk_ReplacesIdAndCreatedAndKeepsEveryOtherByte()
    {
        var chunk = """{"id":"chatcmpl-old","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}""";

        Assert.Equal(
            """{"id":"chatcmpl-new","object":"chat.completion.chunk","created":1800000000,"model":"gpt-4o","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}""",
            Apply(chunk));
    }

    [Fact]
    public void TryApply_TheOldIdQuotedInsideContent_IsLeftThere()
    {
        var chunk = """{"id":"chatcmpl-old","created":1700000000,"choices":[{"index":0,"delta":{"content":"{\"id\":\"chatcmpl-old\"}"}}]}""";

        Assert.Equal("""{"id":"chatcmpl-new","created":1800000000,"choices":[{"index":0,"delta":{"content":"{\"id\":\"chatcmpl-old\"}"}}]}""", Apply(chunk));
    }

    [Fact]
    public void TryApply_CreatedThatOnlyStartsTheSame_GoesTheGeneralWay()
    {
        Assert.Null(Apply("""{"id":"chatcmpl-old","created":17000000001,"choices":[]}"""));
    }

    [Theory]
    [InlineData("""{"id":"chatcmpl-old","created":1700000000,"choices":[],"usage":{"prompt_tokens":3}}""")]
    [InlineData("""{"id": "chatcmpl-old", "created": 1700000000, "choices": []}""")]
    [InlineData("""{"id":"chatcmpl-other","created":1700000000,"choices":[]}""")]
    public void TryApply_UsageOtherSpacingOrAnotherId_GoesTheGeneralWay(string chunk) => Assert.Null(Apply(chunk));

    [Fact]
    public void For_FirstChunkWithoutAStringId_IsNone() =>
        Assert.Null(ChunkRestamp.For("""{"created":1700000000,"choices":[]}"""u8, Stamp));
}
