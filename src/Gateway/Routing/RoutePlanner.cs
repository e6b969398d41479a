using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Switchyard.Gateway.Errors;
using Switchyard.Gateway.Pipeline;
using Switchyard.Gateway.Security;
using Switchyard.Gateway.Upstream;
using Switchyard.Providers.Catalog;

namespace Switchyard.Gateway.Routing;

/// <summary>
/// The pipeline's plan: reads the Portkey headers and resolves the config: inline JSON, a saved config of the
/// caller's workspace (<c>x-portkey-config: pc-…</c>, or the API key's default config when the request names neither a
/// config nor a provider), or a config built from <c>x-portkey-provider</c> / <c>x-portkey-virtual-key</c> /
/// <c>"model": "@slug/model"</c>. Parsed configs are cached by their text, so a client sending the same header on
/// every request pays for parsing once.
/// </summary>
internal sealed class RoutePlanner
{
    private const int MaxCachedConfigs = 1024;


    private readonly ProviderCatalog _catalog;
    private readonly CustomHostPolicy _customHosts;
    private readonly GatewayOptions _options;
    private readonly KeyDirectory _directory;
    private readonly VirtualKeyResolver _virtualKeys;
    private readonly BoundedCache<(string Text, bool HasDefaultProvider), ConfigParseResult> _configs = new(MaxCachedConfigs);
    private readonly BoundedCache<string, string?> _customHostProblems = new(MaxCachedConfigs);

    public RoutePlanner(ProviderCatalog catalog, CustomHostPolicy customHosts, IOptions<GatewayOptions> options, KeyDirectory directory, VirtualKeyResolver virtualKeys)
    {
        _catalog = catalog;
        _customHosts = customHosts;
        _options = options.Value;
        _directory = directory;
        _virtualKeys = virtualKeys;
    }

    public RoutePlan Plan(GatewayCall call)
    {
        var headers = call.Headers;
        var provider = headers[GatewayHeaders.Provider];
        if (provider is not null && !_catalog.TryGet(provider, out _))
        {
            throw new GatewayException(GatewayErrorKind.InvalidRequest, $"Invalid provider passed: '{provider}'. Use a provider slug such as openai, groq or together-ai (docs/providers.md lists them all).");
        }

        var customHost = headers[GatewayHeaders.CustomHost];
        if (customHost is not null && _customHostProblems.GetOrAdd(customHost, static (host, policy) => policy.Check(host), _customHosts) is { } hostProblem)
        {
            throw new GatewayException(GatewayErrorKind.InvalidRequest, $"Invalid custom host: {hostProblem}");
        }

        var virtualKey = headers[GatewayHeaders.VirtualKey] is { Length: > 0 } vkSlug
            ? _virtualKeys.Resolve(call, vkSlug.Trim(), GatewayHeaders.VirtualKey)
            : null;
        var defaults = new RouteDefaults(
            provider,
            call.ApiKeyInAuthorization ? headers[GatewayHeaders.XApiKey] : Credential(headers),
            customHost,
            RequestTimeout(headers),
            ForwardHeaders(headers),
            ProviderOptions(headers),
            virtualKey);

        // A provider header, a virtual key header or an "@slug/model" body each name a provider for leaves without one.
        var modelAddress = ModelAddress.TryParse(call.Body.Model, out _);
        var hasDefaultProvider = provider is not null || virtualKey is not null || modelAddress;
        var configText = headers[GatewayHeaders.Config];
        RoutingConfig config;
        State.SavedConfig? saved = null;
        if (configText is not null)
        {
            if (IsInlineConfig(configText))
            {
                config = ParseConfig(configText, hasDefaultProvider);
            }
            else
            {
                (config, saved) = SavedConfig(call, configText.Trim(), GatewayHeaders.Config);
            }
        }
        else if (provider is null && virtualKey is null && call.ApiKey?.DefaultConfigSlug is { Length: > 0 } defaultConfig)
        {
            (config, saved) = SavedConfig(call, defaultConfig, "This API key's default config");
        }
        else if (provider is not null && virtualKey is null)
        {
            config = ParseConfig($$"""{"provider":"{{provider}}"}""", hasDefaultProvider: true);
        }
        else if (hasDefaultProvider)
        {
            // The leaf takes its provider from the virtual key (header or "@slug/model"), which beats a provider header.
            config = ParseConfig("{}", hasDefaultProvider: true);
        }
        else
        {
            throw new GatewayException(GatewayErrorKind.InvalidRequest, "Either x-portkey-config or x-portkey-provider header is required: name a provider (e.g. x-portkey-provider: openai), a virtual key (x-portkey-virtual-key, or \"model\": \"@slug/model\"), or send a config.");
        }

        var facts = new RoutingFacts(call.Metadata, LazyParams(call), call.Path);
        return new RoutePlan(config, defaults, facts, saved);
    }

