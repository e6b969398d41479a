using System.Text.Json;
using Switchyard.Gateway.Execution;
using Switchyard.Gateway.Json;
using Switchyard.Providers;
using Switchyard.Providers.Dialects;

namespace Switchyard.Gateway.Pipeline;

/// <summary>
/// Per-request state, carried through every pipeline step (YARP keeps one feature object per request, not a bag of locals).
/// </summary>
public sealed class GatewayCall
{
    private byte[]? _openAiBody;
    private PromptTokens? _promptTokens;

    internal GatewayCall(ApiOperation operation, IClientDialect dialect, string path, IRequestHeaders headers, RequestBody body, IClientResponse response, CallTimings timings, CancellationToken aborted)
    {
        Operation = operation;
        Dialect = dialect;
        Path = path;
        Headers = headers;
        Body = body;
        Response = response;
        Timings = timings;
        Aborted = aborted;
    }

    /// <summary>Reads the body (step 1 of the pipeline: one pass, routing fields only, size and depth already bounded) and starts the call.</summary>
    public static GatewayCall Create(ApiOperation operation, IClientDialect dialect, string path, IRequestHeaders headers, ReadOnlyMemory<byte> body, IClientResponse response, long startTimestamp, int maxJsonDepth, CancellationToken aborted)
    {
        var parsed = operation.HasBody() ? RequestBodyReader.Read(body, maxJsonDepth) : RequestBody.Empty;
        return new GatewayCall(operation, dialect, path, headers, parsed, response, new CallTimings(startTimestamp), aborted);
    }

    public ApiOperation Operation { get; }

    /// <summary>The wire format the client speaks: OpenAI's, or Anthropic's on <c>/v1/messages</c>.</summary>
    public IClientDialect Dialect { get; }

    /// <summary>The request path as the client sent it (<c>url.pathname</c> for conditional routing).</summary>
    public string Path { get; }

    public IRequestHeaders Headers { get; }

    internal RequestBody Body { get; }

    public IClientResponse Response { get; }

    internal CallTimings Timings { get; }

    /// <summary>Fires when the client goes away; every upstream call is cancelled with it.</summary>
    public CancellationToken Aborted { get; }

    public string TraceId { get; internal set; } = "";

    /// <summary>The Switchyard API key that authenticated the call; null when it runs keyless.</summary>
    public State.ApiKey? ApiKey { get; internal set; }

    /// <summary>The key's workspace: the tenant every lookup of this call is scoped to.</summary>
    public State.Workspace? Workspace { get; internal set; }

    /// <summary>The key came as <c>Authorization: Bearer</c>, so that header is not a provider credential.</summary>
    internal bool ApiKeyInAuthorization { get; set; }

    /// <summary>The parsed <c>x-portkey-metadata</c> object, when sent.</summary>
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

    /// <summary>Set when a stream broke after it had started; the client received an error event.</summary>
    public string? StreamFailure { get; internal set; }
}

/// <summary>Tokens a provider reported for one call.</summary>
public sealed record TokenUsage(int PromptTokens, int CompletionTokens, int TotalTokens);
