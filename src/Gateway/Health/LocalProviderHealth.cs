using System.Collections.Concurrent;
using Switchyard.State;

namespace Switchyard.Gateway.Health;

/// <summary>
/// Provider health for one process (the embedded default): the cluster is this process, so publishing is a write to
/// memory and the probe claim a compare under a lock.
/// </summary>
public sealed class LocalProviderHealth : IProviderHealth
{
    private readonly ConcurrentDictionary<string, CircuitStatus> _circuits = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly string _replicaId;

    public LocalProviderHealth(string replicaId) => _replicaId = replicaId;

    public event Action<CircuitStatus>? Changed;

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

            claimed = new CircuitStatus(targetKey, CircuitState.HalfOpen, status.OpenUntil, _replicaId, probeExpiresAt);
            _circuits[targetKey] = claimed;
        }

        Changed?.Invoke(claimed);
        return Task.FromResult(true);
    }
}
