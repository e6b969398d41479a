using System.Text.Json;
using Switchyard.Gateway.Intake;
using Switchyard.Gateway.Tokens;
using Switchyard.Providers;
using Switchyard.Providers.Dialects;

namespace Switchyard.Gateway.Pipeline;

/// <summary>
/// Per-request state, carried through every pipeline step (YARP keeps one feature object per request, not a bag of
/// locals). Each step reads what earlier steps wrote and writes only its own part.
/// </summary>
public sealed class GatewayCall
{
    private byte[]? _openAiBody;
    private PromptTokens? _promptTokens;

    internal GatewayCall(ApiOperation operation, IClientDialect dialect, IClientRequest request, IClientResponse response, long startTimestamp)
    {
        Operation = operation;
        Dialect = dialect;
        Request = request;
        Response = response;
        Timings = new CallTimings(startTimestamp);
    }

    public ApiOperation Operation { get; }

    /// <summary>The wire format the client speaks: OpenAI's, or Anthropic's on <c>/v1/messages</c>.</summary>
    public IClientDialect Dialect { get; }

    internal IClientRequest Request { get; }

    /// <summary>The request path as the client sent it (<c>url.pathname</c> for conditional routing).</summary>
    public string Path => Request.Path;

    public IRequestHeaders Headers => Request.Headers;

    /// <summary>The body's routing fields and bytes (intake); empty for operations without a body.</summary>
    internal RequestBody Body { get; set; } = RequestBody.Empty;

    public IClientResponse Response { get; }

    internal CallTimings Timings { get; }

    /// <summary>The clock the call is timed by (the pipeline's), so steps without a <see cref="TimeProvider"/> of their own can stamp its first byte.</summary>
    internal TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>The call's own id (a version-7 UUID, 32 hex digits): its request-log record's id, answered as <c>x-portkey-request-id</c>.</summary>
    public string RequestId { get; internal set; } = "";

    /// <summary>When the call arrived (UTC).</summary>
    public DateTimeOffset StartedAt { get; internal set; }

    /// <summary>The call is a token count (<c>/v1/messages/count_tokens</c>), not a completion.</summary>
    internal bool CountsTokens { get; init; }

    /// <summary>An observer asked for the answer's bytes (<see cref="ICallObserver.WantsAnswer"/>): the writers keep what the client received.</summary>
    internal bool KeepsAnswer { get; set; }

    /// <summary>The JSON body the client received (answer or error), when <see cref="KeepsAnswer"/>.</summary>
    internal ReadOnlyMemory<byte>? AnswerBody { get; set; }

    /// <summary>A stream's OpenAI chunks as relayed (usage chunk included), added up as they passed, when <see cref="KeepsAnswer"/>.</summary>
    internal Caching.StreamAssembly? AnswerStream { get; set; }

    /// <summary>Stamps <see cref="TimeToFirstByte"/> the first time the answer's bytes go out.</summary>
    internal void FirstByteSent() => TimeToFirstByte ??= Clock.GetElapsedTime(Timings.StartTimestamp);

    /// <summary>Fires when the client goes away; every upstream call is cancelled with it.</summary>
    public CancellationToken Aborted => Request.Aborted;

    public string TraceId { get; internal set; } = "";

    /// <summary>The call's span id (16 hex digits): its tracing span's when spans are recorded, else one of its own.</summary>
    public string SpanId { get; internal set; } = "";

    /// <summary>The Switchyard API key that authenticated the call; null when it runs keyless.</summary>
    public State.ApiKey? ApiKey { get; internal set; }

    /// <summary>The key's workspace: the tenant every lookup of this call is scoped to.</summary>
    public State.Workspace? Workspace { get; internal set; }

    /// <summary>The key came as <c>Authorization: Bearer</c>, so that header is not a provider credential.</summary>
    internal bool ApiKeyInAuthorization { get; set; }

    /// <summary>The route: the config, the headers' defaults and the facts conditions read (set by the planner).</summary>
    internal Routing.RoutePlan? Plan { get; set; }

    /// <summary>The parsed <c>x-portkey-metadata</c> object, with the key's defaults applied.</summary>
    public JsonElement? Metadata { get; internal set; }

