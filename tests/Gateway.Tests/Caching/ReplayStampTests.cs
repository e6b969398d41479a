using System.Text;
using Microsoft.Extensions.Time.Testing;
using Switchyard.Gateway.Caching;
using Switchyard.Providers;

namespace Switchyard.Gateway.Tests.Caching;

public sealed class ReplayStampTests
{
    private static readonly ReplayStamp Stamp = new("chatcmpl-fresh", 1_700_000_000);

    private static string Apply(string json, bool addIdentity = true) => Encoding.UTF8.GetString(Stamp.Apply(Encoding.UTF8.GetBytes(json), addIdentity));

    [Fact]
    public void New_ChatAndTextCompletions_HaveOpenAiStyleIdsAndTheClocksSeconds()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_750_000_000_900));

        var chat = ReplayStamp.New(ApiOperation.ChatCompletions, time);
        var text = ReplayStamp.New(ApiOperation.Completions, time);

        Assert.Matches("^chatcmpl-[0-9a-f]{32}$", chat.Id);
        Assert.Matches("^cmpl-[0-9a-f]{32}$", text.Id);
        Assert.Equal(1_750_000_000, chat.Created);
        Assert.NotEqual(chat.Id[^32..], text.Id[^32..]);
    }

    [Fact]
    public void Apply_Completion_ReplacesIdCreatedAndMarksUsageKeepingEveryOtherByte()
    {
        Assert.Equal(
            "{\n  \"id\": \"chatcmpl-fresh\",\n  \"object\": \"chat.completion\",\n  \"created\": 1700000000,\n  \"model\": \"gpt-4o\",\n  \"choices\": [{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"caf\\u00e9\"}}],\n  \"usage\": {\"prompt_tokens\": 9, \"completion_tokens\": 1, \"total_tokens\": 10,\"prompt_tokens_details\":{\"cached_tokens\":9}}\n}",
            Apply("{\n  \"id\": \"chatcmpl-old\",\n  \"object\": \"chat.completion\",\n  \"created\": 1600000000,\n  \"model\": \"gpt-4o\",\n  \"choices\": [{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"caf\\u00e9\"}}],\n  \"usage\": {\"prompt_tokens\": 9, \"completion_tokens\": 1, \"total_tokens\": 10}\n}"));
    }

    [Fact]
    public void Apply_NullUsage_StaysNull()
    {
        Assert.Equal("""{"id":"chatcmpl-fresh","created":1700000000,"usage":null}""", Apply("""{"id":"x","created":1,"usage":null}"""));
    }

    [Fact]
    public void Apply_NoIdentity_AddsItOnlyWhenAsked()
    {
        Assert.Equal("""{"object":"list","usage":{"prompt_tokens":3,"total_tokens":3,"prompt_tokens_details":{"cached_tokens":3}}}""",
            Apply("""{"object":"list","usage":{"prompt_tokens":3,"total_tokens":3}}""", addIdentity: false));
        Assert.Equal("""{"object":"x","id":"chatcmpl-fresh","created":1700000000}""", Apply("""{"object":"x"}"""));
    }
}
