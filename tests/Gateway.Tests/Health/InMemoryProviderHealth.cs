using System.Collections.Concurrent;
using Switchyard.State;

namespace Switchyard.Gateway.Tests.Health;

/// <summary>
/// Provider health for one process, for the breakers' unit tests: publishing is a write to memory, the probe claim a
/// compare under a lock, and recorded outcomes are kept for assertions.
/// </summary>
internal sealed class InMemoryProviderHealth(string holderId) : IProviderHealth
{
    private readonly ConcurrentDictionary<string, CircuitStatus> _circuits = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<RecordedOutcome> _recorded = new();
    private readonly Lock _gate = new();

    public event Action<CircuitStatus>? Changed;

    /// <summary>Every outcome handed to <see cref="Record"/>, in order.</summary>
    public IReadOnlyList<RecordedOutcome> Recorded => _recorded.ToArray();

    public ValueTask<CircuitStatus> CurrentAsync(string targetKey, CancellationToken cancellationToken) => ValueTask.FromResult(Get(targetKey));

    public CircuitStatus Get(string targetKey) =>
        _circuits.TryGetValue(targetKey, out var status) ? status : CircuitStatus.ClosedFor(targetKey);

    public IReadOnlyList<CircuitStatus> NotClosed() => _circuits.Values.ToArray();

    public Task PublishOpenAsync(string targetKey, DateTimeOffset openUntil, CancellationToken cancellationToken)
    {
        var status = new CircuitStatus(targetKey, CircuitState.Open, openUntil, null, null);
        lock (_gate)
        {
            _circuits[targetKey] = status;
        }

        Changed?.Invoke(status);
        return Task.CompletedTask;
    }

    public Task PublishClosedAsync(string targetKey, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _circuits.TryRemove(targetKey, out _);
        }

        Changed?.Invoke(CircuitStatus.ClosedFor(targetKey));
        return Task.CompletedTask;
    }

    public Task<bool> TryClaimProbeAsync(string targetKey, DateTimeOffset now, DateTimeOffset probeExpiresAt, CancellationToken cancellationToken)
    {
        CircuitStatus claimed;
        lock (_gate)
        {
            if (!_circuits.TryGetValue(targetKey, out var status) || status.State == CircuitState.Closed || status.Blocks(now))
            {
                return Task.FromResult(false);
            }

            claimed = new CircuitStatus(targetKey, CircuitState.HalfOpen, status.OpenUntil, holderId, probeExpiresAt);
            _circuits[targetKey] = claimed;
        }

        Changed?.Invoke(claimed);
        return Task.FromResult(true);
    }

    public void Record(string targetKey, CircuitThresholds thresholds, bool failure) =>
        _recorded.Enqueue(new RecordedOutcome(targetKey, thresholds, failure));
}

/// <summary>One outcome the breakers recorded for the cluster.</summary>
internal sealed record RecordedOutcome(string TargetKey, CircuitThresholds Thresholds, bool Failure);
