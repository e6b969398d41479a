using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Switchyard.Gateway.Answer;
using Switchyard.Gateway.Caching;
using Switchyard.Gateway.Pipeline;
using Switchyard.Gateway.Tests.Pipeline;
using Switchyard.Providers.Dialects;
using Switchyard.Providers.Dialects.Anthropic;
using static Switchyard.Gateway.Tests.Answer.AnswerKit;

namespace Switchyard.Gateway.Tests.Answer;

/// <summary>An upstream stream relayed event by event, and ended with an error event when it breaks.</summary>
public sealed class StreamRelayTests
{
    private const string Hello = """{"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":"hel"},"finish_reason":null}]}""";
    private const string Lo = """{"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}]}""";
    private const string UsageOnly = """{"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}""";

    private readonly StreamRelay _relay = new(
        Options.Create(new GatewayOptions()),
        new ResponseCaching(null, null, null, Options.Create(new GatewayOptions()), new SemanticCacheOptions(), TimeProvider.System, NullLogger<ResponseCaching>.Instance),
        NullLogger<StreamRelay>.Instance);
    private readonly RecordingResponse _response = new();

    private static string Sse(params string[] data) => string.Concat(data.Select(d => $"data: {d}\n\n"));

    private async Task<GatewayCall> RelayAsync(string provider, string eventStream, IClientDialect? dialect = null, bool dropUsageChunk = false)
    {
        var request = RequestTo(provider, stream: true, model: provider == "anthropic" ? "claude-sonnet-4-5" : "gpt-4o");
        await using var outcome = await StreamingAsync(request, eventStream);
        var call = TestCalls.Chat(TestCalls.ChatBody("gpt-4o", stream: true), dialect, _response);
        await _relay.RelayAsync(call, request, outcome, dropUsageChunk);
        return call;
    }

    [Fact]
    public async Task RelayAsync_OpenAiToOpenAiClient_RelaysEveryEventAsItCame()
    {
        var stream = Sse(Hello, Lo, "[DONE]");

        var call = await RelayAsync("openai", stream);

        Assert.Equal(stream, _response.Body);
        Assert.True(_response.HasStarted);
        Assert.Equal(3, _response.Flushes);
        Assert.Null(call.StreamFailure);
    }

    [Fact]
    public async Task RelayAsync_UsageChunkTheGatewayAskedFor_IsReadButNotRelayed()
    {
        var call = await RelayAsync("openai", Sse(Hello, Lo, UsageOnly, "[DONE]"), dropUsageChunk: true);

        Assert.Equal(Sse(Hello, Lo, "[DONE]"), _response.Body);
        Assert.Equal(new TokenUsage(9, 2, 11), call.Usage);
    }

    [Fact]
    public async Task RelayAsync_UsageChunkTheClientAskedFor_IsRelayed()
    {
        var call = await RelayAsync("openai", Sse(Hello, UsageOnly, "[DONE]"));

        Assert.Equal(Sse(Hello, UsageOnly, "[DONE]"), _response.Body);
        Assert.Equal(new TokenUsage(9, 2, 11), call.Usage);
    }

    [Fact]
    public async Task RelayAsync_StreamEndsBeforeItsFinalEvent_EndsWithAnErrorEvent()
    {
        var call = await RelayAsync("openai", Sse(Hello, Lo));

        Assert.Equal("the upstream stream ended before its final event", call.StreamFailure);
        Assert.StartsWith(Sse(Hello, Lo), _response.Body, StringComparison.Ordinal);
        var error = Json(_response.Body[Sse(Hello, Lo).Length..]["data: ".Length..]).GetProperty("error");
        Assert.Equal("stream_error", error.GetProperty("type").GetString());
        Assert.Equal("upstream_stream_interrupted", error.GetProperty("code").GetString());
        Assert.Equal("Stream interrupted: the upstream stream ended before its final event. The response above is incomplete.", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task RelayAsync_MalformedChunk_StopsThereWithAnErrorEvent()
    {
        var call = await RelayAsync("openai", Sse(Hello, "{not json", Lo, "[DONE]"));

        Assert.Equal("the upstream sent a malformed chunk (not valid JSON)", call.StreamFailure);
        Assert.DoesNotContain("\"lo\"", _response.Body, StringComparison.Ordinal);
        Assert.Contains("upstream_stream_interrupted", _response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RelayAsync_OpenAiToAnthropicClient_WritesAnthropicsEvents()
    {
        var call = await RelayAsync("openai", Sse(Hello, Lo, UsageOnly, "[DONE]"), AnthropicDialect.Instance);

        Assert.Null(call.StreamFailure);
        Assert.StartsWith("event: message_start\n", _response.Body, StringComparison.Ordinal);
        Assert.Contains("event: content_block_delta\n", _response.Body, StringComparison.Ordinal);
        Assert.Contains("event: message_stop\n", _response.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("[DONE]", _response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RelayAsync_BrokenStreamToAnthropicClient_EndsWithAnthropicsErrorEvent()
    {
        var call = await RelayAsync("openai", Sse(Hello), AnthropicDialect.Instance);

        Assert.Equal("the upstream stream ended before its final event", call.StreamFailure);
        Assert.Contains("event: error\n", _response.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("event: message_stop", _response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RelayAsync_ErrorTheProviderReportsInStream_EndsWithAnErrorEvent()
    {
        const string stream = """
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"usage":{"input_tokens":9,"output_tokens":0}}}

            event: error
            data: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}


            """;

        var call = await RelayAsync("anthropic", stream.Replace("\r\n", "\n", StringComparison.Ordinal));

        Assert.StartsWith("the provider reported an error: ", call.StreamFailure, StringComparison.Ordinal);
        Assert.Contains("upstream_stream_interrupted", _response.Body, StringComparison.Ordinal);
    }
}
