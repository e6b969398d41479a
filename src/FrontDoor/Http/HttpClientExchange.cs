using System.IO.Pipelines;
using Switchyard.Gateway.Pipeline;

namespace Switchyard.FrontDoor.Http;

/// <summary>The gateway's view of an ASP.NET Core request.</summary>
internal sealed class HttpClientRequest(HttpRequest request) : IClientRequest
{
    public string Path => request.Path.Value ?? "/";

    public string? ContentType => request.ContentType;

    public long? ContentLength => request.ContentLength;

    public IRequestHeaders Headers { get; } = new HttpRequestHeaders(request.Headers);

    public PipeReader Body => request.BodyReader;

    public CancellationToken Aborted => request.HttpContext.RequestAborted;

    public string? ClientAddress => request.HttpContext.Connection.RemoteIpAddress?.ToString();

    /// <summary>Kestrel's verdict on the client's framing; any other read failure is a 400.</summary>
    public int StatusOf(IOException readFailure) => readFailure is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status400BadRequest;
}

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
