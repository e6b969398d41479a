using System.IO.Pipelines;
using Switchyard.Gateway.Pipeline;

namespace Switchyard.Bench.Micro.Fakes;

/// <summary>A request whose body has already been read: the benchmarks start a call after its intake.</summary>
internal sealed class ClientRequest(string path, IRequestHeaders headers) : IClientRequest
{
    public string Path => path;

    public string? ContentType => "application/json";

    public long? ContentLength => null;

    public IRequestHeaders Headers => headers;

    public PipeReader Body => PipeReader.Create(Stream.Null);

    public CancellationToken Aborted => CancellationToken.None;

    public int StatusOf(IOException readFailure) => 400;
}
