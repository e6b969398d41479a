using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Switchyard.Gateway.Health;
using Switchyard.Gateway.Pipeline;
using Switchyard.Gateway.Routing;
using Switchyard.Gateway.Targets;
using Switchyard.Gateway.Tests.Health;
using Switchyard.Gateway.Tests.Pipeline;
using Switchyard.Gateway.Tests.Upstream;
using Switchyard.Gateway.Upstream;

namespace Switchyard.Gateway.Tests.Targets;

/// <summary>One target called with its retries, breaker and per-attempt timeout, against a scripted loopback provider.</summary>
public sealed class TargetInvokerTests : IDisposable
{
    private static readonly string Ok = LoopbackProvider.Json(200, "{}");
    private static readonly string ServerError = LoopbackProvider.Json(500, """{"error":{"message":"boom"}}""");

    private readonly FakeTimeProvider _time = new();
    private readonly UpstreamClient _client = new(new CustomHostPolicy(new GatewayOptions().TrustedHosts), NullLogger<UpstreamClient>.Instance);
    private readonly CircuitBreakers _breakers;
    private readonly InMemoryProviderHealth _health;
    private readonly TargetInvoker _invoker;

    public TargetInvokerTests()
    {
        _breakers = CircuitTestKit.Breakers(CircuitTestKit.Clock(), out _health);
        // No back-off between retries, so nothing waits on the clock but the timeout under test.
        var options = Options.Create(new GatewayOptions { RetryBaseDelay = TimeSpan.Zero, RetryMaxDelay = TimeSpan.Zero });
        _invoker = new TargetInvoker(_client, options, _time, _breakers);
    }

    public void Dispose() => _client.Dispose();

    private static RetrySettings Retry(int attempts, params int[] onStatusCodes) => new(attempts, onStatusCodes.Length > 0 ? onStatusCodes : RetrySettings.DefaultStatusCodes, false);

    private Task<TargetResult> InvokeAsync(UpstreamRequest request, RetrySettings? retry = null, CircuitSettings? circuit = null) =>
        _invoker.InvokeAsync(request, retry, circuit, new CallTimings(0), default);

    [Fact]
    public async Task InvokeAsync_NoRetry_OneAttemptAndNoRetriesCounted()
    {
        await using var provider = new LoopbackProvider(ServerError);

        var result = await InvokeAsync(CircuitTestKit.Request(baseUrl: provider.BaseUrl));
        await using var outcome = result.Outcome;

        Assert.Equal(500, outcome.StatusCode);
        Assert.Equal(0, result.RetryCount);
        Assert.Equal(1, provider.Requests);
    }

    [Fact]
    public async Task InvokeAsync_RetriedUntilSuccess_CountsTheRetries()
    {
        await using var provider = new LoopbackProvider(ServerError, ServerError, Ok);

        var result = await InvokeAsync(CircuitTestKit.Request(baseUrl: provider.BaseUrl), Retry(3));
        await using var outcome = result.Outcome;

        Assert.True(outcome.IsSuccess);
        Assert.Equal(2, result.RetryCount);
        Assert.Equal(3, provider.Requests);
    }

    [Fact]
    public async Task InvokeAsync_RetriesRunOutOnARetryableAnswer_IsMinusOne()
    {
        await using var provider = new LoopbackProvider(ServerError, ServerError, ServerError);

        var result = await InvokeAsync(CircuitTestKit.Request(baseUrl: provider.BaseUrl), Retry(2));
        await using var outcome = result.Outcome;

        Assert.Equal(500, outcome.StatusCode);
        Assert.Equal(-1, result.RetryCount);
        Assert.Equal(3, provider.Requests);
    }

    [Fact]
    public async Task InvokeAsync_StatusNotListed_IsNotRetried()
    {
        await using var provider = new LoopbackProvider(ServerError, Ok);

        var result = await InvokeAsync(CircuitTestKit.Request(baseUrl: provider.BaseUrl), Retry(2, 429));
        await using var outcome = result.Outcome;

        Assert.Equal(500, outcome.StatusCode);
        Assert.Equal(0, result.RetryCount);
        Assert.Equal(1, provider.Requests);
    }

