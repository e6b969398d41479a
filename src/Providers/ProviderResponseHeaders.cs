using System.Net.Http.Headers;

namespace Switchyard.Providers;

/// <summary>
/// A read-only view of a provider's response headers, for adapters that find part of an answer there rather than in the
/// body (Bedrock's <c>x-amzn-ErrorType</c> and <c>X-Amzn-Bedrock-Input-Token-Count</c>). Nothing is copied: a lookup
/// reads the response's own header collections, unparsed, when an adapter asks. <c>default</c> is a view of no headers.
/// </summary>
public readonly struct ProviderResponseHeaders
{
    private readonly HttpHeaders? _headers;
    private readonly HttpHeaders? _contentHeaders;

    /// <param name="headers">The response's headers.</param>
    /// <param name="contentHeaders">Its content's headers (<c>Content-Type</c>, <c>Content-Length</c>, …), which .NET keeps apart.</param>
    public ProviderResponseHeaders(HttpHeaders headers, HttpHeaders? contentHeaders)
    {
        _headers = headers;
        _contentHeaders = contentHeaders;
    }

    /// <summary>The view of a response's headers and its content's.</summary>
    public static ProviderResponseHeaders Of(HttpResponseMessage response) => new(response.Headers, response.Content?.Headers);

    /// <summary>The header's value, several values joined with <c>", "</c>; null when the provider did not send it. Names are case-insensitive.</summary>
    public string? this[string name] => Find(_headers, name) ?? Find(_contentHeaders, name);

    private static string? Find(HttpHeaders? headers, string name) =>
        headers is not null && headers.NonValidated.TryGetValues(name, out var values) ? values.ToString() : null;
}
