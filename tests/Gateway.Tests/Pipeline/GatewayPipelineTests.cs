using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Switchyard.Gateway.Pipeline;
using Switchyard.Gateway.Security;
using Switchyard.Gateway.Tests.Admission;
using Switchyard.Gateway.Tests.Health;
using Switchyard.Providers;
using Switchyard.Providers.Dialects;
using Switchyard.Providers.Dialects.Anthropic;
using Switchyard.Providers.Dialects.OpenAi;
using Switchyard.State;
using static Switchyard.Gateway.Tests.Answer.AnswerKit;

namespace Switchyard.Gateway.Tests.Pipeline;

/// <summary>
/// The pipeline as the host gets it from <c>AddSwitchyardGateway</c>, with its state in memory: what the order of its
/// steps shows from outside. Calls are refused before any provider is reached (the end-to-end tests in
/// tests/FrontDoor.Tests cover answered calls).
/// </summary>
public sealed class GatewayPipelineTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 5, 1, 12, 0, 30, TimeSpan.Zero);

    private readonly InMemoryQuotaBank _bank = new();
    private readonly CallRecorder _observer = new();
    private readonly ServiceProvider _services;

    public GatewayPipelineTests()
    {
        _services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<TimeProvider>(new FakeTimeProvider(Now))
            .AddSingleton<IQuotaBank>(_bank)
            .AddSingleton<IProviderHealth>(new InMemoryProviderHealth("replica-test"))
            .AddSingleton(SnapshotStore.Of(new KeySnapshot([DefaultWorkspace], [], [], [])))
            .AddSingleton<ICallObserver>(_observer)
            .AddSwitchyardGateway()
            .BuildServiceProvider();
    }

    /// <summary>The keyless caller's workspace: one request a minute.</summary>
    private static Workspace DefaultWorkspace { get; } = new("ws-default", KeyDirectory.DefaultWorkspaceSlug, "default", null, new Dictionary<string, string>(),
        new Limits(null, [new RateLimit(RateLimitKind.Requests, RateLimitUnit.PerMinute, 1)], null), false, Now, Now);

    public async Task InitializeAsync() =>
        await _services.GetRequiredService<KeyDirectory>().RefreshAsync(_services.GetRequiredService<TimeProvider>(), default);

    public Task DisposeAsync() => _services.DisposeAsync().AsTask();

    private async Task<RecordingResponse> HandleAsync(FakeClientRequest request, IClientDialect? dialect = null)
    {
        var response = new RecordingResponse();
        await _services.GetRequiredService<GatewayPipeline>().HandleAsync(ApiOperation.ChatCompletions, dialect ?? OpenAiDialect.Instance, request, response);
        return response;
    }

    private static FakeClientRequest Chat(string body, params (string Name, string Value)[] headers) => new(body, headers);

    [Fact]
    public async Task HandleAsync_BodyError_IsWrittenInTheGatewayShapeAndObserversSeeItsStatus()
    {
        var response = await HandleAsync(new FakeClientRequest("model=gpt-4o", []) { ContentType = "text/plain" });

        Assert.Equal(400, response.StatusCode);
        Assert.Equal("application/json", response.Headers[GatewayHeaders.ContentType]);
        var body = Json(response.Body);
        Assert.Equal("failure", body.GetProperty("status").GetString());
        Assert.Equal("Invalid content type passed: 'text/plain'. Send the body as JSON with the header Content-Type: application/json.", body.GetProperty("message").GetString());
        Assert.Equal(400, Assert.Single(_observer.Calls).StatusCode);
    }

    [Fact]
    public async Task HandleAsync_FaultOfItsOwn_IsRethrownForTheHost_AfterObserversSawA500()
    {
        await using var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<TimeProvider>(new FakeTimeProvider(Now))
            .AddSingleton<IQuotaBank>(_bank)
            .AddSingleton<IProviderHealth>(new InMemoryProviderHealth("replica-test"))
            .AddSingleton(SnapshotStore.Of(new KeySnapshot([DefaultWorkspace], [], [], [])))
            .AddSingleton<ICallObserver>(new FaultyObserver())
            .AddSingleton<ICallObserver>(_observer)
            .AddSwitchyardGateway()
            .BuildServiceProvider();
        await services.GetRequiredService<KeyDirectory>().RefreshAsync(services.GetRequiredService<TimeProvider>(), default);

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => services.GetRequiredService<GatewayPipeline>()
            .HandleAsync(ApiOperation.ChatCompletions, OpenAiDialect.Instance, Chat(TestCalls.ChatBody("gpt-4o"), (GatewayHeaders.Provider, "openai")), new RecordingResponse()));

        Assert.Equal("a bug", thrown.Message);
        var call = Assert.Single(_observer.Calls);
        Assert.Equal(500, call.StatusCode);
        Assert.Equal(GatewayPipeline.InternalError, call.ErrorType);
        Assert.Equal("The gateway failed inside (InvalidOperationException).", call.ErrorMessage);
    }

    /// <summary>An observer with a bug: asked whether it wants the answer, it throws.</summary>
    private sealed class FaultyObserver : ICallObserver
    {
        public bool WantsAnswer(GatewayCall call) => throw new InvalidOperationException("a bug");

        public void OnCompleted(GatewayCall call)
        {
        }
    }

    [Fact]
    public async Task HandleAsync_TraceIdSent_IsEchoedAndGivenToObservers()
    {
        var response = await HandleAsync(Chat(TestCalls.ChatBody("gpt-4o"), (GatewayHeaders.TraceId, "trace-42")));

        Assert.Equal("trace-42", response.Headers[GatewayHeaders.TraceId]);
        Assert.Equal("DISABLED", response.Headers[GatewayHeaders.CacheStatus]);
        Assert.Equal("trace-42", Assert.Single(_observer.Calls).TraceId);
    }

    [Fact]
    public async Task HandleAsync_NoTraceIdSent_AnswersANewOne()
    {
        var response = await HandleAsync(Chat(TestCalls.ChatBody("gpt-4o")));

        Assert.True(Guid.TryParse(response.Headers[GatewayHeaders.TraceId], out _));
        Assert.Equal(response.Headers[GatewayHeaders.TraceId], Assert.Single(_observer.Calls).TraceId);
    }

    [Fact]
    public async Task HandleAsync_RefusalToAnAnthropicClient_IsInAnthropicsErrorShape()
    {
        var response = await HandleAsync(Chat(TestCalls.ChatBody("claude-sonnet-4-5")), AnthropicDialect.Instance);

        Assert.Equal(400, response.StatusCode);
        var body = Json(response.Body);
        Assert.Equal("error", body.GetProperty("type").GetString());
        Assert.Equal("invalid_request_error", body.GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task HandleAsync_RouteThrowsAfterAdmission_StillSettlesTheRateHold()
    {
        // Admitted against the rate limit, then refused while building the target's request: the body has no model.
        var response = await HandleAsync(Chat("""{"messages":[{"role":"user","content":"hi"}]}""", (GatewayHeaders.Provider, "openai")));

        Assert.Equal(400, response.StatusCode);
        Assert.StartsWith("'model' is required", Json(response.Body).GetProperty("message").GetString(), StringComparison.Ordinal);
        var settled = Assert.Single(_bank.Settled);
        Assert.Equal(QuotaMeter.Requests, settled.Window.Meter);
        Assert.Equal((1, 0), _bank.Standing(settled.Window));
        Assert.Empty(Assert.Single(_observer.Calls).Holds);
    }

    [Fact]
    public async Task HandleAsync_FullRateWindow_Is429InTheGatewayShapeWithItsHeaders()
    {
        await HandleAsync(Chat("""{"messages":[]}""", (GatewayHeaders.Provider, "openai")));

        var response = await HandleAsync(Chat(TestCalls.ChatBody("gpt-4o"), (GatewayHeaders.Provider, "openai")));

        Assert.Equal(429, response.StatusCode);
        Assert.Equal("30", response.Headers[GatewayHeaders.RetryAfter]);
        Assert.Equal("0", response.Headers["x-ratelimit-remaining-requests"]);
        Assert.Equal("failure", Json(response.Body).GetProperty("status").GetString());
        Assert.Equal([400, 429], _observer.Calls.Select(c => c.StatusCode));
    }

    [Fact]
    public async Task HandleAsync_ClientAborts_Is499WithNothingWritten()
    {
        var request = new FakeClientRequest("", [], bodyNeverEnds: true);
        await request.Abort.CancelAsync();

        var response = await HandleAsync(request);

        Assert.Equal(499, Assert.Single(_observer.Calls).StatusCode);
        Assert.False(response.HasStarted);
        Assert.Equal("", response.Body);
    }

    /// <summary>Keeps every call observers were told about.</summary>
    private sealed class CallRecorder : ICallObserver
    {
        public List<GatewayCall> Calls { get; } = [];

        public void OnCompleted(GatewayCall call) => Calls.Add(call);
    }

    /// <summary>A key store that only has a snapshot: the data path reads nothing else. Not sealed: the proxy derives from it.</summary>
    internal class SnapshotStore : DispatchProxy
    {
        private KeySnapshot? _snapshot;

        public static IKeyStore Of(KeySnapshot snapshot)
        {
            var store = Create<IKeyStore, SnapshotStore>();
            ((SnapshotStore)(object)store)._snapshot = snapshot;
            return store;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod?.Name == nameof(IKeyStore.LoadSnapshotAsync) ? Task.FromResult(_snapshot!) : throw new NotSupportedException(targetMethod?.Name);
    }
}
