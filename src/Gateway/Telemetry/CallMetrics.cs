using System.Diagnostics;
using Microsoft.Extensions.Options;
using Switchyard.Gateway.Caching;
using Switchyard.Gateway.Pipeline;

namespace Switchyard.Gateway.Telemetry;

/// <summary>
/// Records a finished call on <see cref="GatewayMetrics"/>: the GenAI conventions' server metrics for the call, their
/// client metrics for each upstream attempt, and the gateway's own counters. Runs after the answer was written, from
/// what the call holds (status, error type, attempts, first byte, usage, cache status, retries), so it adds nothing to
/// a client's wait.
/// </summary>
/// <remarks>
/// Labels are bounded by design: operation, provider (a catalog slug), status, error type (the gateway's closed set,
/// else the status code), model names capped by <see cref="TelemetryOptions.MaxModelLabels"/>; key and workspace ids
/// only with <see cref="TelemetryOptions.KeyLabels"/>.
/// </remarks>
internal sealed class CallMetrics : ICallObserver
{
    private readonly GatewayMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly bool _keyLabels;
    private readonly BoundedLabels _models;

    public CallMetrics(GatewayMetrics metrics, IOptions<TelemetryOptions> options, TimeProvider time)
    {
        options.Value.Validate();
        _metrics = metrics;
        _time = time;
        _keyLabels = options.Value.KeyLabels;
        _models = new BoundedLabels(options.Value.MaxModelLabels);
    }

    public void OnCompleted(GatewayCall call)
    {
        if (call.Path.EndsWith("/count_tokens", StringComparison.Ordinal))
        {
            return; // counted locally, no provider and no answer to measure
        }

        var operation = GenAiConventions.Operation(call.Operation);
        var provider = call.Provider is { } slug ? GenAiConventions.Provider(slug) : null;
        var errorType = ErrorTypeOf(call);
        var requestModel = call.Body.Model is { Length: > 0 } asked ? _models.Of(asked) : null;
        var responseModel = call.ModelUsed is { Length: > 0 } used ? _models.Of(used) : null;

        var tags = new TagList
        {
            { GenAiConventions.OperationName, operation ?? "models" },
            { GenAiConventions.HttpStatusCode, call.StatusCode },
        };
        AddIf(ref tags, GenAiConventions.ProviderName, provider);
        AddIf(ref tags, GenAiConventions.ErrorType, errorType);
        if (_keyLabels)
        {
            AddIf(ref tags, "switchyard.workspace.id", call.Workspace?.Id);
            AddIf(ref tags, "switchyard.api_key.id", call.ApiKey?.Id);
        }

        _metrics.Requests.Add(1, tags);
        _metrics.Overhead.Record(call.Timings.Overhead(_time).TotalSeconds, new KeyValuePair<string, object?>(GenAiConventions.OperationName, operation ?? "models"));
        RecordRefusal(call);
        RecordCache(call);
        RecordRetries(call, provider);
        if (operation is null)
        {
            return;
        }

        var server = new TagList { { GenAiConventions.OperationName, operation } };
        AddIf(ref server, GenAiConventions.ProviderName, provider);
        AddIf(ref server, GenAiConventions.RequestModel, requestModel);
        AddIf(ref server, GenAiConventions.ResponseModel, responseModel);
        AddIf(ref server, GenAiConventions.ErrorType, errorType);
        _metrics.RequestDuration.Record(_time.GetElapsedTime(call.Timings.StartTimestamp).TotalSeconds, server);
        if (call.TimeToFirstByte is { } firstByte && call.Body.Stream && call.StatusCode is >= 200 and < 300)
        {
            _metrics.TimeToFirstToken.Record(firstByte.TotalSeconds, server);
        }

        RecordAttempts(call, operation, requestModel ?? responseModel);
        if (call.Usage is { } usage && !call.ServedFromCache && provider is not null)
        {
            var client = new TagList { { GenAiConventions.OperationName, operation }, { GenAiConventions.ProviderName, provider } };
            AddIf(ref client, GenAiConventions.RequestModel, responseModel ?? requestModel);
            AddIf(ref client, GenAiConventions.ResponseModel, responseModel);
            var input = client;
            input.Add(GenAiConventions.TokenType, "input");
            _metrics.TokenUsage.Record(usage.PromptTokens, input);
            var output = client;
            output.Add(GenAiConventions.TokenType, "output");
            _metrics.TokenUsage.Record(usage.CompletionTokens, output);
        }
    }

