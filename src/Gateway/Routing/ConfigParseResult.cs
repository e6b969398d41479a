namespace Switchyard.Gateway.Routing;

/// <summary>The outcome of parsing a config: the config, or every error found, each prefixed with its JSON path.</summary>
/// <param name="Config">The config; null when <paramref name="Errors"/> is not empty.</param>
/// <param name="Errors">Messages such as <c>config.targets[0].retry.attempts: must be an integer from 0 to 10</c>, in document-walk order.</param>
public sealed record ConfigParseResult(RoutingConfig? Config, IReadOnlyList<string> Errors)
{
    public bool IsValid => Config is not null;
}
