using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Switchyard.Gateway.Routing;
using Switchyard.Gateway.Upstream;
using Switchyard.State;
using CircuitState = Switchyard.State.CircuitState;

namespace Switchyard.Gateway.Health;

/// <summary>What the gate decided for one call to a target.</summary>
internal enum CircuitAdmission
{
    /// <summary>The circuit is closed: call as usual.</summary>
    Pass,

    /// <summary>The break is over and this call won the probe: its outcome closes or reopens the circuit everywhere.</summary>
    Probe,

    /// <summary>The circuit is open (or another replica is probing it): skip the target without a network call.</summary>
    Skip,
}

/// <summary>The breaker settings a target runs with: the config's <c>cb_config</c> over the gateway's defaults.</summary>
internal sealed record CircuitPolicy(
    double FailureRatio,
    int MinimumThroughput,
    TimeSpan SamplingDuration,
    TimeSpan BreakDuration,
    IReadOnlySet<int> FailureStatusCodes,
    string Signature)
{
    /// <summary>The policy as the cluster's outcome counts carry it.</summary>
    public CircuitThresholds Thresholds { get; } = new(Signature, FailureRatio, MinimumThroughput, SamplingDuration, BreakDuration);

    /// <summary>Timeouts, transport errors and broken bodies always count; answers when their status is listed.</summary>
    public bool IsFailure(UpstreamOutcome outcome) => outcome.Kind switch
    {
        OutcomeKind.Response => FailureStatusCodes.Contains(outcome.StatusCode),
        OutcomeKind.CircuitOpen => false,
        _ => true,
    };
}

/// <summary>One target's local breaker: a Polly.Core circuit breaker that samples this replica's calls.</summary>
internal sealed class TargetCircuit(string key, string description, CircuitPolicy policy)
{
    public string Key { get; } = key;

    /// <summary>The target as error messages name it (no credential, no fingerprint).</summary>
    public string Description { get; } = description;

    public CircuitPolicy Policy { get; } = policy;

    public ResiliencePipeline<UpstreamOutcome> Pipeline { get; set; } = ResiliencePipeline<UpstreamOutcome>.Empty;

    public CircuitBreakerStateProvider State { get; } = new();

    public CircuitBreakerManualControl Control { get; } = new();
}

/// <summary>
/// The circuit breakers of every target this replica calls, and the gate in front of them. Each target (see
/// <see cref="TargetKey"/>) gets a Polly.Core breaker that samples this replica's calls; when it opens, the opening is
/// published through <see cref="IProviderHealth"/> so every replica skips the target until the break ends. Then one
/// replica wins the probe claim and its call's outcome closes the circuit everywhere or opens it again. Every sampled
/// outcome is also recorded with <see cref="IProviderHealth.Record"/>, so the cluster can open a circuit whose failures
/// are spread over replicas that each saw too few to trip their own breaker.
/// </summary>
internal sealed partial class CircuitBreakers : IDisposable
{
    private readonly IProviderHealth _health;
    private readonly CircuitBreakerOptions _defaults;
    private readonly IReadOnlySet<int> _defaultCodes;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, TargetCircuit>> _circuits = new(StringComparer.Ordinal);

    public CircuitBreakers(IProviderHealth health, IOptions<GatewayOptions> options, TimeProvider time, ILogger<CircuitBreakers> logger)
    {
        _health = health;
        _defaults = options.Value.CircuitBreaker;
        _defaults.TryReadFailureStatusCodes(out _defaultCodes, out _);
        _time = time;
        _logger = logger;
        _health.Changed += OnClusterChange;
    }

    /// <summary>The cluster's view, for tests and metrics.</summary>
    public IProviderHealth Health => _health;

    /// <summary>
    /// The breaker of the target <paramref name="request"/> calls, with the settings <paramref name="settings"/> and the
    /// defaults give it; null when breakers are off for it. Targets with different settings sample separately but share
    /// the cluster-wide open state of their key.
    /// </summary>
    public TargetCircuit? For(UpstreamRequest request, CircuitSettings? settings)
    {
        if (!(settings?.Enabled ?? settings is not null || _defaults.Enabled))
        {
            return null;
        }

        var policy = Resolve(settings);
        var key = TargetKey.For(request);
        var variants = _circuits.GetOrAdd(key, static _ => new ConcurrentDictionary<string, TargetCircuit>(StringComparer.Ordinal));
        return variants.TryGetValue(policy.Signature, out var circuit)
            ? circuit
            : variants.GetOrAdd(policy.Signature, static (_, state) => state.Self.Build(state.Key, state.Request, state.Policy), (Self: this, Key: key, Request: request, Policy: policy));
    }

