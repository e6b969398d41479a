using Switchyard.Providers.Catalog;
using Switchyard.Providers.Json;

namespace Switchyard.Providers.OpenAi;

/// <summary>
/// OpenAI and every OpenAI-compatible provider: the body goes through byte for byte except the fields the
/// gateway sets; only the URL and the credential header differ per provider.
/// </summary>
internal sealed class OpenAiAdapter : IProviderAdapter
{
    public WireFormat Format => WireFormat.OpenAi;

    public ProviderHttpRequest CreateRequest(ProviderCall call)
    {
        var headers = new List<KeyValuePair<string, string>>(call.ForwardedHeaders.Count + 4);
        headers.AddRange(call.ForwardedHeaders);
        if (call.Credential is { Length: > 0 } credential && call.Provider.Auth.HeaderName is { } authHeader)
        {
            headers.Add(new(authHeader, call.Provider.Auth.ValuePrefix + credential));
        }

        AddOption(headers, call.ProviderOptions, "openai_organization", "OpenAI-Organization");
        AddOption(headers, call.ProviderOptions, "openai_project", "OpenAI-Project");
        AddOption(headers, call.ProviderOptions, "openai_beta", "OpenAI-Beta");
        if (call.Stream)
        {
            headers.Add(new("Accept", "text/event-stream"));
        }

        var body = call.Operation.HasBody() ? JsonBodyRewriter.SetFields(call.Body, call.BodyFields) : ReadOnlyMemory<byte>.Empty;
        var method = call.Operation.HasBody() ? HttpMethod.Post : HttpMethod.Get;
        return new ProviderHttpRequest(method, Combine(call.BaseUrl, call.Operation.OpenAiPath()), headers, body);
    }

    private static void AddOption(List<KeyValuePair<string, string>> headers, IReadOnlyDictionary<string, string> options, string option, string header)
    {
        if (options.TryGetValue(option, out var value) && value.Length > 0)
        {
            headers.Add(new(header, value));
        }
    }

    /// <summary>Appends the operation path to the base, keeping the base's own path (<c>/openai/v1</c>) and dropping a trailing slash.</summary>
    internal static Uri Combine(Uri baseUrl, string path)
    {
        var text = baseUrl.OriginalString.TrimEnd('/');
        return new Uri(text + path, UriKind.Absolute);
    }
}
