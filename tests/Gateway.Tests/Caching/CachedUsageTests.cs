using System.Text;
using Switchyard.Gateway.Caching;

namespace Switchyard.Gateway.Tests.Caching;

public sealed class CachedUsageTests
{
    private static string? Mark(string usage) => CachedUsage.Mark(Encoding.UTF8.GetBytes(usage)) is { } marked ? Encoding.UTF8.GetString(marked) : null;

    [Fact]
    public void Mark_NoDetails_AddsThemWithEveryPromptTokenCached()
    {
        Assert.Equal(
            """{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15,"prompt_tokens_details":{"cached_tokens":12}}""",
            Mark("""{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}"""));
    }

    [Fact]
    public void Mark_DetailsWithOtherFields_SetsCachedTokensInPlaceAndKeepsTheRest()
    {
        Assert.Equal(
            """{"prompt_tokens":19,"prompt_tokens_details":{"cached_tokens":19,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":4}}""",
            Mark("""{"prompt_tokens":19,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":4}}"""));
        Assert.Equal(
            """{"prompt_tokens":7,"prompt_tokens_details":{"audio_tokens":2,"cached_tokens":7}}""",
            Mark("""{"prompt_tokens":7,"prompt_tokens_details":{"audio_tokens":2}}"""));
    }

    [Fact]
    public void Mark_NullDetails_BecomeAnObject()
    {
        Assert.Equal("""{"prompt_tokens":5,"prompt_tokens_details":{"cached_tokens":5}}""", Mark("""{"prompt_tokens":5,"prompt_tokens_details":null}"""));
    }

    [Theory]
    [InlineData("""{"completion_tokens":3}""")]
    [InlineData("""{"prompt_tokens":"12"}""")]
    [InlineData("""{"prompt_tokens":null}""")]
    [InlineData("null")]
    [InlineData("[]")]
    public void Mark_NoNumericPromptTokens_LeavesUsageAlone(string usage)
    {
        Assert.Null(Mark(usage));
    }
}
