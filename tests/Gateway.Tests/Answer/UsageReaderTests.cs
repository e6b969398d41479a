using System.Text;
using Switchyard.Gateway.Answer;
using Switchyard.Gateway.Pipeline;

namespace Switchyard.Gateway.Tests.Answer;

public sealed class UsageReaderTests
{
    [Fact]
    public void Read_ChatCompletion_ReturnsItsUsage()
    {
        var usage = UsageReader.Read(Encoding.UTF8.GetBytes("""{"id":"x","choices":[{"message":{"usage":{"prompt_tokens":1}}}],"usage":{"prompt_tokens":12,"completion_tokens":5,"total_tokens":17,"prompt_tokens_details":{"cached_tokens":3}}}"""));

        Assert.Equal(new TokenUsage(12, 5, 17, CachedTokens: 3), usage);
    }

    [Fact]
    public void Scan_UsageWithDetails_ReadsCachedAndReasoningTokens()
    {
        var scan = UsageReader.Scan(Encoding.UTF8.GetBytes("""{"choices":[],"usage":{"prompt_tokens":40,"prompt_tokens_details":{"audio_tokens":1,"cached_tokens":32,"nested":{"cached_tokens":99}},"completion_tokens":20,"completion_tokens_details":{"reasoning_tokens":12,"accepted_prediction_tokens":0},"total_tokens":60}}"""));

        Assert.Equal(new TokenUsage(40, 20, 60, CachedTokens: 32, ReasoningTokens: 12), scan.Usage);
        Assert.True(scan.UsageOnly);
    }

    [Fact]
    public void Read_DetailsNull_CountsZero() =>
        Assert.Equal(new TokenUsage(1, 2, 3), UsageReader.Read(Encoding.UTF8.GetBytes("""{"usage":{"prompt_tokens":1,"prompt_tokens_details":null,"completion_tokens":2,"completion_tokens_details":null,"total_tokens":3}}""")));

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
    [InlineData("""{"id":"c","usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}""", true)]
    [InlineData("""{"id":"c","choices":[{"delta":{}}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}""", false)]
    [InlineData("""{"id":"c","usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3},"choices":[{"delta":{"content":"x"}}]}""", false)]
    [InlineData("""{"id":"c","choices":{},"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}""", false)]
    [InlineData("""{"id":"c","choices":[{"delta":{}}],"usage":null}""", false)]
    public void Scan_TellsTheExtraUsageChunkApart(string json, bool usageOnly)
    {
        var scan = UsageReader.Scan(Encoding.UTF8.GetBytes(json));

        Assert.True(scan.IsJson);
        Assert.Equal(usageOnly, scan.UsageOnly);
    }

    [Fact]
    public void Scan_ContentChunkWithUsageNull_IsJsonWithoutUsage()
    {
        var scan = UsageReader.Scan(Encoding.UTF8.GetBytes("""{"id":"c","choices":[{"index":0,"delta":{"content":"hi"}}],"usage":null}"""));

        Assert.Equal(new ChunkScan(true, null, false), scan);
    }

    [Fact]
    public void Scan_ChunkCarryingUsageBesideChoices_ReturnsTheUsage()
    {
        var scan = UsageReader.Scan(Encoding.UTF8.GetBytes("""{"choices":[{"delta":{}}],"usage":{"prompt_tokens":4,"completion_tokens":6}}"""));

        Assert.Equal(new TokenUsage(4, 6, 10), scan.Usage);
        Assert.False(scan.UsageOnly);
    }

    [Theory]
    [InlineData("""{"id": "broken", "choices": [""")]
    [InlineData("""{"a":1}{"b":2}""")]
    [InlineData("not json")]
    [InlineData("")]
    public void Scan_NotJson_SaysSo(string text)
    {
        Assert.False(UsageReader.Scan(Encoding.UTF8.GetBytes(text)).IsJson);
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("\"text\"")]
    public void Scan_JsonThatIsNotAnObject_IsJsonWithoutUsage(string text)
    {
        Assert.Equal(new ChunkScan(true, null, false), UsageReader.Scan(Encoding.UTF8.GetBytes(text)));
    }
}
