using Switchyard.State;

namespace Switchyard.Gateway.Tests.Admission;

/// <summary>
/// A quota bank for one process, for the admission and settlement tests: the invariant (used + reserved + amount ≤
/// limit, all claims or none) kept under one lock, and every settlement kept for assertions.
/// </summary>
internal sealed class InMemoryQuotaBank : IQuotaBank
{
    private readonly Dictionary<QuotaWindow, (long Used, long Reserved)> _quotas = [];
    private readonly List<QuotaSettlement> _settled = [];
    private readonly Lock _gate = new();

    public event Action<QuotaChange>? SpendRecorded;

    /// <summary>Every settlement handed to <see cref="Settle"/>, in order.</summary>
    public IReadOnlyList<QuotaSettlement> Settled
    {
        get
        {
            lock (_gate)
            {
                return _settled.ToArray();
            }
        }
    }

    /// <summary>How many times <see cref="Settle"/> was called.</summary>
    public int SettleCalls { get; private set; }

    /// <summary>Thrown by every reservation when set: the authority is out of reach.</summary>
    public bool Unavailable { get; set; }

    public (long Used, long Reserved) Standing(QuotaWindow window)
    {
        lock (_gate)
        {
            return _quotas.GetValueOrDefault(window);
        }
    }

    /// <summary>Puts <paramref name="used"/> on a quota before the test's call, as earlier calls would have.</summary>
    public void Spend(QuotaWindow window, long used)
    {
        lock (_gate)
        {
            var (before, reserved) = _quotas.GetValueOrDefault(window);
            _quotas[window] = (before + used, reserved);
        }
    }

    public ValueTask<QuotaDecision> ReserveAsync(IReadOnlyList<QuotaClaim> claims, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (Unavailable)
        {
            throw new QuotaBankUnavailableException();
        }

        lock (_gate)
        {
            var found = claims.Select(c => _quotas.GetValueOrDefault(c.Window)).ToArray();
            for (var i = 0; i < claims.Count; i++)
            {
                if (claims[i].IsHard && found[i].Used + found[i].Reserved + claims[i].Amount > claims[i].Limit)
                {
                    return ValueTask.FromResult(new QuotaDecision(i, found.Select(f => f.Used + f.Reserved).ToArray()));
                }
            }

            var taken = new long[claims.Count];
            for (var i = 0; i < claims.Count; i++)
            {
                // A claim without a hard cap is counted, not held: the bank keeps nothing reserved for it.
                var (used, reserved) = _quotas.GetValueOrDefault(claims[i].Window);
                var held = claims[i].IsHard ? claims[i].Amount : 0;
                _quotas[claims[i].Window] = (used, reserved + held);
                taken[i] = used + reserved + claims[i].Amount;
            }

            return ValueTask.FromResult(new QuotaDecision(-1, taken));
        }
    }

    public void Settle(IReadOnlyList<QuotaSettlement> settlements)
    {
        var changes = new List<QuotaChange>();
        lock (_gate)
        {
            SettleCalls++;
            foreach (var settlement in settlements)
            {
                _settled.Add(settlement);
                var (used, reserved) = _quotas.GetValueOrDefault(settlement.Window);
                _quotas[settlement.Window] = (used + settlement.Actual, reserved - settlement.Reserved);
                if (settlement.Window.Meter is QuotaMeter.CostMicros or QuotaMeter.BudgetTokens)
                {
                    changes.Add(new QuotaChange(settlement.Window, used, used + settlement.Actual));
                }
            }
        }

        foreach (var change in changes)
        {
            SpendRecorded?.Invoke(change);
        }
    }

    public Task<IReadOnlyList<QuotaUsage>> UsageAsync(GovernedKind kind, string entityId, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task LimitsChangedAsync(GovernedKind kind, string entityId, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
