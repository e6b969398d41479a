using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Switchyard.Gateway.Pipeline;
using Switchyard.Gateway.Routing;
using Switchyard.Gateway.Upstream;
using Switchyard.Providers.Catalog;

namespace Switchyard.Gateway.Execution;

/// <summary>
/// Step 3 of the pipeline: reads the Portkey headers and resolves the config (inline JSON, or a config built from
/// <c>x-portkey-provider</c>). Parsed configs are cached by their text, so a client sending the same header on every
/// request pays for parsing once.
/// </summary>
internal sealed class RoutePlanner
{
    private const int MaxCachedConfigs = 1024;

    /// <summary>Provider-specific headers that become provider options: <c>x-portkey-azure-resource-name</c> → <c>azure_resource_name</c>.</summary>
    private static readonly string[] ProviderOptionPrefixes = ["openai-", "azure-", "aws-", "anthropic-", "vertex-", "cohere-"];

    private readonly ProviderCatalog _catalog;
    private readonly CustomHostPolicy _customHosts;
    private readonly GatewayOptions _options;
    private readonly ConcurrentDictionary<(string Text, bool HasDefaultProvider), ConfigParseResult> _configs = new();

    public RoutePlanner(ProviderCatalog catalog, CustomHostPolicy customHosts, IOptions<GatewayOptions> options)
    {
        _catalog = catalog;
        _customHosts = customHosts;
        _options = options.Value;
    }

    public RoutePlan Plan(GatewayCall call)
    {
        var headers = call.Headers;
        var provider = headers[PortkeyHeaders.Provider];
        if (provider is not null && !_catalog.TryGet(provider, out _))
        {
            throw new GatewayException(400, $"Invalid provider passed: '{provider}'. Use a provider slug such as openai, groq or together-ai (docs/providers.md lists them all).");
        }

        var customHost = headers[PortkeyHeaders.CustomHost];
        if (customHost is not null && _customHosts.Check(customHost) is { } hostProblem)
        {
            throw new GatewayException(400, $"Invalid custom host: {hostProblem}");
        }

        var defaults = new RouteDefaults(
            provider,
            call.ApiKeyInAuthorization ? headers["x-api-key"] : Credential(headers),
            customHost,
            RequestTimeout(headers),
            ForwardHeaders(headers),
            ProviderOptions(headers));

        var configText = headers[PortkeyHeaders.Config];
        RoutingConfig config;
        if (configText is not null)
        {
            config = ParseConfig(configText, provider is not null);
        }
        else if (provider is not null)
        {
            config = ParseConfig($$"""{"provider":"{{provider}}"}""", hasDefaultProvider: true);
        }
        else
        {
            throw new GatewayException(400, "Either x-portkey-config or x-portkey-provider header is required: name a provider (e.g. x-portkey-provider: openai) or send a config.");
        }

        var facts = new RoutingFacts(call.Metadata, LazyParams(call), call.Path);
        return new RoutePlan(config, defaults, facts);
    }

    private RoutingConfig ParseConfig(string text, bool hasDefaultProvider)
    {
        var trimmed = text.AsSpan().Trim();
        if (trimmed.Length == 0 || trimmed[0] != '{')
        {
            throw new GatewayException(400, $"x-portkey-config must be a JSON config object; saved config ids such as '{Truncate(text)}' are not supported yet.");
        }

        var key = (text, hasDefaultProvider);
        if (!_configs.TryGetValue(key, out var result))
        {
            result = RoutingConfigParser.Parse(Encoding.UTF8.GetBytes(text), new ConfigValidationContext(
                slug => _catalog.TryGet(slug, out _),
                _customHosts.Check,
                hasDefaultProvider,
                _options.MaxRetryAttempts));
            if (_configs.Count >= MaxCachedConfigs)
            {
                _configs.Clear();
            }

            _configs[key] = result;
        }

        return result.Config ?? throw new GatewayException(400, "Invalid config passed", result.Errors);
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
        var authorization = headers["Authorization"];
        if (authorization is not null)
        {
            const string bearer = "Bearer ";
            return authorization.StartsWith(bearer, StringComparison.OrdinalIgnoreCase) ? authorization[bearer.Length..].Trim() : authorization.Trim();
        }

        return headers["x-api-key"];
    }

    private static TimeSpan? RequestTimeout(IRequestHeaders headers)
    {
        var value = headers[PortkeyHeaders.RequestTimeout];
        if (value is null)
        {
            return null;
        }

        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) || ms <= 0)
        {
            throw new GatewayException(400, $"{PortkeyHeaders.RequestTimeout} must be a positive whole number of milliseconds, not '{Truncate(value)}'.");
        }

        return TimeSpan.FromMilliseconds(ms);
    }

    private static IReadOnlyList<string>? ForwardHeaders(IRequestHeaders headers)
    {
        var value = headers[PortkeyHeaders.ForwardHeaders];
        if (value is null)
        {
            return null;
        }

        var names = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Any(name => name.Equals(PortkeyHeaders.ForwardHeaders, StringComparison.OrdinalIgnoreCase)))
        {
            throw new GatewayException(400, $"{PortkeyHeaders.ForwardHeaders} may not list itself.");
        }

        return names;
    }

    private static IReadOnlyDictionary<string, string> ProviderOptions(IRequestHeaders headers)
    {
        Dictionary<string, string>? options = null;
        foreach (var (name, value) in headers.All)
        {
            // Anthropic's SDK sends its version and beta headers unprefixed; Portkey accepts both spellings.
            var option = name.StartsWith("x-portkey-", StringComparison.OrdinalIgnoreCase) ? name["x-portkey-".Length..]
                : name.StartsWith("anthropic-", StringComparison.OrdinalIgnoreCase) ? name
                : null;
            if (option is null || !Array.Exists(ProviderOptionPrefixes, prefix => option.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            (options ??= new Dictionary<string, string>(StringComparer.Ordinal))[option.ToLowerInvariant().Replace('-', '_')] = value;
        }

        return options ?? (IReadOnlyDictionary<string, string>)System.Collections.Frozen.FrozenDictionary<string, string>.Empty;
    }

    private static string Truncate(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
