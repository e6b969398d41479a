using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Switchyard.Gateway.Errors;
using Switchyard.Gateway.Intake;
using Switchyard.Gateway.Pipeline;
using Switchyard.Gateway.Routing;
using Switchyard.Gateway.Security;
using Switchyard.Gateway.Upstream;
using Switchyard.Providers;
using Switchyard.Providers.Catalog;
using Switchyard.Providers.Dialects;

namespace Switchyard.Gateway.Targets;

/// <summary>
/// Turns a leaf of the config tree, with its inherited settings and the header defaults, into the HTTP request
/// its provider's adapter builds. Every refusal here is a client mistake (400) that stops the whole route.
/// </summary>
internal sealed class TargetRequestFactory
{
    private static readonly byte[] IncludeUsage = """{"include_usage":true}"""u8.ToArray();

    private readonly ProviderCatalog _catalog;
    private readonly ProviderAdapters _adapters;
    private readonly GatewayOptions _options;
    private readonly VirtualKeyResolver _virtualKeys;
    private readonly BoundedCache<string, Uri> _customHostUris = new(1024);

    public TargetRequestFactory(ProviderCatalog catalog, ProviderAdapters adapters, IOptions<GatewayOptions> options, VirtualKeyResolver virtualKeys)
    {
        _catalog = catalog;
        _adapters = adapters;
        _options = options.Value;
        _virtualKeys = virtualKeys;
    }

    /// <summary>The provider a leaf calls (its virtual key's, its own, or the header's); null when nothing names one.</summary>
    public string? ProviderFor(ConfigNode leaf, TargetSettings settings, RouteDefaults defaults, GatewayCall call) =>
        VirtualKeyFor(leaf, defaults, call, Address(settings, call))?.Provider ?? leaf.Provider ?? defaults.Provider;

    public UpstreamRequest Create(ConfigNode leaf, TargetSettings settings, RouteDefaults defaults, GatewayCall call)
    {
        var address = Address(settings, call);
        var virtualKey = VirtualKeyFor(leaf, defaults, call, address);
        var slug = virtualKey?.Provider ?? leaf.Provider ?? defaults.Provider
            ?? throw new GatewayException(GatewayErrorKind.InvalidRequest, $"{leaf.Path}: names no provider; add 'provider' or 'virtual_key', or send the x-portkey-provider or x-portkey-virtual-key header.");
        if (!_catalog.TryGet(slug, out var provider))
        {
            throw new GatewayException(GatewayErrorKind.InvalidRequest, $"Invalid provider passed: '{slug}'.");
        }

        if (!_adapters.TryGet(provider.Format, out var adapter))
        {
            throw new GatewayException(GatewayErrorKind.InvalidRequest, $"Provider '{slug}' speaks its own {provider.Format} wire format, which this version cannot translate yet; use another provider.");
        }

        if (call.ApiKey?.AllowedProviders is { Count: > 0 } providers && !providers.Contains(slug, StringComparer.Ordinal))
        {
            throw new GatewayException(GatewayErrorKind.Forbidden, $"This API key may not use provider '{slug}' (allowed: {string.Join(", ", providers)}).");
        }

        if (!Serves(provider, call.Operation))
        {
            throw new GatewayException(GatewayErrorKind.InvalidRequest, $"Provider '{slug}' does not serve {call.Operation.Describe()}.");
        }

        var customHost = settings.CustomHost ?? defaults.CustomHost;
        var baseUrl = customHost is not null ? _customHostUris.GetOrAdd(customHost, static (host, _) => new Uri(host, UriKind.Absolute), 0) : provider.BaseUrl;

        // The client's own bytes go through when the provider speaks the client's format; otherwise the OpenAI lingua franca.
        var native = call.Dialect.NativeFormat == provider.Format;
        try
        {
            var body = !call.Operation.HasBody() || native ? call.Body.Utf8 : call.OpenAiBody();
            var bodyFormat = native ? provider.Format : WireFormat.OpenAi;
            // "@slug/model" names the virtual key in use: the provider is sent the bare model, and only that field changes.
            var bareModel = address is { } a && a.Slug == virtualKey?.Slug ? a.Model : null;
            var fields = BodyFields(settings, call, provider, bodyFormat, bareModel, out var model, out var dropUsageChunk);
            if (call.ApiKey?.AllowedModels is { Count: > 0 } models && model is not null && !models.Contains(model, StringComparer.Ordinal))
            {
                throw new GatewayException(GatewayErrorKind.Forbidden, $"This API key may not use model '{model}' (allowed: {string.Join(", ", models)}).");
            }

            var providerCall = new ProviderCall(
                provider,
                call.Operation,
                baseUrl,
                leaf.VirtualKey is not null ? virtualKey!.Secret : leaf.ApiKey ?? virtualKey?.Secret ?? defaults.Credential,
                body,
                bodyFormat,
                fields,
                model,
                call.Body.Stream,
                Merge(virtualKey is null ? defaults.ProviderOptions : Merge(defaults.ProviderOptions, virtualKey.ProviderOptions), leaf.ProviderOptions),
                Forwarded(defaults.ForwardHeaders ?? settings.ForwardHeaders, call.Headers));
            var http = adapter.CreateRequest(providerCall);
            return new UpstreamRequest
            {
                ProviderSlug = slug,
                VirtualKey = virtualKey?.Record,
                Adapter = adapter,
                Call = providerCall,
                Method = http.Method,
                Uri = http.Uri,
                Headers = http.Headers,
                Body = http.Body,
                IsCustomHost = customHost is not null,
                Stream = call.Body.Stream && call.Operation.CanStream(),
                DropUsageChunk = dropUsageChunk,
                Timeout = defaults.RequestTimeout
                    ?? (settings.RequestTimeoutMs is { } ms ? TimeSpan.FromMilliseconds(ms) : _options.DefaultRequestTimeout),
            };
        }
        catch (ProviderRequestException ex)
        {
            throw new GatewayException(GatewayErrorKind.InvalidRequest, ex.Message);
        }
    }

