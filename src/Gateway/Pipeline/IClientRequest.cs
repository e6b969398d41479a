using System.IO.Pipelines;

namespace Switchyard.Gateway.Pipeline;

/// <summary>
/// The client's request as the gateway core sees it; the host maps its HTTP server's request onto it.
/// Keeps the pipeline free of ASP.NET types.
/// </summary>
public interface IClientRequest
{
    /// <summary>The request path as the client sent it.</summary>
    string Path { get; }

    string? ContentType { get; }

    long? ContentLength { get; }

    IRequestHeaders Headers { get; }

    /// <summary>The body, as the server receives it.</summary>
    PipeReader Body { get; }

    /// <summary>The status a failure to read the body stands for: the server's verdict on the client's framing (a body cut short is a 400, one too slow a 408).</summary>
    int StatusOf(IOException readFailure);

    /// <summary>Fires when the client goes away.</summary>
    CancellationToken Aborted { get; }

    /// <summary>The client's IP address as the server saw it (the request log's client IP); null when unknown.</summary>
    string? ClientAddress => null;
}

/// <summary>The client's request headers, read by name (case-insensitive).</summary>
public interface IRequestHeaders
{
    string? this[string name] { get; }

    /// <summary>Every header, for the few steps that look for a prefix (provider options such as <c>x-portkey-azure-*</c>).</summary>
    IEnumerable<KeyValuePair<string, string>> All { get; }
}
