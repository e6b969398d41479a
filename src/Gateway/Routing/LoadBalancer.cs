namespace Switchyard.Gateway.Routing;

/// <summary>Chooses the target of a <see cref="StrategyMode.LoadBalance"/> node, Portkey's way.</summary>
internal static class LoadBalancer
{
    /// <summary>
    /// With <c>r = random01 * Σw</c>, the first target with <c>r &lt; w</c> wins, else <c>r -= w</c>.
    /// Weights are not normalised, and a target of weight 0 is never picked.
    /// </summary>
    /// <param name="targets">The node's targets.</param>
    /// <param name="random01">A uniform draw from [0, 1); the caller owns the randomness so tests can pin it.</param>
    /// <returns>The index of the chosen target, or -1 when no target has a positive weight (the parser rejects such configs).</returns>
    public static int Pick(IReadOnlyList<ConfigNode> targets, double random01)
    {
        ArgumentNullException.ThrowIfNull(targets);
        var total = 0.0;
        var lastPickable = -1;
        for (var i = 0; i < targets.Count; i++)
        {
            if (targets[i].Weight > 0)
            {
                total += targets[i].Weight;
                lastPickable = i;
            }
        }

        if (lastPickable < 0)
        {
            return -1;
        }

        var r = (double.IsNaN(random01) ? 0 : Math.Clamp(random01, 0, 1)) * total;
        for (var i = 0; i < targets.Count; i++)
        {
            var weight = targets[i].Weight;
            if (weight <= 0)
            {
                // Checked explicitly: with r == 0, "r < w" alone would already exclude it, but not after rounding.
                continue;
            }

            if (r < weight)
            {
                return i;
            }

            r -= weight;
        }

        // Floating-point rounding can leave r at or just above the last weight when random01 is close to 1.
        return lastPickable;
    }
}