    /// <summary>JSON path of the target that answered, for <c>x-portkey-last-used-option-index</c>.</summary>
    public string? LastUsedOptionIndex { get; internal set; }

    public int RetryCount { get; internal set; }

    public string? Provider { get; internal set; }

    public int StatusCode { get; internal set; }

    /// <summary>Token usage reported by the provider (JSON body or the stream's usage chunk), when it reported any.</summary>
    public TokenUsage? Usage { get; internal set; }

    /// <summary>The request in OpenAI's shape, translated from the client's dialect once, when a target first needs it.</summary>
    internal ReadOnlyMemory<byte> OpenAiBody() => Dialect.Format == ClientFormat.OpenAi
        ? Body.Utf8
        : _openAiBody ??= Dialect.RequestToOpenAi(Body.Utf8.Span);

    /// <summary>The prompt's input tokens (estimate and bound), measured once, when a limit first needs them.</summary>
    internal PromptTokens PromptTokens => _promptTokens ??= TokenEstimate.Measure(Body.Utf8.Span);

    /// <summary>A target answered with a success: without reported usage, the call's holds are charged their worst case.</summary>
    internal bool ProviderAnswered { get; set; }

    /// <summary>Quota reservations this call holds (its rate limits, the answering target's spend), settled once it is over.</summary>
    internal List<Admission.QuotaHold> Holds { get; } = [];

    /// <summary>The tightest rate limits seen while admitting this call, for the <c>x-ratelimit-*</c> headers.</summary>
    internal Admission.CallRates Rates;

    /// <summary>The cache's part in the target called last: its key, and what storing the answer needs; null when not cached.</summary>
    internal Caching.CacheTicket? Cache { get; set; }

    /// <summary>What the cache did for this call: <c>x-portkey-cache-status</c> (<c>HIT</c>, <c>MISS</c>, <c>DISABLED</c>, …).</summary>
    public string CacheStatus { get; internal set; } = Caching.CacheStatus.Disabled;

    /// <summary>The answer came from the cache: no provider was called, and it costs nothing against budgets or token limits.</summary>
    public bool ServedFromCache => CacheStatus is Caching.CacheStatus.Hit or Caching.CacheStatus.SemanticHit;

    /// <summary>Set when a stream broke after it had started; the client received an error event.</summary>
    public string? StreamFailure { get; internal set; }

    /// <summary>Every attempt at a target, in order: each retry and each fallback target is one (empty for refusals and cache hits).</summary>
    public IReadOnlyList<State.LogAttempt> Attempts => _attempts;

    internal void AddAttempt(State.LogAttempt attempt) => _attempts.Add(attempt);

    private readonly List<State.LogAttempt> _attempts = new(1);

    /// <summary>When the first byte of the answer was sent to the client (a stream's first event, a JSON body); null when none was.</summary>
    public TimeSpan? TimeToFirstByte { get; internal set; }

    /// <summary>The model the provider was asked for (after overrides and routing) by the target that answered last; null when none was reached.</summary>
    public string? ModelUsed { get; internal set; }

    /// <summary>The virtual key slug of the target that answered last.</summary>
    public string? VirtualKey { get; internal set; }

    /// <summary>What the call cost at the workspace's prices, in micro-dollars (0 for cache hits and calls no provider answered).</summary>
    public long CostMicros { get; internal set; }

    /// <summary>The error <c>type</c> the client received (a refusal's, a provider error's, <c>stream_error</c>); null on success.</summary>
    public string? ErrorType { get; internal set; }

    /// <summary>The message of that error.</summary>
    public string? ErrorMessage { get; internal set; }
}

/// <summary>Tokens a provider reported for one call.</summary>
/// <param name="CachedTokens">Prompt tokens the provider served from its prompt cache (OpenAI's <c>prompt_tokens_details.cached_tokens</c>).</param>
/// <param name="ReasoningTokens">Completion tokens spent reasoning (OpenAI's <c>completion_tokens_details.reasoning_tokens</c>).</param>
public sealed record TokenUsage(int PromptTokens, int CompletionTokens, int TotalTokens, int CachedTokens = 0, int ReasoningTokens = 0);
