using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Switchyard.Gateway.Answer;
using Switchyard.Gateway.Caching;
using Switchyard.Gateway.Pipeline;
using Switchyard.Gateway.Routing;
using Switchyard.Gateway.Tests.Pipeline;
using Switchyard.Gateway.Upstream;
using Switchyard.Providers.Dialects;
using Switchyard.Providers.Dialects.Anthropic;
using static Switchyard.Gateway.Tests.Answer.AnswerKit;

namespace Switchyard.Gateway.Tests.Answer;

/// <summary>A route's answer written to the client: pass-through, translated, or a failed attempt in the client's dialect.</summary>
public sealed class ResponseWriterTests
{
    private const string OpenAiCompletion = """
        {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"hello"},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}
        """;

    private const string AnthropicMessage = """
        {"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"hello"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":9,"output_tokens":2}}
        """;

    private static readonly ResponseCaching NoCache = new(
        null, null, null, Options.Create(new GatewayOptions()), new SemanticCacheOptions(), new FakeTimeProvider(), NullLogger<ResponseCaching>.Instance);

    private readonly ResponseWriter _writer = new(
        new StreamRelay(Options.Create(new GatewayOptions()), NoCache, NullLogger<StreamRelay>.Instance), new CachedAnswerWriter(), NoCache, new FakeTimeProvider());
    private readonly RecordingResponse _response = new();

    private async Task<GatewayCall> WriteAsync(UpstreamOutcome outcome, UpstreamRequest request, IClientDialect? dialect = null)
    {
        var call = TestCalls.Chat(TestCalls.ChatBody("gpt-4o"), dialect, _response);
        await using var result = new RouteResult(outcome, "config", 0, request);
        await _writer.WriteAsync(call, result);
        return call;
    }

    [Fact]
    public async Task WriteAsync_OpenAiClientOpenAiProvider_PassesTheBytesThroughAndReadsUsage()
    {
        var call = await WriteAsync(Answered(200, OpenAiCompletion), RequestTo("openai"));

        Assert.Equal(OpenAiCompletion, _response.Body);
        Assert.Equal(200, _response.StatusCode);
        Assert.Equal(200, call.StatusCode);
        Assert.Equal("application/json", _response.Headers[GatewayHeaders.ContentType]);
        Assert.Equal(OpenAiCompletion.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), _response.Headers[GatewayHeaders.ContentLength]);
        Assert.Equal(new TokenUsage(9, 2, 11), call.Usage);
        Assert.True(_response.Headers.ContainsKey(GatewayHeaders.Overhead));
    }

    [Fact]
    public async Task WriteAsync_ProviderHeaders_RelaysItsOwnButNotConnectionOrPortkeyOnes()
    {
        var upstream = AnswerKit.Upstream(200, OpenAiCompletion);
        upstream.Headers.TryAddWithoutValidation("x-request-id", "req-7");
        upstream.Headers.TryAddWithoutValidation("connection", "keep-alive");
        upstream.Headers.TryAddWithoutValidation("x-portkey-trace-id", "spoofed");
        upstream.Headers.TryAddWithoutValidation("server", "upstream/1.0");

        await WriteAsync(UpstreamOutcome.Answered(upstream, System.Text.Encoding.UTF8.GetBytes(OpenAiCompletion)), RequestTo("openai"));

        Assert.Equal("req-7", _response.Headers["x-request-id"]);
        Assert.False(_response.Headers.ContainsKey("connection"));
        Assert.False(_response.Headers.ContainsKey("x-portkey-trace-id"));
        Assert.False(_response.Headers.ContainsKey("server"));
    }

    [Fact]
    public async Task WriteAsync_AnthropicProviderToOpenAiClient_TranslatesTheAnswer()
    {
        var call = await WriteAsync(Answered(200, AnthropicMessage), RequestTo("anthropic", model: "claude-sonnet-4-5"));

        var body = Json(_response.Body);
        Assert.Equal("chat.completion", body.GetProperty("object").GetString());
        Assert.Equal("hello", body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal(new TokenUsage(9, 2, 11), call.Usage);
        Assert.Equal("application/json", _response.Headers[GatewayHeaders.ContentType]);
    }

    [Fact]
    public async Task WriteAsync_OpenAiProviderToAnthropicClient_RendersAnthropicsMessage()
    {
        await WriteAsync(Answered(200, OpenAiCompletion), RequestTo("openai"), AnthropicDialect.Instance);

        var body = Json(_response.Body);
        Assert.Equal("message", body.GetProperty("type").GetString());
        Assert.Equal("hello", body.GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task WriteAsync_TimedOutAttempt_OpenAiClientGetsOpenAisErrorShape()
    {
        var call = await WriteAsync(UpstreamOutcome.TimedOut(TimeSpan.FromMilliseconds(1500)), RequestTo("openai"));

        Assert.Equal(408, _response.StatusCode);
        Assert.Equal(408, call.StatusCode);
        var error = Json(_response.Body).GetProperty("error");
        Assert.Equal("timeout_error", error.GetProperty("type").GetString());
        Assert.Equal("Request exceeded the timeout sent in the request: 1500ms", error.GetProperty("message").GetString());
        Assert.Equal("application/json", _response.Headers[GatewayHeaders.ContentType]);
    }

    [Fact]
    public async Task WriteAsync_UnreachableProvider_AnthropicClientGetsAnthropicsErrorShape()
    {
        await WriteAsync(UpstreamOutcome.Failed("could not reach openai"), RequestTo("openai"), AnthropicDialect.Instance);

        Assert.Equal(502, _response.StatusCode);
        var body = Json(_response.Body);
        Assert.Equal("error", body.GetProperty("type").GetString());
        Assert.Equal("api_error", body.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal("could not reach openai", body.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task WriteAsync_CircuitOpen_Is503WithRetryAfterInWholeSeconds()
    {
        await WriteAsync(UpstreamOutcome.CircuitOpen("the circuit is open", TimeSpan.FromMilliseconds(2100)), RequestTo("openai"));

        Assert.Equal(503, _response.StatusCode);
        Assert.Equal("3", _response.Headers[GatewayHeaders.RetryAfter]);
        Assert.Equal("circuit_open", Json(_response.Body).GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task WriteAsync_ProviderErrorToAnthropicClient_KeepsItsStatusAndMessage()
    {
        const string error = """{"error":{"message":"slow down","type":"rate_limit_error","param":null,"code":null}}""";

        await WriteAsync(Answered(429, error), RequestTo("openai"), AnthropicDialect.Instance);

        Assert.Equal(429, _response.StatusCode);
        var body = Json(_response.Body).GetProperty("error");
        Assert.Equal("rate_limit_error", body.GetProperty("type").GetString());
        Assert.Equal("slow down", body.GetProperty("message").GetString());
    }
}
