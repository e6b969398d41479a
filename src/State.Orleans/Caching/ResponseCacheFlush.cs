using Microsoft.Extensions.Hosting;

namespace Switchyard.State.Orleans.Caching;

/// <summary>Writes the queued stores and the counted lookups on graceful shutdown, before the Orleans client or silo stops.</summary>
internal sealed class ResponseCacheFlush(IResponseCache cache) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => cache.FlushAsync(cancellationToken);
}