    /// <summary>
    /// Decides whether a call may go to the target: yes while the cluster says closed; no while it is open or another
    /// replica probes; and when the break is over, only for the one call that wins the probe claim.
    /// </summary>
    public async ValueTask<(CircuitAdmission Admission, UpstreamOutcome? Skipped)> AdmitAsync(TargetCircuit circuit, TimeSpan requestTimeout, CancellationToken cancellationToken)
    {
        var status = await _health.CurrentAsync(circuit.Key, cancellationToken);
        if (status.State == CircuitState.Closed)
        {
            return (CircuitAdmission.Pass, null);
        }

        var now = _time.GetUtcNow();
        if (status.Blocks(now))
        {
            return (CircuitAdmission.Skip, Skipped(circuit, status, now));
        }

        var lease = requestTimeout < _defaults.ProbeLease ? requestTimeout : _defaults.ProbeLease;
        try
        {
            if (await _health.TryClaimProbeAsync(circuit.Key, now, now + lease, cancellationToken))
            {
                LogProbing(_logger, circuit.Key);
                return (CircuitAdmission.Probe, null);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Without the shared store this replica falls back to its own breaker rather than blocking the target forever.
            LogHealthUnavailable(_logger, circuit.Key, ex);
            return (CircuitAdmission.Pass, null);
        }

        return (CircuitAdmission.Skip, Skipped(circuit, _health.Get(circuit.Key), now));
    }

    /// <summary>Publishes a probe's outcome: closed everywhere on success, open for another break on failure.</summary>
    public async ValueTask ReportProbeAsync(TargetCircuit circuit, UpstreamOutcome outcome)
    {
        try
        {
            if (outcome.Kind == OutcomeKind.CircuitOpen)
            {
                // This replica's own breaker still holds the target: the cluster waits as long as it does.
                await _health.PublishOpenAsync(circuit.Key, _time.GetUtcNow() + (outcome.RetryAfter ?? circuit.Policy.BreakDuration), CancellationToken.None);
            }
            else if (circuit.Policy.IsFailure(outcome))
            {
                LogProbeFailed(_logger, circuit.Key, outcome.StatusCode);
                await _health.PublishOpenAsync(circuit.Key, _time.GetUtcNow() + circuit.Policy.BreakDuration, CancellationToken.None);
            }
            else
            {
                LogProbeSucceeded(_logger, circuit.Key);
                await _health.PublishClosedAsync(circuit.Key, CancellationToken.None);
            }
        }
        catch (Exception ex)
        {
            LogHealthUnavailable(_logger, circuit.Key, ex);
        }
    }

    /// <summary>Gives up a probe that did not finish: the circuit stays open, but the next call may claim the probe at once.</summary>
    public async ValueTask AbandonProbeAsync(TargetCircuit circuit)
    {
        try
        {
            await _health.PublishOpenAsync(circuit.Key, _time.GetUtcNow(), CancellationToken.None);
        }
        catch (Exception ex)
        {
            LogHealthUnavailable(_logger, circuit.Key, ex);
        }
    }

    /// <summary>The outcome of a call this replica's own breaker refused (Polly's <see cref="BrokenCircuitException"/>).</summary>
    public UpstreamOutcome Refused(TargetCircuit circuit, BrokenCircuitException refusal)
    {
        var now = _time.GetUtcNow();
        var status = _health.Get(circuit.Key);
        if (status.State != CircuitState.Closed && status.Blocks(now))
        {
            return Skipped(circuit, status, now);
        }

        var until = now + (refusal.RetryAfter ?? circuit.Policy.BreakDuration);
        return Skipped(circuit, new CircuitStatus(circuit.Key, CircuitState.Open, until, null, null), now);
    }

    /// <summary>The local breakers' states of a target key, for tests and metrics.</summary>
    public IReadOnlyList<Polly.CircuitBreaker.CircuitState> LocalStates(string targetKey) =>
        _circuits.TryGetValue(targetKey, out var variants) ? variants.Values.Select(c => c.State.CircuitState).ToArray() : [];

    /// <summary>Every target key this replica has a breaker for.</summary>
    public IReadOnlyCollection<string> TargetKeys => _circuits.Keys.ToArray();

    public void Dispose() => _health.Changed -= OnClusterChange;

    private static UpstreamOutcome Skipped(TargetCircuit circuit, CircuitStatus status, DateTimeOffset now)
    {
        if (status.State == CircuitState.HalfOpen)
        {
            var expires = status.ProbeExpiresAt ?? now;
            return UpstreamOutcome.CircuitOpen(
                $"The circuit breaker of {circuit.Description} is half-open: another request is probing it, so this one was not sent. It closes when the probe succeeds; if the probe's replica does not report, another probe may be sent after {Time(expires)}.",
                expires - now);
        }

        var until = status.OpenUntil ?? now;
        return UpstreamOutcome.CircuitOpen(
            $"The circuit breaker of {circuit.Description} is open after repeated failures, so it was not called. It may close after {Time(until)}, when one probe is sent.",
            until - now);
    }

    /// <summary>
    /// Whether a call's outcome is a failure by <paramref name="policy"/>; null when it says nothing about the provider
    /// (the client went away, or no call was made), which the local breaker counts as a success and the cluster not at all.
    /// </summary>
    private static bool? Judge(CircuitPolicy policy, Outcome<UpstreamOutcome> outcome) => outcome.Exception switch
    {
        null when outcome.Result!.Kind == OutcomeKind.CircuitOpen => null,
        null => policy.IsFailure(outcome.Result!),
        TimeoutRejectedException => true,
        OperationCanceledException => null,
        _ => true,
    };

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private CircuitPolicy Resolve(CircuitSettings? settings)
    {
        var ratio = settings?.FailureRatio ?? _defaults.FailureRatio;
        var throughput = settings?.MinimumThroughput ?? _defaults.MinimumThroughput;
        var sampling = settings?.SamplingDurationMs is { } s ? TimeSpan.FromMilliseconds(s) : _defaults.SamplingDuration;
        var breakDuration = settings?.BreakDurationMs is { } b ? TimeSpan.FromMilliseconds(b) : _defaults.BreakDuration;
        var codes = settings?.FailureStatusCodes is { } listed ? listed.ToHashSet() : _defaultCodes;
        var codeText = settings?.FailureStatusCodes is { } l ? string.Join(',', l.Order()) : "default";
        var signature = string.Create(CultureInfo.InvariantCulture, $"{ratio}|{throughput}|{sampling.Ticks}|{breakDuration.Ticks}|{codeText}");
        return new CircuitPolicy(ratio, throughput, sampling, breakDuration, codes, signature);
    }

    private TargetCircuit Build(string key, UpstreamRequest request, CircuitPolicy policy)
    {
        var circuit = new TargetCircuit(key, TargetKey.Describe(request), policy);
        circuit.Pipeline = new ResiliencePipelineBuilder<UpstreamOutcome> { TimeProvider = _time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<UpstreamOutcome>
            {
                FailureRatio = policy.FailureRatio,
                MinimumThroughput = policy.MinimumThroughput,
                SamplingDuration = policy.SamplingDuration,
                BreakDuration = policy.BreakDuration,
                StateProvider = circuit.State,
                ManualControl = circuit.Control,
                ShouldHandle = args =>
                {
                    if (Judge(policy, args.Outcome) is not { } failure)
                    {
                        return ValueTask.FromResult(false);
                    }

                    _health.Record(key, policy.Thresholds, failure);
                    return ValueTask.FromResult(failure);
                },
                OnOpened = async args =>
                {
                    if (args.IsManual)
                    {
                        return;
                    }

                    LogOpened(_logger, key, policy.BreakDuration.TotalMilliseconds);
                    try
                    {
                        // Published after Polly set its own break, so the cluster's break never ends before this replica's.
                        await _health.PublishOpenAsync(key, _time.GetUtcNow() + args.BreakDuration, CancellationToken.None);
                    }
                    catch (Exception ex)
                    {
                        LogHealthUnavailable(_logger, key, ex);
                    }
                },
            })
            .Build();
        return circuit;
    }

    private void OnClusterChange(CircuitStatus status)
    {
        // A probe elsewhere succeeded: this replica's breaker, if it opened too, closes now instead of probing again.
        if (status.State != CircuitState.Closed || !_circuits.TryGetValue(status.TargetKey, out var variants))
        {
            return;
        }

        foreach (var circuit in variants.Values)
        {
            if (circuit.State.CircuitState != Polly.CircuitBreaker.CircuitState.Closed)
            {
                _ = CloseAsync(circuit);
            }
        }
    }

    private async Task CloseAsync(TargetCircuit circuit)
    {
        try
        {
            await circuit.Control.CloseAsync();
        }
        catch (Exception ex)
        {
            LogHealthUnavailable(_logger, circuit.Key, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Circuit of {TargetKey} opened for {BreakMs} ms")]
    private static partial void LogOpened(ILogger logger, string targetKey, double breakMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Circuit of {TargetKey}: this replica sends the probe")]
    private static partial void LogProbing(ILogger logger, string targetKey);

    [LoggerMessage(Level = LogLevel.Information, Message = "Circuit of {TargetKey}: probe succeeded, closed")]
    private static partial void LogProbeSucceeded(ILogger logger, string targetKey);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Circuit of {TargetKey}: probe failed with {Status}, open again")]
    private static partial void LogProbeFailed(ILogger logger, string targetKey, int status);

    [LoggerMessage(Level = LogLevel.Error, Message = "Circuit of {TargetKey}: the shared provider health could not be read or written; this replica's own breaker decides")]
    private static partial void LogHealthUnavailable(ILogger logger, string targetKey, Exception exception);
}
