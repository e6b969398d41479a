using Switchyard.Gateway.Errors;
using Switchyard.Gateway.Pipeline;
using Switchyard.Gateway.Upstream;

namespace Switchyard.Gateway.Routing;

/// <summary>The answer a route produced, which target produced it, and Portkey's retry count for it.</summary>
internal sealed record RouteResult(UpstreamOutcome Outcome, string OptionPath, int RetryCount, UpstreamRequest Request) : IAsyncDisposable
{
    public ValueTask DisposeAsync() => Outcome.DisposeAsync();
}

/// <summary>Calls one leaf of the config tree with its inherited settings; the pipeline supplies it.</summary>
internal delegate Task<RouteResult> LeafCall(ConfigNode leaf, TargetSettings settings, GatewayCall call);

/// <summary>
/// Walks the config tree: single, fallback, loadbalance and conditional nodes, nested to any depth, each node
/// inheriting its parent's settings; each leaf it reaches is called through the pipeline's <see cref="LeafCall"/>.
/// </summary>
internal static class RouteExecutor
{
    /// <summary>Routes the call along its <see cref="GatewayCall.Plan"/>.</summary>
    public static Task<RouteResult> ExecuteAsync(GatewayCall call, LeafCall callLeaf)
    {
        var plan = call.Plan ?? throw new InvalidOperationException("The call has no route plan yet: the planner runs before the route.");
        return ExecuteAsync(plan.Config.Root, TargetSettings.Empty, plan, call, callLeaf);
    }

    private static async Task<RouteResult> ExecuteAsync(ConfigNode node, TargetSettings inherited, RoutePlan plan, GatewayCall call, LeafCall callLeaf)
    {
        var settings = inherited.InheritInto(node);
        if (node.IsLeaf)
        {
            return await callLeaf(node, settings, call);
        }

        var strategy = node.Strategy!;
        return strategy.Mode == StrategyMode.Fallback
            ? await FallBackAsync(node, strategy, settings, plan, call, callLeaf)
            : await ExecuteAsync(Choose(node, plan), settings, plan, call, callLeaf);
    }

    /// <summary>
    /// The leaf a request would be sent to first, with its inherited settings: the first target of single and fallback
    /// nodes, the weighted pick of loadbalance, the matching target of conditional (token counting asks only that one).
    /// </summary>
    public static (ConfigNode Leaf, TargetSettings Settings) FirstLeaf(RoutePlan plan)
    {
        var node = plan.Config.Root;
        var settings = TargetSettings.Empty.InheritInto(node);
        while (!node.IsLeaf)
        {
            node = node.Strategy!.Mode == StrategyMode.Fallback ? node.Targets[0] : Choose(node, plan);
            settings = settings.InheritInto(node);
        }

        return (node, settings);
    }

    /// <summary>The one target a single, loadbalance or conditional node sends to.</summary>
    private static ConfigNode Choose(ConfigNode node, RoutePlan plan) => node.Strategy!.Mode switch
    {
        StrategyMode.LoadBalance => node.Targets[LoadBalancer.Pick(node.Targets, Random.Shared.NextDouble())],
        StrategyMode.Conditional => ConditionalRouter.Route(node, plan.Facts)
            ?? throw new GatewayException(GatewayErrorKind.InvalidRequest, $"Query router did not resolve to any valid target: no condition of {node.Path} matched and it has no 'default'."),
        _ => node.Targets[0],
    };

    /// <summary>
    /// Tries targets in order. Moves on when the status is in <c>on_status_codes</c>, or, when none are set, on any non-2xx
    /// (timeouts and unreachable providers included), and always past a target whose circuit is open. Returns the first success, the first answer it may not move on from,
    /// or the last target's answer.
    /// </summary>
    private static async Task<RouteResult> FallBackAsync(ConfigNode node, StrategySettings strategy, TargetSettings settings, RoutePlan plan, GatewayCall call, LeafCall callLeaf)
    {
        RouteResult? last = null;
        foreach (var target in node.Targets)
        {
            if (last is not null)
            {
                await last.DisposeAsync();
            }

            last = await ExecuteAsync(target, settings, plan, call, callLeaf);
            if (last.Outcome.IsSuccess)
            {
                return last;
            }

            // A target skipped for its open circuit was never called: always move on, whatever on_status_codes lists.
            var moveOn = last.Outcome.Kind == OutcomeKind.CircuitOpen
                || strategy.OnStatusCodes is not { } codes || codes.Contains(last.Outcome.StatusCode);
            if (!moveOn)
            {
                return last;
            }
        }

        return last!;
    }
}
