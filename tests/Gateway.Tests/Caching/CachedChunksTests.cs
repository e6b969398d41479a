using System.Buffers;
using System.Text;
using Switchyard.Gateway.Caching;

namespace Switchyard.Gateway.Tests.Caching;

public sealed class CachedChunksTests
{
    [Fact]
    public void Encode_NoChunks_IsTheFormatByteAndDecodesToNone()
    {
        var body = CachedChunks.Encode([]);

        Assert.Equal([CachedChunks.Format], body);
        Assert.Empty(CachedChunks.Decode(body));
    }

    [Fact]
    public void Encode_Chunks_AreLengthPrefixedBigEndian()
    {
        var body = CachedChunks.Encode(["ab"u8.ToArray(), [], [0xFF]]);

        Assert.Equal([1, 0, 0, 0, 2, (byte)'a', (byte)'b', 0, 0, 0, 0, 0, 0, 0, 1, 0xFF], body);
    }

    [Fact]
    public void Decode_ChunksOfAnyBytes_GivesThemBackExactlyInOrder()
    {
        byte[][] chunks =
        [
            Encoding.UTF8.GetBytes("""{"id":"chatcmpl-1","choices":[{"index":0,"delta":{"content":"café ☕\n"}}]}"""),
            [],
            [0, 1, 2, 0xFF, 0xFE, (byte)'\n', (byte)'\r', 0],
            "[DONE]"u8.ToArray(),
        ];

        var decoded = CachedChunks.Decode(CachedChunks.Encode(chunks));

        Assert.Equal(chunks.Length, decoded.Count);
        for (var i = 0; i < chunks.Length; i++)
        {
            Assert.Equal(chunks[i], decoded[i]);
        }
    }

    [Fact]
    public void Decode_LargeChunks_RoundTrip()
    {
        var large = new byte[3 * 1024 * 1024 + 7];
        new Random(42).NextBytes(large);
        var many = Enumerable.Range(0, 10_000).Select(i => Encoding.ASCII.GetBytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();

        var decoded = CachedChunks.Decode(CachedChunks.Encode([large, .. many, large]));

        Assert.Equal(10_002, decoded.Count);
        Assert.Equal(large, decoded[0]);
        Assert.Equal(large, decoded[^1]);
        Assert.Equal(many, decoded.Skip(1).Take(10_000));
    }

    [Fact]
    public void Append_ChunksAsTheyArrive_IsTheSameAsEncode()
    {
        byte[][] chunks = ["one"u8.ToArray(), "two"u8.ToArray()];
        var output = new ArrayBufferWriter<byte>();

        CachedChunks.Begin(output);
        foreach (var chunk in chunks)
        {
            CachedChunks.Append(output, chunk);
        }

        Assert.Equal(CachedChunks.Encode(chunks), output.WrittenSpan.ToArray());
    }

    [Theory]
    [InlineData(new byte[0], "A stored stream is empty.")]
    [InlineData(new byte[] { 2 }, "A stored stream has format 2; this build reads format 1.")]
    [InlineData(new byte[] { 1, 0, 0 }, "A stored stream ends inside a chunk's length.")]
    [InlineData(new byte[] { 1, 0, 0, 0, 3, 1, 2 }, "A stored stream's chunk claims 3 bytes where 2 remain.")]
    [InlineData(new byte[] { 1, 0xFF, 0xFF, 0xFF, 0xFF }, "A stored stream's chunk claims -1 bytes where 0 remain.")]
    public void Decode_NotAnEncoding_ThrowsInvalidDataException(byte[] body, string message)
    {
        Assert.Equal(message, Assert.Throws<InvalidDataException>(() => CachedChunks.Decode(body)).Message);
    }
}
