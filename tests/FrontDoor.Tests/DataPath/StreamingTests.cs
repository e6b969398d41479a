using System.Net;
using System.Text.Json;
using Switchyard.FrontDoor.Tests.Infrastructure;

namespace Switchyard.FrontDoor.Tests.DataPath;

public sealed class StreamingTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private async Task<(HttpResponseMessage Response, SseTranscript Transcript)> StreamAsync(HttpRequestMessage request)
    {
        var response = await fixture.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return (response, await SseTranscript.ReadAsync(response));
    }

    [Fact]
    public async Task Stream_Relayed_ContentMatchesTheJsonAnswerAndEndsWithDone()
    {
        var scenario = Requests.NewScenario();
        var trace = Requests.NewScenario();
        using var json = await fixture.Client.SendAsync(Requests.Chat("fake-gpt|words=12", "same text").ToFake(fixture));
        var expected = (await json.JsonAsync()).GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString();

        var (response, transcript) = await StreamAsync(Requests.Chat($"fake-gpt|words=12|scenario={scenario}", "same text", stream: true).ToFake(fixture).WithHeader("x-portkey-trace-id", trace));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("config", response.Header("x-portkey-last-used-option-index"));
        Assert.False(transcript.Broken);
        Assert.True(transcript.EndedWithDone);
        Assert.Equal(expected, transcript.Content);
        Assert.Equal(15, transcript.Data.Count); // role chunk + 12 words + finish chunk + [DONE]; the usage chunk the gateway asked for is not relayed
        Assert.DoesNotContain(transcript.Chunks, c => c.GetProperty("choices").GetArrayLength() == 0);

        // The gateway asked upstream for usage and captured it.
        var sent = JsonDocument.Parse(fixture.Fake.Journal.ForScenario(scenario)[0].Body).RootElement;
        Assert.True(sent.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
        await Eventually.Until(() => fixture.Calls.ContainsKey(trace));
        Assert.Equal(12, fixture.Calls[trace].Usage!.CompletionTokens);
    }

    [Fact]
    public async Task Stream_ClientAskedForUsage_GetsTheUsageChunk()
    {
        var (response, transcript) = await StreamAsync(Requests.Chat("fake-gpt|words=3", stream: true, extra: ",\"stream_options\":{\"include_usage\":true}").ToFake(fixture));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var usage = Assert.Single(transcript.Chunks, c => c.GetProperty("choices").GetArrayLength() == 0);
        Assert.Equal(3, usage.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.True(transcript.EndedWithDone);
    }

    [Fact]
    public async Task Stream_ClientStreamOptionsWithoutUsage_KeepsItsOtherOptions()
    {
        var scenario = Requests.NewScenario();
        var (_, transcript) = await StreamAsync(Requests.Chat($"fake-gpt|words=2|scenario={scenario}", stream: true, extra: ",\"stream_options\":{\"include_obfuscation\":false}").ToFake(fixture));

        Assert.True(transcript.EndedWithDone);
        var sent = JsonDocument.Parse(fixture.Fake.Journal.ForScenario(scenario)[0].Body).RootElement.GetProperty("stream_options");
        Assert.Equal("""{"include_obfuscation":false,"include_usage":true}""", sent.GetRawText());
    }

    [Fact]
    public async Task Stream_FirstTargetFailsBeforeTheFirstByte_FallsBack()
    {
        var config = $$"""{"strategy":{"mode":"fallback"},"targets":[{{Requests.Target(fixture, "fake-gpt|status=503")}},{{Requests.Target(fixture, "fake-gpt-mini|words=4")}}]}""";
        var (response, transcript) = await StreamAsync(Requests.Chat("x", stream: true).WithConfig(config));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("config.targets[1]", response.Header("x-portkey-last-used-option-index"));
        Assert.True(transcript.EndedWithDone);
    }

    [Fact]
    public async Task Stream_CutBeforeTheFirstEvent_IsRetried()
    {
        var scenario = Requests.NewScenario();
        var config = Requests.Target(fixture, $"fake-gpt|words=4|scenario={scenario}|times=1|cut-after=0", ",\"retry\":{\"attempts\":2}");
        var (response, transcript) = await StreamAsync(Requests.Chat("x", stream: true).WithConfig(config));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("1", response.Header("x-portkey-retry-attempt-count"));
        Assert.True(transcript.EndedWithDone);
        Assert.Equal(2, fixture.Fake.Journal.ForScenario(scenario).Count);
    }

    [Theory]
    [InlineData("cut-after=3", "the upstream stream broke off")]
    [InlineData("stall-after=3|stall=10000", "the upstream stream stalled: no event for 1 s")]
    [InlineData("malformed-after=3", "the upstream sent a malformed chunk (not valid JSON)")]
    public async Task Stream_FailsMidWay_EndsWithAnErrorEventNotDone(string fault, string problem)
    {
        var trace = Requests.NewScenario();
        var (response, transcript) = await StreamAsync(Requests.Chat($"fake-gpt|words=10|{fault}", stream: true).ToFake(fixture).WithHeader("x-portkey-trace-id", trace));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(transcript.EndedWithDone);
        var last = transcript.Chunks.Last();
        var error = last.GetProperty("error");
        Assert.Equal("stream_error", error.GetProperty("type").GetString());
        Assert.Equal("upstream_stream_interrupted", error.GetProperty("code").GetString());
        Assert.StartsWith($"Stream interrupted: {problem}", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(4, transcript.Chunks.Count(c => !c.TryGetProperty("error", out _))); // the role chunk and the 3 words before the fault
        await Eventually.Until(() => fixture.Calls.ContainsKey(trace));
        Assert.StartsWith(problem, fixture.Calls[trace].StreamFailure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stream_ProviderErrorBeforeStreaming_IsAJsonError()
    {
        using var response = await fixture.Client.SendAsync(Requests.Chat("fake-gpt|status=429", stream: true).ToFake(fixture));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("rate_limit_error", (await response.JsonAsync()).GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task Stream_Completions_AreRelayedToo()
    {
        var (response, transcript) = await StreamAsync(Requests.Post("/v1/completions", """{"model":"fake-gpt","prompt":"a b","stream":true}""").ToFake(fixture));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(transcript.EndedWithDone);
        Assert.Equal("You said: a b", string.Concat(transcript.Chunks.Where(c => c.GetProperty("choices").GetArrayLength() > 0).Select(c => c.GetProperty("choices")[0].GetProperty("text").GetString())));
    }
}
