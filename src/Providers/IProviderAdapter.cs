using Switchyard.Providers.Catalog;

namespace Switchyard.Providers;

/// <summary>
/// One call as an adapter sees it: an OpenAI-shaped request bound for one provider.
/// </summary>
/// <param name="Provider">The catalog entry.</param>
/// <param name="Operation">What is being asked.</param>
/// <param name="BaseUrl">The provider's API base, or the custom host that replaces it.</param>
/// <param name="Credential">The provider key, without any scheme prefix; null when the provider takes none.</param>
/// <param name="Body">The client's body bytes (OpenAI shape), untouched.</param>
/// <param name="BodyFields">Top-level fields to set on the body (config <c>override_params</c>, stream options), raw JSON values, later entries winning.</param>
/// <param name="Stream">The client asked for a stream.</param>
/// <param name="ProviderOptions">Provider extras from the config or headers (Azure deployment, AWS region, OpenAI organization…).</param>
/// <param name="ForwardedHeaders">Client headers the config asked to forward.</param>
public sealed record ProviderCall(
    ProviderDescriptor Provider,
    ApiOperation Operation,
    Uri BaseUrl,
    string? Credential,
    ReadOnlyMemory<byte> Body,
    IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>> BodyFields,
    bool Stream,
    IReadOnlyDictionary<string, string> ProviderOptions,
    IReadOnlyList<KeyValuePair<string, string>> ForwardedHeaders);

/// <summary>The HTTP request an adapter builds for a <see cref="ProviderCall"/>.</summary>
public sealed record ProviderHttpRequest(
    HttpMethod Method,
    Uri Uri,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    ReadOnlyMemory<byte> Body);

/// <summary>
/// The seam between the gateway and a provider's wire format. The OpenAI adapter passes bytes through;
/// native adapters (Anthropic, Gemini, Azure, Cohere, Bedrock) translate requests here and, with them,
/// responses and stream chunks back to the OpenAI shape.
/// </summary>
public interface IProviderAdapter
{
    WireFormat Format { get; }

    ProviderHttpRequest CreateRequest(ProviderCall call);
}
