using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchyard.FakeProvider;
using Switchyard.Gateway.Logging;
using Switchyard.Gateway.Pipeline;
using Switchyard.Gateway.Security;
using Switchyard.Gateway.Tests.Admission;
using Switchyard.Gateway.Tests.Caching;
using Switchyard.Gateway.Tests.Health;
using Switchyard.Gateway.Tests.Pipeline;
using Switchyard.Providers;
using Switchyard.Providers.Dialects;
using Switchyard.Providers.Dialects.Anthropic;
using Switchyard.Providers.Dialects.OpenAi;
using Switchyard.State;

namespace Switchyard.Gateway.Tests.Logging;

/// <summary>
/// The record every call leaves, from the pipeline as <c>AddSwitchyardGateway</c> and <c>AddRequestLogging</c> register
/// it, calling the FakeProvider on loopback: successes, provider errors, timeouts, refusals, cache hits, streams,
/// fallbacks, the Anthropic dialect, and what is kept of bodies.
/// </summary>
public sealed class RequestLoggingTests : IAsyncLifetime
{
    private const string ProviderSecret = "sk-provider-secret-0123456789abcdef";
    private static readonly DateTimeOffset Now = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly InMemoryRequestLogStore _store = new();
    private readonly InMemoryResponseCache _cache = new(TimeProvider.System);
    private FakeProviderServer _fake = null!;
    private ServiceProvider? _services;
    private string _apiKey = "";