    private static bool IsInlineConfig(string text)
    {
        var trimmed = text.AsSpan().Trim();
        return trimmed.Length > 0 && trimmed[0] == '{';
    }

    /// <summary>
    /// A saved config (<c>pc-…</c>) of the caller's workspace, latest version, from the key directory. It is parsed by
    /// its text, so a new version (new text) is parsed once and an old one ages out of the cache. Saved configs were
    /// validated on save with leaves allowed to leave the provider to the request; a leaf that still has none is a 400
    /// when it is reached.
    /// </summary>
    private (RoutingConfig Config, State.SavedConfig Saved) SavedConfig(GatewayCall call, string slug, string source)
    {
        if (slug.Length == 0)
        {
            throw new GatewayException(GatewayErrorKind.InvalidRequest, $"{GatewayHeaders.Config} is empty: send a JSON config object or a saved config id (pc-…).");
        }

        if (call.Workspace is not { } workspace)
        {
            throw new GatewayException(GatewayErrorKind.Unauthenticated, $"{source} names saved config '{Truncate(slug)}', but saved configs belong to a workspace: send a Switchyard API key (x-portkey-api-key or Authorization: Bearer sk-sy-…) to use one, or send the config as JSON.");
        }

        var saved = _directory.FindConfig(workspace.Id, slug)
            ?? throw new GatewayException(GatewayErrorKind.Forbidden, $"{source} names saved config '{Truncate(slug)}', which this API key's workspace does not have. Use a config of the key's own workspace.");
        return (ParseConfig(saved.ConfigJson, hasDefaultProvider: true), saved);
    }

    private RoutingConfig ParseConfig(string text, bool hasDefaultProvider)
    {
        var result = _configs.GetOrAdd((text, hasDefaultProvider), static (key, self) => RoutingConfigParser.Parse(Encoding.UTF8.GetBytes(key.Text), new ConfigValidationContext(
            slug => self._catalog.TryGet(slug, out _),
            self._customHosts.Check,
            key.HasDefaultProvider,
            self._options.MaxRetryAttempts)), this);
        return result.Config ?? throw new GatewayException(GatewayErrorKind.InvalidConfig, "Invalid config passed", result.Errors);
    }

    private static Func<JsonElement?> LazyParams(GatewayCall call)
    {
        JsonElement? parsed = null;
        var done = false;
        return () =>
        {
            if (!done)
            {
                done = true;
                if (!call.Body.Utf8.IsEmpty)
                {
                    using var document = JsonDocument.Parse(call.Body.Utf8);
                    parsed = document.RootElement.Clone();
                }
            }

            return parsed;
        };
    }

    /// <summary>The provider key the client sent: <c>Authorization: Bearer …</c> (or Anthropic's <c>x-api-key</c>).</summary>
    private static string? Credential(IRequestHeaders headers)
    {
        var authorization = headers[GatewayHeaders.Authorization];
        if (authorization is not null)
        {
            const string bearer = "Bearer ";
            return authorization.StartsWith(bearer, StringComparison.OrdinalIgnoreCase) ? authorization[bearer.Length..].Trim() : authorization.Trim();
        }

        return headers[GatewayHeaders.XApiKey];
    }

    private static TimeSpan? RequestTimeout(IRequestHeaders headers)
    {
        var value = headers[GatewayHeaders.RequestTimeout];
        if (value is null)
        {
            return null;
        }

        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) || ms <= 0)
        {
            throw new GatewayException(GatewayErrorKind.InvalidRequest, $"{GatewayHeaders.RequestTimeout} must be a positive whole number of milliseconds, not '{Truncate(value)}'.");
        }

        return TimeSpan.FromMilliseconds(ms);
    }

    private static IReadOnlyList<string>? ForwardHeaders(IRequestHeaders headers)
    {
        var value = headers[GatewayHeaders.ForwardHeaders];
        if (value is null)
        {
            return null;
        }

        var names = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Any(name => name.Equals(GatewayHeaders.ForwardHeaders, StringComparison.OrdinalIgnoreCase)))
        {
            throw new GatewayException(GatewayErrorKind.InvalidRequest, $"{GatewayHeaders.ForwardHeaders} may not list itself.");
        }

        return names;
    }

    private static IReadOnlyDictionary<string, string> ProviderOptions(IRequestHeaders headers)
    {
        Dictionary<string, string>? options = null;
        foreach (var (name, value) in headers.All)
        {
            if (ProviderOptionNames.FromHeader(name) is { } option)
            {
                (options ??= new Dictionary<string, string>(StringComparer.Ordinal))[option] = value;
            }
        }

        return options ?? (IReadOnlyDictionary<string, string>)System.Collections.Frozen.FrozenDictionary<string, string>.Empty;
    }

    private static string Truncate(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
