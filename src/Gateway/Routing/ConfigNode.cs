using System.Collections.Frozen;
using System.Text.Json;

namespace Switchyard.Gateway.Routing;

/// <summary>
/// One node of a routing config: either a branch (a <see cref="Strategy"/> over <see cref="Targets"/>)
/// or a leaf that calls a provider. Built only by <see cref="RoutingConfigParser"/> and immutable after that.
/// </summary>
/// <remarks>
/// The settings here are the node's own, as written. What a leaf actually runs with (override_params,
/// retry, cache, timeouts inherited from its ancestors) comes from <see cref="TargetSettings.InheritInto"/>.
/// </remarks>
public sealed class ConfigNode
{
    internal ConfigNode(string path) => Path = path;

    /// <summary>
    /// The node's JSON path: <c>config</c>, <c>config.targets[1]</c>, <c>config.targets[0].targets[2]</c>.
    /// Used in error messages and as the value of <c>x-portkey-last-used-option-index</c>.
    /// </summary>
    public string Path { get; }

    /// <summary>The name conditional routing refers to in <c>then</c> and <c>default</c>.</summary>
    public string? Name { get; internal init; }

    /// <summary>Share of traffic under a loadbalance parent; default 1, 0 means never picked.</summary>
    public double Weight { get; internal init; } = 1;

    /// <summary>Null for a leaf.</summary>
    public StrategySettings? Strategy { get; internal init; }

    /// <summary>Child nodes in document order; empty for a leaf.</summary>
    public IReadOnlyList<ConfigNode> Targets { get; internal init; } = [];

    /// <summary>Provider slug, e.g. <c>openai</c>.</summary>
    public string? Provider { get; internal init; }

    /// <summary>
    /// The provider credential; optional. Unlike Portkey, a target without <c>api_key</c> is valid:
    /// the gateway then sends the credential the request itself carried.
    /// </summary>
    public string? ApiKey { get; internal init; }

    /// <summary>Slug of a vaulted provider credential.</summary>
    public string? VirtualKey { get; internal init; }

    /// <summary>Request-body fields written over the client's body, in document order.</summary>
    public IReadOnlyList<KeyValuePair<string, JsonElement>> OverrideParams { get; internal init; } = [];

    public RetrySettings? Retry { get; internal init; }

    public CacheSettings? Cache { get; internal init; }

    /// <summary>Per-attempt timeout in milliseconds, until response headers arrive.</summary>
    public int? RequestTimeoutMs { get; internal init; }

    /// <summary>Replaces the provider's base URL; already checked by <see cref="ConfigValidationContext.CheckCustomHost"/>.</summary>
    public string? CustomHost { get; internal init; }

    /// <summary>Client header names to pass on to the provider.</summary>
    public IReadOnlyList<string>? ForwardHeaders { get; internal init; }

    public bool? StrictOpenAiCompliance { get; internal init; }

    /// <summary>The node's circuit-breaker settings: its own <c>cb_config</c>, else its strategy's <c>cb_config</c>.</summary>
    public CircuitSettings? Circuit { get; internal init; }

    /// <summary>
    /// Provider extras (<c>aws_*</c>, <c>azure_*</c>, <c>vertex_*</c>, <c>openai_project</c>, <c>anthropic_version</c>, …)
    /// by their wire name. Object values such as <c>vertex_service_account_json</c> are kept as their JSON text.
    /// </summary>
    public IReadOnlyDictionary<string, string> ProviderOptions { get; internal init; } = FrozenDictionary<string, string>.Empty;

    public bool IsLeaf => Targets.Count == 0;

    public override string ToString() => Path;
}
