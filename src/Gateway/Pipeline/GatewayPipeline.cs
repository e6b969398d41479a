using System.Globalization;
using System.Runtime.ExceptionServices;
using Switchyard.Gateway.Admission;
using Switchyard.Gateway.Answer;
using Switchyard.Gateway.Caching;
using Switchyard.Gateway.Errors;
using Switchyard.Gateway.Intake;
using Switchyard.Gateway.Metadata;
using Switchyard.Gateway.Routing;
using Switchyard.Gateway.Security;
using Switchyard.Gateway.Settlement;
using Switchyard.Gateway.Targets;
using Switchyard.Gateway.Tokens;
using Switchyard.Gateway.Tracing;
using Switchyard.Gateway.Upstream;
using Switchyard.Providers;
using Switchyard.Providers.Dialects;

namespace Switchyard.Gateway.Pipeline;

/// <summary>
/// The request pipeline: every step of a gateway call, in the order it runs, in this one file. Each step is a class in
/// the folder named for it and reads and writes only the <see cref="GatewayCall"/>; docs/architecture.md describes them.
/// </summary>
public sealed class GatewayPipeline
{
    private readonly RequestIntake _intake;
    private readonly Authenticator _authenticator;
    private readonly RoutePlanner _planner;
    private readonly RateAdmission _admission;
    private readonly TargetRequestFactory _requests;
    private readonly ResponseCaching _caching;
    private readonly SpendReservation _reservation;
    private readonly TargetInvoker _invoker;
    private readonly ResponseWriter _writer;
    private readonly CallSettlement _settlement;
    private readonly ICallObserver[] _observers;
    private readonly TimeProvider _time;
    private readonly Func<GatewayCall, Task> _route;
    private readonly Func<GatewayCall, Task> _countTokens;
    private readonly LeafCall _callTarget;

    internal GatewayPipeline(
        RequestIntake intake, Authenticator authenticator, RoutePlanner planner, RateAdmission admission, TargetRequestFactory requests,
        ResponseCaching caching, SpendReservation reservation, TargetInvoker invoker, ResponseWriter writer, TokenCounter counter, CallSettlement settlement,
        IEnumerable<ICallObserver> observers, TimeProvider time)
    {
        _intake = intake;
        _authenticator = authenticator;
        _planner = planner;
        _admission = admission;
        _requests = requests;
        _caching = caching;
        _reservation = reservation;
        _invoker = invoker;
        _writer = writer;
        _settlement = settlement;
        _observers = observers.ToArray();
        _time = time;
        _route = RouteAsync;
        _countTokens = counter.CountAsync;
        _callTarget = CallTargetAsync;
    }

    /// <summary>Routes the call and writes the provider's answer.</summary>
    public Task HandleAsync(ApiOperation operation, IClientDialect dialect, IClientRequest request, IClientResponse response) =>
        RunAsync(new GatewayCall(operation, dialect, request, response, _time.GetTimestamp()) { Clock = _time }, _route);

    /// <summary>Counts the input tokens of an Anthropic-shaped request on its route (<c>/v1/messages/count_tokens</c>).</summary>
    public Task CountTokensAsync(IClientDialect dialect, IClientRequest request, IClientResponse response) =>
        RunAsync(new GatewayCall(ApiOperation.ChatCompletions, dialect, request, response, _time.GetTimestamp()) { Clock = _time, CountsTokens = true }, _countTokens);

