using Switchyard.Gateway.Errors;
using Switchyard.Gateway.Pipeline;
using Switchyard.Gateway.Upstream;
using Switchyard.State;

namespace Switchyard.Gateway.Targets;

/// <summary>
/// Where the invoker writes down each attempt at one target (every retry, and a skip for an open circuit) for the
/// call's request log: the target's option path, provider and model, the status it came to and how long it took.
/// </summary>
internal readonly record struct AttemptLog(GatewayCall Call, string OptionPath)
{
    /// <summary>An attempt that came to an outcome: the provider's status, or the gateway's 408/502/503.</summary>
    public void Add(UpstreamRequest request, UpstreamOutcome outcome, long startedTimestamp) =>
        Add(request, outcome.StatusCode, ErrorTypeOf(outcome), startedTimestamp);

    /// <summary>An attempt cut short: by its timeout (408) or by the client going away (status 0).</summary>
    public void AddCancelled(UpstreamRequest request, bool clientWentAway, long startedTimestamp)
    {
        if (clientWentAway)
        {
            Add(request, 0, GatewayPipeline.ClientClosedRequest, startedTimestamp);
        }
        else
        {
            Add(request, 408, ErrorTable.For(OutcomeKind.Timeout).Type, startedTimestamp);
        }
    }

    public void Add(UpstreamRequest request, int status, string? errorType, long startedTimestamp)
    {
        var clock = Call.Clock;
        var sinceStart = clock.GetElapsedTime(Call.Timings.StartTimestamp, startedTimestamp);
        var latency = clock.GetElapsedTime(startedTimestamp);
        Call.AddAttempt(new LogAttempt(
            Call.Attempts.Count, OptionPath, request.ProviderSlug, request.Call.Model, status, errorType,
            latency.TotalMilliseconds, Call.StartedAt + sinceStart));
    }

    /// <summary>
    /// Null for a success; a provider's error by its status (the body is not read here); the gateway's own failures by
    /// their <see cref="ErrorTable"/> code (<c>circuit_open</c>, <c>upstream_unreachable</c>, …) or type.
    /// </summary>
    private static string? ErrorTypeOf(UpstreamOutcome outcome)
    {
        if (outcome.Kind == OutcomeKind.Response)
        {
            return outcome.IsSuccess ? null : ErrorTable.TypeForStatus(outcome.StatusCode);
        }

        var shape = ErrorTable.For(outcome.Kind);
        return shape.Code ?? shape.Type;
    }
}