    public async Task InitializeAsync() => _fake = await FakeProviderServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }

        await _fake.DisposeAsync();
    }

    private string FakeBase => new Uri(_fake.BaseAddress, "v1").ToString();

    /// <summary>The gateway with one workspace (the keyless callers' default), its API key and a saved config.</summary>
    private async Task StartAsync(LogBodies bodies = LogBodies.Full, Limits? limits = null)
    {
        var workspace = new Workspace("ws-log", KeyDirectory.DefaultWorkspaceSlug, "default", null, new Dictionary<string, string>(), limits ?? Limits.None, false, Now, Now)
        {
            Logging = new LogPolicy(bodies, 7),
            PriceOverrides = new Dictionary<string, ModelPriceOverride> { ["fake-gpt"] = new(2m, 4m) },
        };
        _apiKey = ApiKeySecrets.Generate();
        var key = new ApiKey("key-log", workspace.Id, "app", null, ApiKeySecrets.Hash(_apiKey), ApiKeySecrets.Hint(_apiKey),
            ["completions.write"], null, null, null, new Dictionary<string, string>(), Limits.None, null, null, Now, Now);
        var config = new SavedConfig("cfg-1", workspace.Id, "pc-logs", "logs",
            $$"""{"provider":"openai","custom_host":"{{FakeBase}}","api_key":"{{ProviderSecret}}"}""", 3, false, Now, Now);
        _services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(TimeProvider.System)
            .AddSingleton<IQuotaBank>(new InMemoryQuotaBank())
            .AddSingleton<IProviderHealth>(new InMemoryProviderHealth("replica-test"))
            .AddSingleton(GatewayPipelineTests.SnapshotStore.Of(new KeySnapshot([workspace], [key], [], [config])))
            .AddSingleton<IResponseCache>(_cache)
            .AddSingleton<IRequestLogStore>(_store)
            .Configure<GatewayOptions>(options => options.RetryBaseDelay = TimeSpan.Zero)
            .AddSwitchyardGateway()
            .AddRequestLogging()
            .BuildServiceProvider();
        await _services.GetRequiredService<KeyDirectory>().RefreshAsync(TimeProvider.System, default);
    }

    private async Task<RecordingResponse> HandleAsync(FakeClientRequest request, IClientDialect? dialect = null, ApiOperation operation = ApiOperation.ChatCompletions)
    {
        var response = new RecordingResponse();
        await _services!.GetRequiredService<GatewayPipeline>().HandleAsync(operation, dialect ?? OpenAiDialect.Instance, request, response);
        return response;
    }

    private FakeClientRequest Direct(string body, params (string Name, string Value)[] extra) =>
        new(body, [(GatewayHeaders.Provider, "openai"), (GatewayHeaders.CustomHost, FakeBase), (GatewayHeaders.Authorization, $"Bearer {ProviderSecret}"), .. extra]);

    private static string Chat(string model = "fake-gpt", string text = "hi", bool stream = false) =>
        $$"""{"model":"{{model}}","messages":[{"role":"user","content":{{JsonSerializer.Serialize(text)}}}]{{(stream ? ",\"stream\":true" : "")}}}""";

    /// <summary>The one record the call left in the queue, its bodies finished as the writer finishes them.</summary>
    private RequestLogRecord Record(int maxBodyBytes = 65_536)
    {
        var queue = _services!.GetRequiredService<RequestLogQueue>();
        Assert.Equal(1, queue.Depth);
        Assert.True(queue.Reader.TryRead(out var logged));
        return logged!.Complete(maxBodyBytes);
    }

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    [Fact]
    public async Task OnCompleted_Success_RecordsTheCallItsTokensCostAndBodies()
    {
        await StartAsync();
        var body = Chat();

        var response = await HandleAsync(Direct(body, ("user-agent", "tests/1.0")));

        var record = Record();
        Assert.Equal(200, response.StatusCode);
        Assert.Equal(response.Headers[GatewayHeaders.RequestId], record.Id);
        Assert.Matches("^[0-9a-f]{32}$", record.Id);
        Assert.Equal(7, Guid.ParseExact(record.Id, "N").Version);
        Assert.Equal(record.CreatedAt.AddDays(7), record.ExpiresAt);
        Assert.Equal(LogKinds.Gateway, record.Kind);
        Assert.Equal("ws-log", record.WorkspaceId);
        Assert.Equal(response.Headers[GatewayHeaders.TraceId], record.TraceId);
        Assert.Matches("^[0-9a-f]{16}$", record.SpanId);
        Assert.Null(record.ApiKeyId);
        Assert.Null(record.ConfigId);
        Assert.Equal("openai", record.Provider);
        Assert.Equal("fake-gpt", record.ModelRequested);
        Assert.Equal("fake-gpt", record.ModelUsed);
        Assert.Equal("chat.completions", record.Endpoint);
        Assert.Equal("chat.completions fake-gpt", record.SpanName);
        Assert.Equal("/v1/chat/completions", record.Path);
        Assert.Equal(200, record.Status);
        Assert.Null(record.ErrorType);
        Assert.False(record.IsError);
        Assert.False(record.Stream);
        Assert.NotNull(record.TtftMs);
        Assert.True(record.TotalMs >= record.UpstreamMs);
        var usage = Json(response.Body).GetProperty("usage");
        Assert.Equal(usage.GetProperty("prompt_tokens").GetInt32(), record.InputTokens);
        Assert.Equal(usage.GetProperty("completion_tokens").GetInt32(), record.OutputTokens);
        Assert.Equal((long)Math.Ceiling((2m * record.InputTokens) + (4m * record.OutputTokens)), record.CostMicros);
        Assert.Equal("DISABLED", record.CacheStatus);
        Assert.Equal(0, record.RetryCount);
        var attempt = Assert.Single(record.Attempts);
        Assert.Equal((0, "config", "openai", "fake-gpt", 200), (attempt.Index, attempt.OptionPath, attempt.Provider, attempt.Model, attempt.Status));
        Assert.Null(attempt.ErrorType);
        Assert.Equal("tests/1.0", record.UserAgent);
        Assert.Equal(LogBodies.Full, record.Bodies);
        Assert.Equal(body, record.RequestBody);
        Assert.Equal(response.Body, record.ResponseBody);
        Assert.False(record.Truncated);
    }

    [Fact]
    public async Task OnCompleted_TraceparentMetadataAndClientAddress_AreKept()
    {
        await StartAsync();

        (string, string)[] headers =
        [
            (GatewayHeaders.Provider, "openai"), (GatewayHeaders.CustomHost, FakeBase), (GatewayHeaders.Authorization, $"Bearer {ProviderSecret}"),
            (GatewayHeaders.TraceParent, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
            (GatewayHeaders.Metadata, """{"_user":"u-1","team":"search","n":5,"tags":["a"]}"""),
        ];
        await HandleAsync(new FakeClientRequest(Chat(), headers) { ClientAddress = "203.0.113.9" });

        var record = Record();
        Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", record.W3cTraceId);
        Assert.Equal("00f067aa0ba902b7", record.ParentSpanId);
        Assert.Equal("u-1", record.User);
        Assert.Equal("search", record.Metadata["team"]);
        Assert.Equal("5", record.Metadata["n"]);
        Assert.Equal("""["a"]""", record.Metadata["tags"]);
        Assert.Equal("203.0.113.9", record.ClientIp);
    }

    [Fact]
    public async Task OnCompleted_SavedConfigWithApiKey_RecordsKeyConfigAndVersion()
    {
        await StartAsync();

        var response = await HandleAsync(new FakeClientRequest(Chat(), [(GatewayHeaders.ApiKey, _apiKey), (GatewayHeaders.Config, "pc-logs")]));

        var record = Record();
        Assert.Equal(200, response.StatusCode);
        Assert.Equal("key-log", record.ApiKeyId);
        Assert.Equal("pc-logs", record.ConfigId);
        Assert.Equal(3, record.ConfigVersion);
    }

    [Fact]
    public async Task OnCompleted_ProviderError_RecordsTheProvidersTypeAndMessage()
    {
        await StartAsync();

        var response = await HandleAsync(Direct(Chat("fake-gpt|status=429")));

        var record = Record();
        Assert.Equal(429, response.StatusCode);
        Assert.Equal(429, record.Status);
        Assert.Equal("rate_limit_error", record.ErrorType);
        Assert.Equal("fake upstream error 429", record.ErrorMessage);
        Assert.True(record.IsError);
        Assert.Equal(0, record.CostMicros);
        var attempt = Assert.Single(record.Attempts);
        Assert.Equal((429, "rate_limit_error"), (attempt.Status, attempt.ErrorType));
        Assert.Equal(response.Body, record.ResponseBody);
    }

    [Fact]
    public async Task OnCompleted_Timeout_Is408WithATimeoutAttempt()
    {
        await StartAsync();

        var response = await HandleAsync(Direct(Chat("fake-gpt|latency=10000"), (GatewayHeaders.RequestTimeout, "100")));

        var record = Record();
        Assert.Equal(408, response.StatusCode);
        Assert.Equal(408, record.Status);
        Assert.Equal("timeout_error", record.ErrorType);
        Assert.Equal("Request exceeded the timeout sent in the request: 100ms", record.ErrorMessage);
        var attempt = Assert.Single(record.Attempts);
        Assert.Equal((408, "timeout_error"), (attempt.Status, attempt.ErrorType));
    }

    [Fact]
    public async Task OnCompleted_ClientWentAway_Is499ClientClosedRequest()
    {
        await StartAsync();
        var request = new FakeClientRequest("", [], bodyNeverEnds: true);
        await request.Abort.CancelAsync();

        var response = await HandleAsync(request);

        var record = Record();
        Assert.Equal(499, record.Status);
        Assert.Equal("client_closed_request", record.ErrorType);
        Assert.Null(record.TtftMs);
        Assert.Null(record.ResponseBody);
        Assert.Equal(response.Headers[GatewayHeaders.RequestId], record.Id);
    }

    [Fact]
    public async Task OnCompleted_RateRefusal_RecordsTheRefusalsTypeWithoutAttempts()
    {
        await StartAsync(limits: new Limits(null, [new RateLimit(RateLimitKind.Requests, RateLimitUnit.PerMinute, 1)], null));
        await HandleAsync(Direct(Chat()));
        _services!.GetRequiredService<RequestLogQueue>().Reader.TryRead(out _);

        var response = await HandleAsync(Direct(Chat()));

        var record = Record();
        Assert.Equal(429, response.StatusCode);
        Assert.Equal("rate_limit_error", record.ErrorType);
        Assert.Equal(Json(response.Body).GetProperty("message").GetString(), record.ErrorMessage);
        Assert.Empty(record.Attempts);
        Assert.Null(record.Provider);
        Assert.Equal(0, record.CostMicros);
        Assert.Equal(response.Headers[GatewayHeaders.RequestId], record.Id);
    }

    [Fact]
    public async Task OnCompleted_BudgetRefusal_IsBudgetExceeded()
    {
        await StartAsync(limits: new Limits(new UsageLimits(0.000001m, null, BudgetPeriod.Monthly, "UTC", [], true), [], null));

        var response = await HandleAsync(Direct(Chat()));

        var record = Record();
        Assert.Equal(412, response.StatusCode);
        Assert.Equal(412, record.Status);
        Assert.Equal("budget_exceeded_error", record.ErrorType);
        Assert.Empty(record.Attempts);
    }

    [Fact]
    public async Task OnCompleted_CacheHit_CostsNothingAndHasNoAttempts()
    {
        await StartAsync();
        var config = $$$"""{"provider":"openai","custom_host":"{{{FakeBase}}}","api_key":"{{{ProviderSecret}}}","cache":{"mode":"simple"}}""";
        await HandleAsync(new FakeClientRequest(Chat(), [(GatewayHeaders.Config, config)]));
        var miss = Record();
        await Eventually.Until(() => _cache.Stored.Count == 1);

        var response = await HandleAsync(new FakeClientRequest(Chat(), [(GatewayHeaders.Config, config)]));

        var hit = Record();
        Assert.Equal("MISS", miss.CacheStatus);
        Assert.True(miss.CostMicros > 0);
        Assert.Equal("HIT", hit.CacheStatus);
        Assert.Equal(200, hit.Status);
        Assert.Equal(0, hit.CostMicros);
        Assert.Empty(hit.Attempts);
        Assert.NotNull(hit.TtftMs);
        Assert.Equal(response.Body, hit.ResponseBody);
    }

    [Fact]
    public async Task OnCompleted_Stream_RecordsFirstByteAndTheAssembledAnswer()
    {
        await StartAsync();

        var response = await HandleAsync(Direct(Chat(text: "tell me", stream: true)));

        var record = Record();
        Assert.Equal(200, record.Status);
        Assert.True(record.Stream);
        Assert.NotNull(record.TtftMs);
        Assert.Null(record.ErrorType);
        Assert.True(record.InputTokens > 0);
        Assert.Equal(4, record.OutputTokens);
        Assert.DoesNotContain("\"usage\":{", response.Body, StringComparison.Ordinal);
        var answer = Json(record.ResponseBody!);
        Assert.Equal("chat.completion", answer.GetProperty("object").GetString());
        Assert.Equal("You said: tell me", answer.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.StartsWith("chatcmpl-fake-", answer.GetProperty("id").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnCompleted_StreamBrokenMidway_IsAStreamError()
    {
        await StartAsync();

        await HandleAsync(Direct(Chat("fake-gpt|cut-after=1", text: "one two three", stream: true)));

        var record = Record();
        Assert.Equal(200, record.Status);
        Assert.Equal("stream_error", record.ErrorType);
        Assert.True(record.IsError);
        Assert.NotNull(record.ErrorMessage);
    }

    [Fact]
    public async Task OnCompleted_AnthropicMessages_IsMessagesWithTheAnthropicAnswer()
    {
        await StartAsync();
        var body = """{"model":"fake-gpt","max_tokens":50,"messages":[{"role":"user","content":"hello"}]}""";

        var response = await HandleAsync(Direct(body), AnthropicDialect.Instance);

        var record = Record();
        Assert.Equal(200, response.StatusCode);
        Assert.Equal("messages", record.Endpoint);
        Assert.Equal(body, record.RequestBody);
        Assert.Equal(response.Body, record.ResponseBody);
        Assert.Equal("message", Json(record.ResponseBody!).GetProperty("type").GetString());
    }

    [Fact]
    public async Task OnCompleted_CountTokens_IsMessagesCountTokens()
    {
        await StartAsync();
        var body = """{"model":"fake-gpt","messages":[{"role":"user","content":"hello"}]}""";
        var response = new RecordingResponse();

        await _services!.GetRequiredService<GatewayPipeline>().CountTokensAsync(AnthropicDialect.Instance, Direct(body), response);

        var record = Record();
        Assert.Equal("messages.count_tokens", record.Endpoint);
        Assert.Equal(response.StatusCode, record.Status);
    }

    [Fact]
    public async Task OnCompleted_FallbackAfterRetries_RecordsEveryAttempt()
    {
        await StartAsync();
        var config = $$$"""
            {"strategy":{"mode":"fallback"},"targets":[
              {"provider":"openai","custom_host":"{{{FakeBase}}}","api_key":"{{{ProviderSecret}}}","override_params":{"model":"fake-gpt|status=503"},"retry":{"attempts":1,"on_status_codes":[503]}},
              {"provider":"openai","custom_host":"{{{FakeBase}}}","api_key":"{{{ProviderSecret}}}","override_params":{"model":"fake-gpt-mini"}}]}
            """;

        var response = await HandleAsync(new FakeClientRequest(Chat(), [(GatewayHeaders.Config, config)]));

        var record = Record();
        Assert.Equal(200, record.Status);
        Assert.Equal("fake-gpt-mini", record.ModelUsed);
        Assert.Equal("fake-gpt", record.ModelRequested);
        Assert.Equal(
            [(0, 503, "api_error", "fake-gpt|status=503"), (1, 503, "api_error", "fake-gpt|status=503"), (2, 200, null, "fake-gpt-mini")],
            record.Attempts.Select(a => (a.Index, a.Status, a.ErrorType, a.Model)));
        Assert.Equal(response.Headers[GatewayHeaders.LastUsedOptionIndex], record.Attempts[2].OptionPath);
        Assert.NotEqual(record.Attempts[0].OptionPath, record.Attempts[2].OptionPath);
        Assert.Equal(record.Attempts[0].OptionPath, record.Attempts[1].OptionPath);
        Assert.True(record.Attempts[1].StartedAt >= record.Attempts[0].StartedAt);
    }

    [Fact]
    public async Task OnCompleted_RedactedPolicy_MasksSecretsInBothBodies()
    {
        await StartAsync(LogBodies.Redacted);

        var response = await HandleAsync(Direct(Chat(text: "mail jane.doe@example.com now")));

        var record = Record();
        Assert.Equal(LogBodies.Redacted, record.Bodies);
        Assert.Contains("[REDACTED:email]", record.RequestBody, StringComparison.Ordinal);
        Assert.DoesNotContain("jane.doe@example.com", record.RequestBody, StringComparison.Ordinal);
        Assert.Contains("jane.doe@example.com", response.Body, StringComparison.Ordinal);
        Assert.Contains("You said: mail [REDACTED:email] now", record.ResponseBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnCompleted_OffPolicy_KeepsNoBodies()
    {
        await StartAsync(LogBodies.Off);

        await HandleAsync(Direct(Chat()));

        var record = Record();
        Assert.Equal(LogBodies.Off, record.Bodies);
        Assert.Null(record.RequestBody);
        Assert.Null(record.ResponseBody);
        Assert.True(record.OutputTokens > 0);
    }

    [Fact]
    public async Task OnCompleted_DebugFalse_KeepsNoBodiesForThatCall()
    {
        await StartAsync(LogBodies.Full);

        await HandleAsync(Direct(Chat(), (GatewayHeaders.Debug, "false")));

        var record = Record();
        Assert.Equal(LogBodies.Off, record.Bodies);
        Assert.Null(record.RequestBody);
        Assert.Null(record.ResponseBody);
    }

    [Fact]
    public async Task Complete_BodyOverTheCap_IsCutOnACharacterBoundaryAndMarked()
    {
        await StartAsync();
        var body = Chat(text: "ééééééééééééééééééééééééééééé");

        await HandleAsync(Direct(body));

        var record = Record(maxBodyBytes: 40);
        Assert.True(record.Truncated);
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(record.RequestBody!) <= 40);
        Assert.StartsWith(record.RequestBody!, body, StringComparison.Ordinal);
        Assert.DoesNotContain('\uFFFD', record.RequestBody!);
    }

    [Fact]
    public async Task OnCompleted_WithKeysAndCredentials_NoSecretReachesTheRecord()
    {
        await StartAsync();

        (string, string)[] headers =
        [
            (GatewayHeaders.ApiKey, _apiKey), (GatewayHeaders.Provider, "openai"), (GatewayHeaders.CustomHost, FakeBase),
            (GatewayHeaders.Authorization, $"Bearer {ProviderSecret}"),
        ];
        await HandleAsync(new FakeClientRequest(Chat(), headers));

        var serialized = JsonSerializer.Serialize(Record());
        Assert.Contains("key-log", serialized, StringComparison.Ordinal);
        Assert.DoesNotContain(_apiKey, serialized, StringComparison.Ordinal);
        Assert.DoesNotContain(ProviderSecret, serialized, StringComparison.Ordinal);
        Assert.DoesNotContain("Bearer", serialized, StringComparison.Ordinal);
    }
}
