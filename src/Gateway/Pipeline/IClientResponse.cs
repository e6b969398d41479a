namespace Switchyard.Gateway.Pipeline;

/// <summary>
/// The response to the client as the gateway core sees it; the host maps it onto its HTTP server.
/// Keeps the pipeline free of ASP.NET types.
/// </summary>
public interface IClientResponse
{
    /// <summary>True once the status and headers have gone to the client: from then on only the body can change.</summary>
    bool HasStarted { get; }

    int StatusCode { set; }

    void SetHeader(string name, string value);

    /// <summary>Sends status and headers now (for streams, so the client sees them before the first event).</summary>
    Task StartAsync(CancellationToken cancellationToken);

    Task WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken);

    Task FlushAsync(CancellationToken cancellationToken);
}
