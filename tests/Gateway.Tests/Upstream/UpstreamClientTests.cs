using Microsoft.Extensions.Logging.Abstractions;
using Switchyard.Gateway.Tests.Health;
using Switchyard.Gateway.Upstream;

namespace Switchyard.Gateway.Tests.Upstream;

/// <summary>One attempt at a provider on loopback, and how it ended.</summary>
public sealed class UpstreamClientTests : IDisposable
{
    private readonly UpstreamClient _client = new(new CustomHostPolicy(new GatewayOptions().TrustedHosts), NullLogger<UpstreamClient>.Instance);

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task SendAsync_JsonAnswer_IsAnsweredWithItsStatusBodyAndRetryAfter()
    {
        await using var provider = new LoopbackProvider(LoopbackProvider.Json(429, """{"error":{"message":"slow"}}""", "Retry-After: 7\r\n"));

        await using var outcome = await _client.SendAsync(CircuitTestKit.Request(baseUrl: provider.BaseUrl), default);

        Assert.Equal(OutcomeKind.Response, outcome.Kind);
        Assert.Equal(429, outcome.StatusCode);
        Assert.Equal("""{"error":{"message":"slow"}}""", System.Text.Encoding.UTF8.GetString(outcome.Body!));
        Assert.Equal(TimeSpan.FromSeconds(7), outcome.RetryAfter);
    }

    [Fact]
    public async Task SendAsync_TwoHundredWithInvalidJson_IsInvalid()
    {
        await using var provider = new LoopbackProvider(LoopbackProvider.Json(200, "{\"choices\": ["));

        await using var outcome = await _client.SendAsync(CircuitTestKit.Request(baseUrl: provider.BaseUrl), default);

        Assert.Equal(OutcomeKind.InvalidResponse, outcome.Kind);
        Assert.Equal(502, outcome.StatusCode);
        Assert.Equal("openai answered 200 with a body that is not valid JSON", outcome.Problem);
    }

    [Fact]
    public async Task SendAsync_NobodyListening_IsFailed()
    {
        string baseUrl;
        await using (var provider = new LoopbackProvider())
        {
            baseUrl = provider.BaseUrl;
        }

        await using var outcome = await _client.SendAsync(CircuitTestKit.Request(baseUrl: baseUrl), default);

        Assert.Equal(OutcomeKind.Network, outcome.Kind);
        Assert.Equal(502, outcome.StatusCode);
        Assert.StartsWith("could not reach openai at 127.0.0.1:", outcome.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_Stream_ReadsUpToTheFirstEvent()
    {
        await using var provider = new LoopbackProvider(LoopbackProvider.EventStream("data: {\"n\":1}\n\ndata: [DONE]\n\n"));

        await using var outcome = await _client.SendAsync(CircuitTestKit.Request(baseUrl: provider.BaseUrl) with { Stream = true }, default);

        Assert.True(outcome.IsSuccess);
        Assert.Equal("{\"n\":1}", System.Text.Encoding.UTF8.GetString(outcome.FirstEvent!.Data));
        Assert.True((await outcome.Events!.ReadAsync(default))!.IsDone);
    }

    [Fact]
    public async Task SendAsync_StreamWhoseFirstEventIsNotJson_IsInvalid()
    {
        await using var provider = new LoopbackProvider(LoopbackProvider.EventStream("data: not json\n\n"));

        await using var outcome = await _client.SendAsync(CircuitTestKit.Request(baseUrl: provider.BaseUrl) with { Stream = true }, default);

        Assert.Equal(OutcomeKind.InvalidResponse, outcome.Kind);
        Assert.Equal("openai: the upstream stream's first event is not valid JSON", outcome.Problem);
    }
}
