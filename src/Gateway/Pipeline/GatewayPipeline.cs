using System.Text.Json;
using Switchyard.Gateway.Execution;

namespace Switchyard.Gateway.Pipeline;

/// <summary>
/// The request pipeline (DESIGN.md §4) for one call whose body has been read: trace id, metadata, route plan,
/// admission (rate limits and concurrency), the routing tree (each target reserving its worst-case spend), the answer,
/// then settlement. Steps that later issues add (guardrails, cache, logging) slot in here in the order of DESIGN.md §4.
/// </summary>
public sealed class GatewayPipeline
{
    private readonly RoutePlanner _planner;
    private readonly RouteExecutor _executor;
    private readonly ResponseWriter _writer;
    private readonly TokenCounter _counter;
    private readonly Security.Authenticator _authenticator;
    private readonly Admission.KeyLedger _ledger;
    private readonly ICallObserver[] _observers;

    internal GatewayPipeline(Security.Authenticator authenticator, Admission.KeyLedger ledger, RoutePlanner planner, RouteExecutor executor, ResponseWriter writer, TokenCounter counter, IEnumerable<ICallObserver> observers)
    {
        _authenticator = authenticator;
        _ledger = ledger;
        _planner = planner;
        _executor = executor;
        _writer = writer;
        _counter = counter;
        _observers = observers.ToArray();
    }

    /// <summary>Routes the call and writes the provider's answer.</summary>
    public Task HandleAsync(GatewayCall call) => RunAsync(call, async plan =>
    {
        await _ledger.AdmitAsync(call);
        await using var result = await _executor.ExecuteAsync(plan, call);
        call.LastUsedOptionIndex = result.OptionPath;
        call.RetryCount = result.RetryCount;
        call.Provider = result.Request.ProviderSlug;
        var response = call.Response;
        response.SetHeader(PortkeyHeaders.LastUsedOptionIndex, result.OptionPath);
        response.SetHeader(PortkeyHeaders.RetryAttemptCount, result.RetryCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
        response.SetHeader(PortkeyHeaders.Provider, result.Request.ProviderSlug);
        await _writer.WriteAsync(call, result);
    });

    /// <summary>Counts the input tokens of an Anthropic-shaped request on its route (<c>/v1/messages/count_tokens</c>).</summary>
    public Task CountTokensAsync(GatewayCall call) => RunAsync(call, plan => _counter.CountAsync(plan, call));

    private async Task RunAsync(GatewayCall call, Func<Execution.RoutePlan, Task> route)
    {
        var response = call.Response;
        call.TraceId = call.Headers[PortkeyHeaders.TraceId] is { Length: > 0 } traceId ? traceId : TraceIds.New();
        response.SetHeader(PortkeyHeaders.TraceId, call.TraceId);
        response.SetHeader(PortkeyHeaders.CacheStatus, "DISABLED");
        try
        {
            _authenticator.Authenticate(call);
            call.Metadata = Security.MetadataDefaults.Apply(call, ReadMetadata(call.Headers[PortkeyHeaders.Metadata]));
            await route(_planner.Plan(call));
        }
        catch (GatewayException ex)
        {
            call.StatusCode = ex.StatusCode;
            await GatewayErrors.WriteAsync(response, call.Dialect, ex, call.Aborted);
        }
        catch (OperationCanceledException) when (call.Aborted.IsCancellationRequested)
        {
            // The client went away; every upstream call was cancelled with it. 499 is nginx's "client closed request".
            call.StatusCode = 499;
        }
        finally
        {
            // Step 10: every reservation ends here, whatever happened, to what the provider reported.
            _ledger.Settle(call);
        }

        foreach (var observer in _observers)
        {
            observer.OnCompleted(call);
        }
    }

    private static JsonElement? ReadMetadata(string? header)
    {
        if (header is null)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 16 });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new GatewayException(400, "x-portkey-metadata must be a JSON object, e.g. {\"user\":\"u-1\",\"tier\":\"pro\"}.");
            }

            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new GatewayException(400, "x-portkey-metadata is not valid JSON; send a JSON object, e.g. {\"user\":\"u-1\"}.");
        }
    }
}
