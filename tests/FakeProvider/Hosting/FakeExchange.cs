using System.Diagnostics.CodeAnalysis;
using Switchyard.FakeProvider.Faults;
using Switchyard.FakeProvider.Journal;

namespace Switchyard.FakeProvider.Hosting;

/// <summary>
/// Per-request state shared by intake, the wire-format handlers and the fault code; kept as a
/// request feature so handlers take one object instead of a bag of locals.
/// </summary>
internal sealed class FakeExchange
{
    public required string Body { get; init; }

    public required JournalSlot Slot { get; init; }

    /// <summary>Fires when the client goes away or the fake shuts down; every wait honours it.</summary>
    public required CancellationToken Cancellation { get; init; }

    public required TimeProvider Time { get; init; }

    public required ScenarioCounter Scenarios { get; init; }

    /// <summary>Directives from the x-fake-fault and x-fake-scenario headers, or null when they did not parse.</summary>
    public required IReadOnlyDictionary<string, string?>? HeaderDirectives { get; init; }

    public string? HeaderDirectiveError { get; init; }

    /// <summary>
    /// Merges the directives a wire format found in its own place (for OpenAI, the model name)
    /// with the header ones, header winning, and validates them. Does not count the scenario yet:
    /// a request that is rejected as invalid should not use up a scenario's failures.
    /// </summary>
    public bool TryPlanFaults(
        IReadOnlyDictionary<string, string?> formatDirectives,
        [NotNullWhen(true)] out FaultPlan? plan,
        [NotNullWhen(false)] out string? error)
    {
        plan = null;
        if (HeaderDirectives is null)
        {
            error = HeaderDirectiveError ?? "the x-fake-fault header did not parse";
            return false;
        }

        if (!FaultPlan.TryCreate(FaultDirectives.Merge(formatDirectives, HeaderDirectives), out plan, out error))
        {
            return false;
        }

        Slot.SetScenario(plan.ScenarioId);
        return true;
    }

    /// <summary>Counts the request against its scenario and returns the faults that apply to it.</summary>
    public FaultPlan Admit(FaultPlan plan) => Scenarios.Admit(plan);
}
