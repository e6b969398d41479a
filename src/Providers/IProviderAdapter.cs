using Switchyard.Providers.Catalog;
using Switchyard.Providers.Streaming;

namespace Switchyard.Providers;

/// <summary>
/// One call as an adapter sees it: a request bound for one provider.
/// </summary>
/// <param name="Provider">The catalog entry.</param>
/// <param name="Operation">What is being asked.</param>
/// <param name="BaseUrl">The provider's API base, or the custom host that replaces it; null for providers whose URL the adapter builds from options (Azure resource, AWS region).</param>
/// <param name="Credential">The provider key, without any scheme prefix; null when none was given.</param>
/// <param name="Body">The request body, in <paramref name="BodyFormat"/>: OpenAI's shape, or the provider's own when the client spoke it (Anthropic to Anthropic). <paramref name="BodyFields"/> are not applied yet.</param>
/// <param name="BodyFormat">The wire format <paramref name="Body"/> is written in.</param>
/// <param name="BodyFields">Top-level fields to set on the body (config <c>override_params</c>, stream options), raw JSON values, later entries winning.</param>
/// <param name="Model">The model after overrides; null only for operations without one (model listing).</param>
/// <param name="Stream">The client asked for a stream.</param>
/// <param name="ProviderOptions">Provider extras from the config or headers, snake_case: <c>azure_resource_name</c>, <c>azure_deployment_id</c>, <c>azure_api_version</c>, <c>azure_auth_mode</c>, <c>aws_access_key_id</c>, <c>aws_secret_access_key</c>, <c>aws_session_token</c>, <c>aws_region</c>, <c>anthropic_version</c>, <c>anthropic_beta</c>, <c>openai_organization</c>, …</param>
/// <param name="ForwardedHeaders">Client headers the config asked to forward.</param>
public sealed record ProviderCall(
    ProviderDescriptor Provider,
    ApiOperation Operation,
    Uri? BaseUrl,
    string? Credential,
    ReadOnlyMemory<byte> Body,
    WireFormat BodyFormat,
    IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>> BodyFields,
    string? Model,
    bool Stream,
    IReadOnlyDictionary<string, string> ProviderOptions,
    IReadOnlyList<KeyValuePair<string, string>> ForwardedHeaders)
{
    /// <summary>The body in OpenAI's shape with <see cref="BodyFields"/> applied (valid when <see cref="BodyFormat"/> is OpenAI).</summary>
    public ReadOnlyMemory<byte> OpenAiBody() => Json.JsonBodyRewriter.SetFields(Body, BodyFields);
}

/// <summary>The HTTP request an adapter builds for a <see cref="ProviderCall"/>.</summary>
public sealed record ProviderHttpRequest(
    HttpMethod Method,
    Uri Uri,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    ReadOnlyMemory<byte> Body);

/// <summary>
/// The seam between the gateway and a provider's wire format. The gateway's lingua franca is OpenAI's shape:
/// adapters translate OpenAI requests to the provider, and the provider's answers, stream events and errors back.
/// When the client already speaks the provider's format (<see cref="ProviderCall.BodyFormat"/> equals <see cref="Format"/>),
/// the request passes through and the gateway relays the provider's bytes untouched; translation still runs on the
/// way back so usage and finish reasons are read the same way for every provider.
/// </summary>
public interface IProviderAdapter
{
    WireFormat Format { get; }

    /// <summary>Builds the provider request (URL, auth, body). Throws <see cref="ProviderRequestException"/> for a request this provider cannot take (a 400 to the client).</summary>
    ProviderHttpRequest CreateRequest(ProviderCall call);

    /// <summary>Translates a provider's 2xx JSON answer into OpenAI's shape for <see cref="ProviderCall.Operation"/>.</summary>
    /// <param name="headers">The answer's headers, for what a provider reports only there (Bedrock's token counts).</param>
    /// <exception cref="StreamProtocolException">the answer is not what the provider documents.</exception>
    byte[] TranslateResponse(ProviderCall call, ReadOnlySpan<byte> body, ProviderResponseHeaders headers);

    /// <summary>Translates a provider's error answer (any non-2xx) into OpenAI's error shape <c>{"error":{message,type,param,code}}</c>.</summary>
    /// <param name="headers">The answer's headers, for what a provider reports only there (Bedrock's error type).</param>
    byte[] TranslateError(ProviderCall call, int status, ReadOnlySpan<byte> body, ProviderResponseHeaders headers);

    /// <summary>Opens the provider's stream framing over the response body (SSE for most; AWS event stream for Bedrock).</summary>
    IEventStreamReader OpenStream(Stream body);

    /// <summary>A translator for one stream, from provider events to OpenAI <c>chat.completion.chunk</c> (or text completion) payloads.</summary>
    IStreamTranslator CreateStreamTranslator(ProviderCall call);
}

/// <summary>
/// Turns one provider stream into OpenAI chunk payloads. Translators keep per-stream state (ids, open tool calls,
/// usage seen so far). A usage-only chunk (<c>"choices":[]</c> with <c>usage</c>) is always emitted before <c>[DONE]</c>
/// when the provider reported usage; the gateway drops it for clients that did not ask for it.
/// </summary>
public interface IStreamTranslator
{
    /// <summary>Adds the OpenAI payloads for one provider event (zero or more; <c>[DONE]</c> when the provider's stream is complete).</summary>
    /// <exception cref="UpstreamStreamException">the provider reported an error in its stream.</exception>
    /// <exception cref="StreamProtocolException">the event is malformed.</exception>
    void Translate(StreamEvent upstream, List<byte[]> output);
}

/// <summary>A request that the chosen provider cannot take as asked (e.g. embeddings from Anthropic, a missing Azure deployment): a 400.</summary>
public sealed class ProviderRequestException(string message) : Exception(message);
