using Switchyard.Gateway.Pipeline;
using Switchyard.Gateway.Routing;
using Switchyard.Gateway.Upstream;

namespace Switchyard.Gateway.Execution;

/// <summary>The answer a route produced, and which target produced it.</summary>
internal sealed record RouteResult(UpstreamOutcome Outcome, string OptionPath, int RetryCount, UpstreamRequest Request) : IAsyncDisposable
{
    public ValueTask DisposeAsync() => Outcome.DisposeAsync();
}

/// <summary>
/// Walks the config tree: single, fallback, loadbalance and conditional nodes, nested to any depth, each node
/// inheriting its parent's settings; leaves are called through the <see cref="TargetInvoker"/>.
/// </summary>
internal sealed class RouteExecutor
{
    private readonly TargetRequestFactory _requests;
    private readonly TargetInvoker _invoker;
    private readonly Admission.KeyLedger _ledger;

    public RouteExecutor(TargetRequestFactory requests, TargetInvoker invoker, Admission.KeyLedger ledger)
    {
        _requests = requests;
        _invoker = invoker;
        _ledger = ledger;
    }

    public Task<RouteResult> ExecuteAsync(RoutePlan plan, GatewayCall call) =>
        ExecuteAsync(plan.Config.Root, TargetSettings.Empty, plan, call);

    private async Task<RouteResult> ExecuteAsync(ConfigNode node, TargetSettings inherited, RoutePlan plan, GatewayCall call)
    {
        var settings = inherited.InheritInto(node);
        if (node.IsLeaf)
        {
            var request = _requests.Create(node, settings, plan.Defaults, call);
            var hold = await _ledger.ReserveSpendAsync(call, request);
            TargetResult result;
            try
            {
                result = await _invoker.InvokeAsync(request, settings.Retry, settings.Circuit, call.Timings, call.Aborted);
            }
            catch when (hold is not null)
            {
                _ledger.Release(hold);
                throw;
            }

            if (result.Outcome.IsSuccess)
            {
                // The provider took the call: its hold is settled to the usage once the answer is written.
                call.ProviderAnswered = true;
                if (hold is not null)
                {
                    call.Holds.Add(hold);
                }
            }
            else if (hold is not null)
            {
                _ledger.Release(hold);
            }

            return new RouteResult(result.Outcome, node.Path, result.RetryCount, request);
        }

        var strategy = node.Strategy!;
        return strategy.Mode == StrategyMode.Fallback
            ? await FallBackAsync(node, strategy, settings, plan, call)
            : await ExecuteAsync(Choose(node, plan), settings, plan, call);
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
            ?? throw new GatewayException(400, $"Query router did not resolve to any valid target: no condition of {node.Path} matched and it has no 'default'."),
        _ => node.Targets[0],
    };

    /// <summary>
    /// Tries targets in order. Moves on when the status is in <c>on_status_codes</c>, or, when none are set, on any non-2xx
    /// (timeouts and unreachable providers included), and always past a target whose circuit is open. Returns the first success, the first answer it may not move on from,
    /// or the last target's answer.
    /// </summary>
    private async Task<RouteResult> FallBackAsync(ConfigNode node, StrategySettings strategy, TargetSettings settings, RoutePlan plan, GatewayCall call)
    {
        RouteResult? last = null;
        foreach (var target in node.Targets)
        {
            if (last is not null)
            {
                await last.DisposeAsync();
            }

            last = await ExecuteAsync(target, settings, plan, call);
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
