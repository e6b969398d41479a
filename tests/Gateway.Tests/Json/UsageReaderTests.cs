using System.Text;
using Switchyard.Gateway.Json;
using Switchyard.Gateway.Pipeline;

namespace Switchyard.Gateway.Tests.Json;

public sealed class UsageReaderTests
{
    [Fact]
    public void Read_ChatCompletion_ReturnsItsUsage()
    {
        var usage = UsageReader.Read(Encoding.UTF8.GetBytes("""{"id":"x","choices":[{"message":{"usage":{"prompt_tokens":1}}}],"usage":{"prompt_tokens":12,"completion_tokens":5,"total_tokens":17,"prompt_tokens_details":{"cached_tokens":3}}}"""));

        Assert.Equal(new TokenUsage(12, 5, 17), usage);
    }

    [Theory]
    [InlineData("""{"usage":null}""")]
    [InlineData("""{"choices":[]}""")]
    [InlineData("not json")]
    [InlineData("[]")]
    public void Read_NoUsage_ReturnsNull(string json)
    {
        Assert.Null(UsageReader.Read(Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void Read_EmbeddingsUsageWithoutCompletion_TotalsThePrompt()
    {
        Assert.Equal(new TokenUsage(7, 0, 7), UsageReader.Read(Encoding.UTF8.GetBytes("""{"usage":{"prompt_tokens":7}}""")));
    }

    [Theory]
    [InlineData("""{"id":"c","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}""", true)]
    [InlineData("""{"id":"c","choices":[{"delta":{}}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}""", false)]
    [InlineData("""{"id":"c","choices":[{"delta":{}}],"usage":null}""", false)]
    public void IsUsageOnlyChunk_TellsTheExtraChunkApart(string json, bool expected)
    {
        Assert.Equal(expected, UsageReader.IsUsageOnlyChunk(Encoding.UTF8.GetBytes(json), out _));
    }
}
