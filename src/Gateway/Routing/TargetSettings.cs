using System.Text.Json;

namespace Switchyard.Gateway.Routing;

/// <summary>
/// The settings a node runs with after inheritance down the tree (Portkey's <c>currentInheritedConfig</c>).
/// Start from <see cref="Empty"/> and call <see cref="InheritInto"/> for each node on the way to a leaf.
/// </summary>
/// <param name="OverrideParams">Merged override_params: the ancestors', then the node's own, in document order.</param>
public sealed record TargetSettings(
    IReadOnlyList<KeyValuePair<string, JsonElement>> OverrideParams,
    RetrySettings? Retry,
    CacheSettings? Cache,
    int? RequestTimeoutMs,
    string? CustomHost,
    IReadOnlyList<string>? ForwardHeaders,
    bool? StrictOpenAiCompliance)
{
    public static TargetSettings Empty { get; } = new([], null, null, null, null, null, null);

    /// <summary>The nearest <c>cb_config</c> up the tree, taken whole like <c>retry</c>; null when none sets one.</summary>
    public CircuitSettings? Circuit { get; init; }

    /// <summary>
    /// The settings of <paramref name="child"/> when these are its parent's. <c>override_params</c> merge with
    /// the child's keys winning; <c>retry</c> and <c>cache</c> are taken whole from the child when it has them;
    /// the rest are inherited when the child leaves them out. <c>cb_config</c> is taken whole from the nearest node
    /// that sets one (Portkey: strategies inherit it from their parent, targets from their strategy).
    /// </summary>
    public TargetSettings InheritInto(ConfigNode child)
    {
        ArgumentNullException.ThrowIfNull(child);
        return new TargetSettings(
            Merge(OverrideParams, child.OverrideParams),
            child.Retry ?? Retry,
            child.Cache ?? Cache,
            child.RequestTimeoutMs ?? RequestTimeoutMs,
            child.CustomHost ?? CustomHost,
            child.ForwardHeaders ?? ForwardHeaders,
            child.StrictOpenAiCompliance ?? StrictOpenAiCompliance)
        {
            Circuit = child.Circuit ?? Circuit,
        };
    }

    // Same order as JavaScript's {...parent, ...child}: a key the parent had keeps its place with the
    // child's value; keys new in the child follow, in the child's order.
    private static IReadOnlyList<KeyValuePair<string, JsonElement>> Merge(
        IReadOnlyList<KeyValuePair<string, JsonElement>> parent,
        IReadOnlyList<KeyValuePair<string, JsonElement>> child)
    {
        if (child.Count == 0)
        {
            return parent;
        }

        if (parent.Count == 0)
        {
            return child;
        }

        var merged = new List<KeyValuePair<string, JsonElement>>(parent.Count + child.Count);
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var pair in parent)
        {
            positions[pair.Key] = merged.Count;
            merged.Add(pair);
        }

        foreach (var pair in child)
        {
            if (positions.TryGetValue(pair.Key, out var at))
            {
                merged[at] = pair;
            }
            else
            {
                positions[pair.Key] = merged.Count;
                merged.Add(pair);
            }
        }

        return merged.ToArray();
    }
}