    private async Task RunAsync(GatewayCall call, Func<GatewayCall, Task> answer)
    {
        call.StartedAt = _time.GetUtcNow();
        call.RequestId = Guid.CreateVersion7(call.StartedAt).ToString("N");         // the request log's id, on every answer
        call.Response.SetHeader(GatewayHeaders.RequestId, call.RequestId);
        using var span = Telemetry.CallSpan.Start(call);                            // the call's span, when tracing listens
        ExceptionDispatchInfo? fault = null;
        try
        {
            await _intake.ReadAsync(call);                                          // the body: content type, size, routing fields
            TraceIds.Assign(call);                                                  // the trace id
            call.Response.SetHeader(GatewayHeaders.CacheStatus, call.CacheStatus);  // DISABLED until a target's lookup says otherwise
            _authenticator.Authenticate(call);                                      // the API key and its workspace
            CallMetadata.Read(call);                                                // x-portkey-metadata over the key's defaults
            call.Plan = _planner.Plan(call);                                        // the config and the headers' defaults
            call.KeepsAnswer = WantsAnswer(call);                                   // the answer's bytes, for the request log
            await answer(call);                                                     // the route and its answer (below)
        }
        catch (GatewayException refusal)
        {
            await ErrorAnswer.WriteAsync(call, refusal);
        }
        catch (OperationCanceledException) when (call.Aborted.IsCancellationRequested)
        {
            // The client went away; every upstream call was cancelled with it. 499 is nginx's "client closed request".
            call.StatusCode = 499;
            call.ErrorType = ClientClosedRequest;
            call.ErrorMessage = "The client closed the request before the answer was complete.";
        }
        catch (Exception ex)
        {
            // A fault of the gateway's own, which the host answers (500) and logs with its stack: the call is still
            // settled, logged and counted.
            call.StatusCode = 500;
            call.ErrorType = InternalError;
            call.ErrorMessage = $"The gateway failed inside ({ex.GetType().Name}).";
            fault = ExceptionDispatchInfo.Capture(ex);
        }
        finally
        {
            _settlement.Settle(call);                                               // every hold, to the usage reported
        }

        foreach (var observer in _observers)
        {
            observer.OnCompleted(call);                                             // logs and metrics
        }

        fault?.Throw();
    }

    /// <summary>The <c>error.type</c> the request log gives a call that ended in a fault of the gateway's own.</summary>
    public const string InternalError = "internal_error";

    /// <summary>The <c>error.type</c> the request log gives a call the client abandoned (status 499).</summary>
    public const string ClientClosedRequest = "client_closed_request";

    private bool WantsAnswer(GatewayCall call)
    {
        foreach (var observer in _observers)
        {
            if (observer.WantsAnswer(call))
            {
                return true;
            }
        }

        return false;
    }

    private async Task RouteAsync(GatewayCall call)
    {
        await _admission.AdmitAsync(call);                                          // rate limits and concurrency caps
        await using var result = await RouteExecutor.ExecuteAsync(call, _callTarget); // the config tree, each leaf below
        call.LastUsedOptionIndex = result.OptionPath;
        call.RetryCount = result.RetryCount;
        call.Provider = result.Request.ProviderSlug;
        call.ModelUsed = result.Request.Call.Model;
        call.VirtualKey = result.Request.VirtualKey?.Slug;
        var response = call.Response;
        response.SetHeader(GatewayHeaders.LastUsedOptionIndex, result.OptionPath);
        response.SetHeader(GatewayHeaders.RetryAttemptCount, result.RetryCount.ToString(CultureInfo.InvariantCulture));
        response.SetHeader(GatewayHeaders.Provider, result.Request.ProviderSlug);
        await _writer.WriteAsync(call, result);                                     // the answer, in the client's dialect
    }

    /// <summary>One target the config tree reached: its request, the cache, its worst-case spend, the attempts.</summary>
    private async Task<RouteResult> CallTargetAsync(ConfigNode leaf, TargetSettings settings, GatewayCall call)
    {
        var request = _requests.Create(leaf, settings, call.Plan!.Defaults, call);  // the provider's HTTP request
        if (await _caching.LookupAsync(call, settings, request) is { } hit)         // simple, then semantic; free of spend
        {
            return new RouteResult(UpstreamOutcome.FromCache(hit), leaf.Path, 0, request);
        }

        var hold = await _reservation.ReserveAsync(call, request);                  // budgets and the virtual key's limits
        TargetResult result;
        try
        {
            result = await _invoker.InvokeAsync(request, settings.Retry, settings.Circuit, call.Timings, call.Aborted, new AttemptLog(call, leaf.Path)); // retries, breaker, timeout
        }
        catch
        {
            _reservation.Release(hold);
            throw;
        }

        _reservation.Conclude(call, hold, result.Outcome);                          // kept for settlement, or given back
        return new RouteResult(result.Outcome, leaf.Path, result.RetryCount, request);
    }
}
