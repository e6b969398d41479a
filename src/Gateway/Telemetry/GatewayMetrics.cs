using System.Diagnostics.Metrics;
using Switchyard.Gateway.Health;
using Switchyard.State;

namespace Switchyard.Gateway.Telemetry;

/// <summary>
/// The gateway's instruments on the meter <see cref="GatewayTelemetry.MeterName"/>: the GenAI semantic conventions'
/// client and server metrics (with the buckets they advise), and the gateway's own <c>switchyard.*</c> counters and
/// gauges. Recorded by <see cref="CallMetrics"/>; the gauges are read when a reader collects (a scrape, an export).
/// </summary>
internal sealed class GatewayMetrics : IDisposable
{
    private readonly Meter _meter;

    public GatewayMetrics(IMeterFactory meters, CircuitBreakers circuits, IQuotaGauge? quotas = null, ILogQueueGauge? logQueue = null)
    {
        _meter = meters.Create(GatewayTelemetry.MeterName);
        OperationDuration = _meter.CreateHistogram(
            "gen_ai.client.operation.duration", "s", "GenAI operation duration: one upstream attempt, from the gateway as the provider's client.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = GenAiConventions.DurationBuckets });
        TokenUsage = _meter.CreateHistogram(
            "gen_ai.client.token.usage", "{token}", "Number of input and output tokens used, as the provider reported them.",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = GenAiConventions.TokenBuckets });
        TimeToFirstToken = _meter.CreateHistogram(
            "gen_ai.server.time_to_first_token", "s", "Time to the first event of successful streamed answers.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = GenAiConventions.TimeToFirstTokenBuckets });
        RequestDuration = _meter.CreateHistogram(
            "gen_ai.server.request.duration", "s", "GenAI request duration at the gateway, from arrival to the last byte.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = GenAiConventions.DurationBuckets });
        Requests = _meter.CreateCounter<long>("switchyard.requests", "{request}", "Gateway calls by status and error type.");
        Overhead = _meter.CreateHistogram(
            "switchyard.gateway.overhead", "s", "A call's time at the gateway less its upstream waits and retry back-off.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = OverheadBuckets });
        Retries = _meter.CreateCounter<long>("switchyard.retries", "{retry}", "Attempts repeated at the same target.");
        Fallbacks = _meter.CreateCounter<long>("switchyard.fallbacks", "{fallback}", "Moves to the next target after one failed.");
        CacheLookups = _meter.CreateCounter<long>("switchyard.cache.lookups", "{lookup}", "Response cache lookups by result.");
        Refusals = _meter.CreateCounter<long>("switchyard.refusals", "{request}", "Calls refused by a rate limit or a budget before any provider was called.");
        _meter.CreateObservableGauge("switchyard.circuit.state", () => CircuitStates(circuits), "{state}",
            "Circuit state per target: 0 closed, 1 open, 2 half-open.");
        if (quotas is not null)
        {
            _meter.CreateObservableCounter("switchyard.quota.lease.grants", () => quotas.LeaseGrants, "{grant}", "Quota leases granted to this front door.");
            _meter.CreateObservableGauge("switchyard.budget.remaining", () => BudgetsRemaining(quotas), "{unit}",
                "Budget left per governed key with a budget (micro-dollars or tokens, by switchyard.quota.meter).");
        }

        if (logQueue is not null)
        {
            _meter.CreateObservableGauge("switchyard.log.queue.depth", () => logQueue.Depth, "{record}", "Request-log records waiting to be written.");
            _meter.CreateObservableCounter("switchyard.log.queue.dropped", () => logQueue.Dropped, "{record}", "Request-log records dropped because the queue was full.");
        }
    }

    /// <summary>Sub-millisecond to a second: the gateway's own work per call is small, and its tail is what matters.</summary>
    private static readonly double[] OverheadBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

    public Histogram<double> OperationDuration { get; }

    public Histogram<long> TokenUsage { get; }

    public Histogram<double> TimeToFirstToken { get; }

    public Histogram<double> RequestDuration { get; }

    public Counter<long> Requests { get; }

    public Histogram<double> Overhead { get; }

    public Counter<long> Retries { get; }

    public Counter<long> Fallbacks { get; }

    public Counter<long> CacheLookups { get; }

    public Counter<long> Refusals { get; }

    public void Dispose() => _meter.Dispose();

    /// <summary>Every target this front door has a breaker for, and every circuit the cluster reports not closed.</summary>
    private static IEnumerable<Measurement<int>> CircuitStates(CircuitBreakers circuits)
    {
        var health = circuits.Health;
        var keys = new HashSet<string>(circuits.TargetKeys, StringComparer.Ordinal);
        foreach (var status in health.NotClosed())
        {
            keys.Add(status.TargetKey);
        }

        foreach (var key in keys)
        {
            var state = health.Get(key).State;
            if (state == CircuitState.Closed && circuits.LocalStates(key).Any(s => s is Polly.CircuitBreaker.CircuitState.Open or Polly.CircuitBreaker.CircuitState.Isolated))
            {
                // This front door's own breaker holds the target although the cluster has not heard yet.
                state = CircuitState.Open;
            }

            var value = state switch
            {
                CircuitState.Open => 1,
                CircuitState.HalfOpen => 2,
                _ => 0,
            };
            yield return new Measurement<int>(value,
                new KeyValuePair<string, object?>("switchyard.target", key),
                new KeyValuePair<string, object?>(GenAiConventions.ProviderName, GenAiConventions.Provider(ProviderOf(key))));
        }
    }

    /// <summary>A target key starts with the provider's slug (<see cref="TargetKey.For"/>).</summary>
    private static string ProviderOf(string targetKey) => targetKey.IndexOf(' ') is var space and > 0 ? targetKey[..space] : targetKey;

    private static IEnumerable<Measurement<long>> BudgetsRemaining(IQuotaGauge quotas)
    {
        foreach (var budget in quotas.Budgets())
        {
            yield return new Measurement<long>(budget.Remaining,
                new KeyValuePair<string, object?>("switchyard.governed.kind", KindName(budget.Kind)),
                new KeyValuePair<string, object?>("switchyard.governed.id", budget.EntityId),
                new KeyValuePair<string, object?>("switchyard.quota.meter", budget.Meter == QuotaMeter.CostMicros ? "cost_micros" : "tokens"));
        }
    }

    private static string KindName(GovernedKind kind) => kind switch
    {
        GovernedKind.Workspace => "workspace",
        GovernedKind.ApiKey => "api_key",
        _ => "virtual_key",
    };
}
