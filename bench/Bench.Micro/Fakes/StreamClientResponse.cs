using Switchyard.Gateway.Pipeline;

namespace Switchyard.Bench.Micro.Fakes;

/// <summary>The client's response as a plain stream, so a relay benchmark measures the gateway and not a socket.</summary>
internal sealed class StreamClientResponse(Stream body) : IClientResponse
{
    /// <summary>Bytes written so far; benchmark set-ups check it to be sure the relay really ran.</summary>
    public long BytesWritten { get; private set; }

    public bool HasStarted { get; private set; }

    public int StatusCode { private get; set; } = 200;

    public void SetHeader(string name, string value)
    {
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        HasStarted = true;
        return Task.CompletedTask;
    }

    public Task WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        BytesWritten += bytes.Length;
        return body.WriteAsync(bytes, cancellationToken).AsTask();
    }

    public Task FlushAsync(CancellationToken cancellationToken) => body.FlushAsync(cancellationToken);
}