    [Fact]
    public async Task InvokeAsync_NoAnswerWithinTheTimeout_IsTimedOut()
    {
        await using var provider = new LoopbackProvider([null]);
        var request = CircuitTestKit.Request(baseUrl: provider.BaseUrl) with { Timeout = TimeSpan.FromSeconds(5) };

        var invoking = InvokeAsync(request);
        await provider.Holding.Task;
        _time.Advance(TimeSpan.FromSeconds(5));
        var result = await invoking;

        Assert.Equal(OutcomeKind.Timeout, result.Outcome.Kind);
        Assert.Equal(408, result.Outcome.StatusCode);
        Assert.Equal("Request exceeded the timeout sent in the request: 5000ms", result.Outcome.Problem);
        Assert.Equal(0, result.RetryCount);
    }

    [Fact]
    public async Task InvokeAsync_CircuitOpen_SkipsTheTargetWithoutCallingIt()
    {
        await using var provider = new LoopbackProvider(Ok);
        var request = CircuitTestKit.Request(baseUrl: provider.BaseUrl);
        await _health.PublishOpenAsync(TargetKey.For(request), DateTimeOffset.MaxValue, default);
        var circuit = new CircuitSettings(true, null, null, null, null, null);

        var result = await InvokeAsync(request, circuit: circuit);

        Assert.Equal(OutcomeKind.CircuitOpen, result.Outcome.Kind);
        Assert.Equal(503, result.Outcome.StatusCode);
        Assert.Equal(0, result.RetryCount);
        Assert.Equal(0, provider.Requests);
    }

    [Fact]
    public async Task InvokeAsync_WithAttemptLog_WritesDownEveryRetry()
    {
        await using var provider = new LoopbackProvider(ServerError, Ok);
        var call = TestCalls.Chat(TestCalls.ChatBody("gpt-4o"));
        var request = CircuitTestKit.Request(baseUrl: provider.BaseUrl);

        var result = await _invoker.InvokeAsync(request, Retry(2), null, call.Timings, default, new AttemptLog(call, "config.targets[1]"));
        await using var outcome = result.Outcome;

        Assert.Equal(
            [(0, "config.targets[1]", request.ProviderSlug, 500, "api_error"), (1, "config.targets[1]", request.ProviderSlug, 200, null)],
            call.Attempts.Select(a => (a.Index, a.OptionPath, a.Provider, a.Status, a.ErrorType)));
    }

    [Fact]
    public async Task InvokeAsync_WithAttemptLogCircuitOpen_WritesDownTheSkipAs503()
    {
        await using var provider = new LoopbackProvider(Ok);
        var call = TestCalls.Chat(TestCalls.ChatBody("gpt-4o"));
        var request = CircuitTestKit.Request(baseUrl: provider.BaseUrl);
        await _health.PublishOpenAsync(TargetKey.For(request), DateTimeOffset.MaxValue, default);

        await _invoker.InvokeAsync(request, null, new CircuitSettings(true, null, null, null, null, null), call.Timings, default, new AttemptLog(call, "config"));

        var attempt = Assert.Single(call.Attempts);
        Assert.Equal((503, "circuit_open"), (attempt.Status, attempt.ErrorType));
    }

    [Fact]
    public async Task InvokeAsync_WithAttemptLogTimedOut_WritesDownA408()
    {
        await using var provider = new LoopbackProvider([null]);
        var call = TestCalls.Chat(TestCalls.ChatBody("gpt-4o"));
        var request = CircuitTestKit.Request(baseUrl: provider.BaseUrl) with { Timeout = TimeSpan.FromSeconds(5) };

        var invoking = _invoker.InvokeAsync(request, null, null, call.Timings, default, new AttemptLog(call, "config"));
        await provider.Holding.Task;
        _time.Advance(TimeSpan.FromSeconds(5));
        await invoking;

        var attempt = Assert.Single(call.Attempts);
        Assert.Equal((408, "timeout_error"), (attempt.Status, attempt.ErrorType));
    }
}
