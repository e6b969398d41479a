namespace Switchyard.Gateway.Routing;

/// <summary>
/// A node's <c>cb_config</c> (on the node itself, or on its <c>strategy</c> as Portkey writes it), as written: fields
/// left out are null and take the gateway's <see cref="Health.CircuitBreakerOptions"/>. A node that has one turns its targets'
/// circuit breakers on, unless it says <c>"enabled": false</c>.
/// </summary>
/// <param name="Enabled">Our field <c>enabled</c>; null means on (the config asked for a breaker by having one).</param>
/// <param name="FailureRatio">Our <c>failure_ratio</c> (0 to 1), or Portkey's <c>failure_threshold_percentage</c> / 100.</param>
/// <param name="MinimumThroughput">Our <c>minimum_throughput</c>, or Portkey's <c>minimum_requests</c>: calls in the sampling window before the ratio counts.</param>
/// <param name="SamplingDurationMs">Our <c>sampling_duration_ms</c>: the window the ratio is measured over.</param>
/// <param name="BreakDurationMs">Our <c>break_duration_ms</c>, or Portkey's <c>cooldown_interval</c>: how long an opened circuit stays open.</param>
/// <param name="FailureStatusCodes"><c>failure_status_codes</c>: the statuses that count as failures (timeouts and transport errors always do).</param>
public sealed record CircuitSettings(
    bool? Enabled,
    double? FailureRatio,
    int? MinimumThroughput,
    int? SamplingDurationMs,
    int? BreakDurationMs,
    IReadOnlyList<int>? FailureStatusCodes);
