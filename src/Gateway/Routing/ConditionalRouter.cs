namespace Switchyard.Gateway.Routing;

/// <summary>Chooses the target of a <see cref="StrategyMode.Conditional"/> node.</summary>
internal static class ConditionalRouter
{
    /// <summary>
    /// The direct target named by the first matching condition's <c>then</c>, else by <c>default</c>;
    /// null when nothing matches and there is no default (Portkey answers 400
    /// <c>Query router did not resolve to any valid target</c>).
    /// </summary>
    public static ConfigNode? Route(ConfigNode node, RoutingFacts facts)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(facts);
        if (node.Strategy is not { Mode: StrategyMode.Conditional } strategy)
        {
            throw new ArgumentException($"{node.Path} is not a conditional node.", nameof(node));
        }

        foreach (var rule in strategy.Conditions)
        {
            if (rule.Query.Matches(facts))
            {
                return FindTarget(node, rule.Then);
            }
        }

        return strategy.Default is { } name ? FindTarget(node, name) : null;
    }

    // The parser has checked that every name exists; like Portkey, the first target with the name wins.
    private static ConfigNode? FindTarget(ConfigNode node, string name)
    {
        foreach (var target in node.Targets)
        {
            if (string.Equals(target.Name, name, StringComparison.Ordinal))
            {
                return target;
            }
        }

        return null;
    }
}
