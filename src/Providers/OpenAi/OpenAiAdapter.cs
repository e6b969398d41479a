using Switchyard.Providers.Catalog;
using Switchyard.Providers.Streaming;

namespace Switchyard.Providers.OpenAi;

/// <summary>
/// OpenAI and every OpenAI-compatible provider: the body goes through byte for byte except the fields the
/// gateway sets; only the URL and the credential header differ per provider. Answers are already in the lingua franca.
/// </summary>
internal sealed class OpenAiAdapter : IProviderAdapter
{
    public WireFormat Format => WireFormat.OpenAi;

    public ProviderHttpRequest CreateRequest(ProviderCall call)
    {
        var baseUrl = call.BaseUrl ?? throw new ProviderRequestException($"Provider '{call.Provider.Slug}' has no public endpoint; set 'custom_host' in the config or the x-portkey-custom-host header.");
        var headers = OpenAiHeaders(call, call.Provider.Auth);
        var body = call.Operation.HasBody() ? call.OpenAiBody() : ReadOnlyMemory<byte>.Empty;
        var method = call.Operation.HasBody() ? HttpMethod.Post : HttpMethod.Get;
        return new ProviderHttpRequest(method, Combine(baseUrl, call.Operation.OpenAiPath()), headers, body);
    }

    public byte[] TranslateResponse(ProviderCall call, ReadOnlySpan<byte> body, ProviderResponseHeaders headers = default) => body.ToArray();

    public byte[] TranslateError(ProviderCall call, int status, ReadOnlySpan<byte> body, ProviderResponseHeaders headers = default) => body.ToArray();

    public IEventStreamReader OpenStream(Stream body) => new SseEventReader(body);

    public IStreamTranslator CreateStreamTranslator(ProviderCall call) => PassThroughTranslator.Instance;

    /// <summary>The headers every OpenAI-shaped API takes: forwarded ones, the credential, OpenAI's organization/project/beta.</summary>
    internal static List<KeyValuePair<string, string>> OpenAiHeaders(ProviderCall call, ProviderAuth auth)
    {
        var headers = KeyedHeaders(call, auth);
        AddOption(headers, call.ProviderOptions, "openai_organization", "OpenAI-Organization");
        AddOption(headers, call.ProviderOptions, "openai_project", "OpenAI-Project");
        AddOption(headers, call.ProviderOptions, "openai_beta", "OpenAI-Beta");
        if (call.Stream)
        {
            headers.Add(new("Accept", "text/event-stream"));
        }

        return headers;
    }

    /// <summary>
    /// The forwarded headers and the credential in the provider's auth header: what every API keyed by one header takes.
    /// Room is left for a few more, which each adapter adds.
    /// </summary>
    internal static List<KeyValuePair<string, string>> KeyedHeaders(ProviderCall call, ProviderAuth auth)
    {
        var headers = new List<KeyValuePair<string, string>>(call.ForwardedHeaders.Count + 4);
        headers.AddRange(call.ForwardedHeaders);
        if (call.Credential is { Length: > 0 } credential && auth.HeaderName is { } authHeader)
        {
            headers.Add(new(authHeader, auth.ValuePrefix + credential));
        }

        return headers;
    }

    private static void AddOption(List<KeyValuePair<string, string>> headers, IReadOnlyDictionary<string, string> options, string option, string header)
    {
        if (options.TryGetValue(option, out var value) && value.Length > 0)
        {
            headers.Add(new(header, value));
        }
    }

    /// <summary>Appends a path to the base, keeping the base's own path (<c>/openai/v1</c>) and dropping a trailing slash.</summary>
    internal static Uri Combine(Uri baseUrl, string path)
    {
        var text = baseUrl.OriginalString.TrimEnd('/');
        return new Uri(text + path, UriKind.Absolute);
    }

    private sealed class PassThroughTranslator : IStreamTranslator
    {
        public static readonly PassThroughTranslator Instance = new();

        public void Translate(StreamEvent upstream, List<byte[]> output) => output.Add(upstream.Data);
    }
}