    /// <summary>
    /// The virtual key a leaf calls with: its own <c>virtual_key</c>; else, when it names no provider, the model's
    /// <c>@slug/</c> (when that slug is a virtual key of the workspace), then the <c>x-portkey-virtual-key</c> header.
    /// An <c>@slug/</c> that is not a virtual key is left alone when a provider is named otherwise, because some
    /// providers' own model names start with <c>@</c> (Workers AI's <c>@cf/…</c>).
    /// </summary>
    private ResolvedVirtualKey? VirtualKeyFor(ConfigNode leaf, RouteDefaults defaults, GatewayCall call, ModelAddress? address)
    {
        if (leaf.VirtualKey is { } named)
        {
            return _virtualKeys.Resolve(call, named, $"{leaf.Path}.virtual_key");
        }

        if (leaf.Provider is not null)
        {
            return null;
        }

        if (address is { } a)
        {
            if (defaults.VirtualKey is null && defaults.Provider is null)
            {
                return _virtualKeys.Resolve(call, a.Slug, "model");
            }

            if (call.Workspace is not null && _virtualKeys.TryResolve(call, a.Slug, "model") is { } fromModel)
            {
                return fromModel;
            }
        }

        return defaults.VirtualKey;
    }

    private static ModelAddress? Address(TargetSettings settings, GatewayCall call) =>
        ModelAddress.TryParse(RequestedModel(settings, call), out var address) ? address : null;

    /// <summary>The model the client asked for: the config's <c>override_params.model</c> when it sets one as a string, else the body's.</summary>
    private static string? RequestedModel(TargetSettings settings, GatewayCall call)
    {
        for (var i = settings.OverrideParams.Count - 1; i >= 0; i--)
        {
            var (name, value) = settings.OverrideParams[i];
            if (name == "model")
            {
                return value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            }
        }

        return call.Body.Model;
    }

    private static bool Serves(ProviderDescriptor provider, ApiOperation operation) => operation switch
    {
        ApiOperation.ChatCompletions => provider.Capabilities.HasFlag(ProviderCapabilities.ChatCompletions),
        ApiOperation.Completions => provider.Capabilities.HasFlag(ProviderCapabilities.Completions),
        ApiOperation.Embeddings => provider.Capabilities.HasFlag(ProviderCapabilities.Embeddings),
        ApiOperation.Models => provider.Capabilities.HasFlag(ProviderCapabilities.Models),
        _ => false,
    };