    /// <summary>One duration per upstream attempt (none for a refusal or a cache hit: no provider was called).</summary>
    private void RecordAttempts(GatewayCall call, string operation, string? model)
    {
        foreach (var attempt in call.Attempts)
        {
            var tags = new TagList
            {
                { GenAiConventions.OperationName, operation },
                { GenAiConventions.ProviderName, GenAiConventions.Provider(attempt.Provider) },
            };
            AddIf(ref tags, GenAiConventions.RequestModel, attempt.Model is { Length: > 0 } m ? _models.Of(m) : model);
            AddIf(ref tags, GenAiConventions.ErrorType, attempt.Status is >= 400 or 0 ? StatusText(attempt.Status) : null);
            _metrics.OperationDuration.Record(attempt.LatencyMs / 1000.0, tags);
        }
    }

    private void RecordRefusal(GatewayCall call)
    {
        // A refusal is the gateway's own answer before any provider: no target answered and no attempt was made.
        if (call.Provider is not null || call.Attempts.Count > 0 || call.ServedFromCache)
        {
            return;
        }

        var reason = call.StatusCode switch
        {
            429 => "rate_limit",
            412 => "budget",
            _ => null,
        };
        if (reason is not null)
        {
            _metrics.Refusals.Add(1, new KeyValuePair<string, object?>("switchyard.refusal.reason", reason));
        }
    }

    private void RecordCache(GatewayCall call)
    {
        var result = call.CacheStatus switch
        {
            CacheStatus.Hit => "hit",
            CacheStatus.SemanticHit => "semantic_hit",
            CacheStatus.Miss => "miss",
            CacheStatus.SemanticMiss => "semantic_miss",
            CacheStatus.Refresh => "refresh",
            _ => null,
        };
        if (result is not null)
        {
            _metrics.CacheLookups.Add(1, new KeyValuePair<string, object?>("switchyard.cache.result", result));
        }
    }

    /// <summary>Retries and fallbacks from the attempts: an attempt on a new option path is a fallback, on the same one a retry.</summary>
    private void RecordRetries(GatewayCall call, string? provider)
    {
        long fallbacks = 0;
        for (var i = 1; i < call.Attempts.Count; i++)
        {
            if (!string.Equals(call.Attempts[i].OptionPath, call.Attempts[i - 1].OptionPath, StringComparison.Ordinal))
            {
                fallbacks++;
            }
        }

        var retries = Math.Max(0, call.Attempts.Count - 1 - fallbacks);

        var tag = new KeyValuePair<string, object?>(GenAiConventions.ProviderName, provider ?? "");
        if (retries > 0)
        {
            _metrics.Retries.Add(retries, tag);
        }

        if (fallbacks > 0)
        {
            _metrics.Fallbacks.Add(fallbacks, tag);
        }
    }

    /// <summary>
    /// The call's <c>error.type</c>: the gateway's own error types as they are (a closed set), anything else (a
    /// provider's own type, which it chooses) as the status code, so a provider cannot add series.
    /// </summary>
    internal static string? ErrorTypeOf(GatewayCall call)
    {
        if (call.StatusCode is >= 200 and < 400 && call.StreamFailure is null)
        {
            return null;
        }

        return call.ErrorType switch
        {
            "invalid_request_error" or "authentication_error" or "permission_error" or "timeout_error" or "budget_exceeded_error"
                or "request_too_large" or "rate_limit_error" or "api_error" or "upstream_error" or "stream_error" => call.ErrorType,
            _ when call.StreamFailure is not null => "stream_error",
            _ => StatusText(call.StatusCode),
        };
    }

    private static string StatusText(int status) => status switch
    {
        0 => "client_gone",
        400 => "400",
        401 => "401",
        403 => "403",
        404 => "404",
        408 => "408",
        412 => "412",
        413 => "413",
        429 => "429",
        499 => "499",
        500 => "500",
        502 => "502",
        503 => "503",
        504 => "504",
        _ => status.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static void AddIf(ref TagList tags, string name, string? value)
    {
        if (value is not null)
        {
            tags.Add(name, value);
        }
    }
}
