namespace Switchyard.Gateway.Routing;

/// <summary>
/// What the request headers decided before any target is called: the config tree to walk, and the
/// header-level defaults every leaf may fall back on.
/// </summary>
/// <param name="Saved">The saved config the tree came from (its slug and version go to the request log); null for inline configs and none.</param>
internal sealed record RoutePlan(RoutingConfig Config, RouteDefaults Defaults, RoutingFacts Facts, State.SavedConfig? Saved = null);

/// <summary>Header-level values a leaf uses when its config says nothing (provider, credential, custom host) or that override the config (timeout, forward headers).</summary>
/// <param name="VirtualKey">The <c>x-portkey-virtual-key</c> header's key, resolved in the caller's workspace: a leaf naming no provider of its own uses its provider, secret and options ahead of <paramref name="Provider"/> and <paramref name="Credential"/>.</param>
internal sealed record RouteDefaults(
    string? Provider,
    string? Credential,
    string? CustomHost,
    TimeSpan? RequestTimeout,
    IReadOnlyList<string>? ForwardHeaders,
    IReadOnlyDictionary<string, string> ProviderOptions,
    Security.ResolvedVirtualKey? VirtualKey = null);
