namespace Switchyard.Gateway.Routing;

/// <summary>A parsed and validated routing config: the tree the gateway walks for one request.</summary>
public sealed class RoutingConfig
{
    internal RoutingConfig(ConfigNode root) => Root = root;

    /// <summary>The top-level node; its <see cref="ConfigNode.Path"/> is <c>config</c>.</summary>
    public ConfigNode Root { get; }
}
