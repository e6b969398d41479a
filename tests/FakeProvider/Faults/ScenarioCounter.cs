using System.Collections.Concurrent;

namespace Switchyard.FakeProvider.Faults;

/// <summary>
/// Counts requests per scenario id so that <c>times=N</c> fails only the first N of them:
/// that is how a test makes "fail twice, then succeed" for a retry policy.
/// </summary>
internal sealed class ScenarioCounter
{
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

    /// <summary>Counts this request and returns the plan that applies to it.</summary>
    public FaultPlan Admit(FaultPlan plan)
    {
        if (plan.ScenarioId is null)
        {
            return plan;
        }

        // AddOrUpdate retries its compare-and-swap until it wins, so each request sees its own number.
        var number = _counts.AddOrUpdate(plan.ScenarioId, 1, static (_, count) => count + 1);
        return plan.Times is int times && number > times ? plan.WithoutFailures() : plan;
    }

    public void Reset() => _counts.Clear();
}
