using Switchyard.State;

namespace Switchyard.Grains.Tests.Infrastructure;

/// <summary>
/// The <c>quota_usage</c> rows of entities from before grains kept quotas, as a test sets them; counts the reads per
/// entity so a test can tell the grain imported once.
/// </summary>
public sealed class FakeSettledSpendArchive : ISettledSpendArchive
{
    private readonly object _gate = new();
    private readonly Dictionary<(GovernedKind, string), QuotaUsage[]> _rows = [];
    private readonly Dictionary<(GovernedKind, string), int> _reads = [];

    public void Set(GovernedKind kind, string entityId, params QuotaUsage[] rows)
    {
        lock (_gate)
        {
            _rows[(kind, entityId)] = rows;
        }
    }

    public int Reads(GovernedKind kind, string entityId)
    {
        lock (_gate)
        {
            return _reads.GetValueOrDefault((kind, entityId));
        }
    }

    public Task<IReadOnlyList<QuotaUsage>> ReadAsync(GovernedKind kind, string entityId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _reads[(kind, entityId)] = _reads.GetValueOrDefault((kind, entityId)) + 1;
            return Task.FromResult<IReadOnlyList<QuotaUsage>>(_rows.GetValueOrDefault((kind, entityId)) ?? []);
        }
    }
}