    /// <summary>
    /// The fields to set on the body: <c>override_params</c>, the bare model when the client addressed it as
    /// <c>@slug/model</c>, and <c>stream_options.include_usage</c> when the client streams without asking for usage
    /// (the gateway needs it for accounting; the extra chunk is dropped on the way back).
    /// </summary>
    private static List<KeyValuePair<string, ReadOnlyMemory<byte>>> BodyFields(
        TargetSettings settings, GatewayCall call, ProviderDescriptor provider, WireFormat bodyFormat, string? bareModel, out string? model, out bool dropUsageChunk)
    {
        var fields = new List<KeyValuePair<string, ReadOnlyMemory<byte>>>(settings.OverrideParams.Count + 2);
        model = call.Body.Model;
        foreach (var (name, value) in settings.OverrideParams)
        {
            fields.Add(new(name, Encoding.UTF8.GetBytes(value.GetRawText())));
            if (name == "model")
            {
                model = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            }
        }

        if (bareModel is not null)
        {
            // Later entries win, so this replaces an override_params model as well as the client's.
            fields.Add(new("model", JsonString(bareModel)));
            model = bareModel;
        }

        if (call.Operation.HasBody() && string.IsNullOrEmpty(model))
        {
            throw new GatewayException(GatewayErrorKind.InvalidRequest, "'model' is required: set it in the request body (or in the config's override_params).");
        }

        // OpenAI clients that did not ask for stream usage do not get the usage chunk; other dialects build their own usage events from it.
        dropUsageChunk = call.Dialect.Format == ClientFormat.OpenAi && !call.Body.ClientAskedForUsage;
        if (call.Body.Stream && call.Operation.CanStream() && bodyFormat == WireFormat.OpenAi && !call.Body.ClientAskedForUsage
            && provider.Capabilities.HasFlag(ProviderCapabilities.StreamUsage))
        {
            fields.Add(new("stream_options", call.Dialect.Format == ClientFormat.OpenAi ? StreamOptionsWithUsage(call.Body) : IncludeUsage));
        }

        return fields;
    }

    private static ReadOnlyMemory<byte> JsonString(string value)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(value.Length + 2);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStringValue(value);
        }

        return buffer.WrittenMemory;
    }

    private static ReadOnlyMemory<byte> StreamOptionsWithUsage(RequestBody body)
    {
        if (body.StreamOptions is not { } existing)
        {
            return IncludeUsage;
        }

        // Keep whatever else the client put in stream_options; only include_usage changes.
        using var document = JsonDocument.Parse(body.Utf8.Slice(existing.ValueStart, existing.ValueLength));
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.NameEquals("include_usage"u8))
                {
                    continue;
                }

                property.WriteTo(writer);
            }

            writer.WriteBoolean("include_usage", true);
            writer.WriteEndObject();
        }

        return buffer.WrittenMemory;
    }

    private static IReadOnlyDictionary<string, string> Merge(IReadOnlyDictionary<string, string> headerOptions, IReadOnlyDictionary<string, string> configOptions)
    {
        if (headerOptions.Count == 0)
        {
            return configOptions;
        }

        if (configOptions.Count == 0)
        {
            return headerOptions;
        }

        var merged = new Dictionary<string, string>(headerOptions, StringComparer.Ordinal);
        foreach (var (name, value) in configOptions)
        {
            merged[name] = value;
        }

        return merged;
    }

    private static IReadOnlyList<KeyValuePair<string, string>> Forwarded(IReadOnlyList<string>? names, IRequestHeaders headers)
    {
        if (names is null || names.Count == 0)
        {
            return [];
        }

        var forwarded = new List<KeyValuePair<string, string>>(names.Count);
        foreach (var name in names)
        {
            if (headers[name] is { } value && !IsGatewayOwned(name))
            {
                forwarded.Add(new(name, value));
            }
        }

        return forwarded;
    }

    /// <summary>Headers that belong to this hop or to the gateway itself are never forwarded, whatever the config says.</summary>
    private static bool IsGatewayOwned(string name) =>
        name.StartsWith(GatewayHeaders.PortkeyPrefix, StringComparison.OrdinalIgnoreCase)
        || name.Equals("host", StringComparison.OrdinalIgnoreCase)
        || name.Equals(GatewayHeaders.ContentLength, StringComparison.OrdinalIgnoreCase)
        || name.Equals(GatewayHeaders.ContentType, StringComparison.OrdinalIgnoreCase)
        || name.Equals("connection", StringComparison.OrdinalIgnoreCase)
        || name.Equals("transfer-encoding", StringComparison.OrdinalIgnoreCase)
        || name.Equals("expect", StringComparison.OrdinalIgnoreCase);
}
