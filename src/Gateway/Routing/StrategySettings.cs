namespace Switchyard.Gateway.Routing;

/// <summary>How a node with targets chooses among them (Portkey's <c>strategy.mode</c>).</summary>
public enum StrategyMode
{
    /// <summary>Always <c>targets[0]</c>.</summary>
    Single,

    /// <summary>Targets in order; move on when the status is in <c>on_status_codes</c> (or any non-2xx when unset).</summary>
    Fallback,

    /// <summary>One target chosen at random, in proportion to <c>weight</c>.</summary>
    LoadBalance,

    /// <summary>The first condition that matches the request names the target; else <c>default</c>.</summary>
    Conditional,
}

/// <summary>One <c>strategy.conditions[]</c> entry: when <paramref name="Query"/> matches, route to the target named <paramref name="Then"/>.</summary>
public sealed record ConditionalRule(QueryCondition Query, string Then);

/// <summary>A node's <c>strategy</c>.</summary>
/// <param name="Mode">The strategy mode.</param>
/// <param name="OnStatusCodes">Fallback trigger codes; null when absent, meaning any non-2xx response moves on.</param>
/// <param name="Conditions">Conditional rules in document order; empty unless <see cref="StrategyMode.Conditional"/>.</param>
/// <param name="Default">Target name used when no condition matches; only for <see cref="StrategyMode.Conditional"/>.</param>
public sealed record StrategySettings(
    StrategyMode Mode,
    IReadOnlyList<int>? OnStatusCodes,
    IReadOnlyList<ConditionalRule> Conditions,
    string? Default);
