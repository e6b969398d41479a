using Switchyard.Gateway.Pipeline;

namespace Switchyard.FrontDoor.Http;

/// <summary>The gateway's view of an ASP.NET Core response.</summary>
internal sealed class HttpClientResponse(HttpResponse response) : IClientResponse
{
    public bool HasStarted => response.HasStarted;

    public int StatusCode
    {
        set => response.StatusCode = value;
    }

    public void SetHeader(string name, string value) => response.Headers[name] = value;

    public Task StartAsync(CancellationToken cancellationToken) => response.StartAsync(cancellationToken);

    public Task WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken) =>
        response.Body.WriteAsync(bytes, cancellationToken).AsTask();

    public Task FlushAsync(CancellationToken cancellationToken) => response.Body.FlushAsync(cancellationToken);
}

/// <summary>The gateway's view of the request headers.</summary>
internal sealed class HttpRequestHeaders(IHeaderDictionary headers) : IRequestHeaders
{
    public string? this[string name] => headers.TryGetValue(name, out var values) && values.Count > 0 ? values.ToString() : null;

    public IEnumerable<KeyValuePair<string, string>> All => headers.Select(header => new KeyValuePair<string, string>(header.Key, header.Value.ToString()));
}
