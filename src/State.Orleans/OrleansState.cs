using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchyard.Grains;
using Switchyard.Grains.Caching;
using Switchyard.State.Orleans.Caching;
using Switchyard.State.Orleans.Quotas;

namespace Switchyard.State.Orleans;

/// <summary>
/// The request path's live state kept in the cluster's grains, whichever silo hosts them (co-hosted or separate): an
/// <see cref="IQuotaBank"/> leasing from virtual-key grains, an <see cref="IProviderHealth"/> mirroring
/// provider-health grains and an <see cref="IResponseCache"/> over the cache grains.
/// </summary>
public static class OrleansState
{
    /// <summary>
    /// Registers the quota bank, provider health and the response cache over the host's <see cref="IGrainFactory"/>, and
    /// on graceful shutdown delivers settled spend, returns every lease and writes the cache's queued stores and counts.
    /// Call it after the Orleans silo or client is added, so the flushes stop first, while the grains are still reachable.
    /// </summary>
    /// <param name="leases">How much a lease takes and for how long (<c>Switchyard:Cluster:Leases</c>).</param>
    /// <param name="refreshLimits">Reloads the host's limits when a grain says they changed.</param>
    /// <param name="cache">The response cache's front-door limits (<see cref="ResponseCacheOptions.Section"/>); defaults when null.</param>
    public static IServiceCollection AddOrleansState(
        this IServiceCollection services,
        LeaseOptions leases,
        Func<IServiceProvider, CancellationToken, Task> refreshLimits,
        ResponseCacheOptions? cache = null)
    {
        cache ??= new ResponseCacheOptions();
        cache.Validate();
        services.AddSingleton(sp => new LeasedQuotaBank(
            sp.GetRequiredService<IGrainFactory>(),
            leases,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<LeasedQuotaBank>>(),
            cancellationToken => refreshLimits(sp, cancellationToken)));
        services.AddSingleton<IQuotaBank>(sp => sp.GetRequiredService<LeasedQuotaBank>());
        services.AddSingleton<IProviderHealth>(sp => new ClusterProviderHealth(
            sp.GetRequiredService<IGrainFactory>(),
            sp.GetRequiredService<LeasedQuotaBank>().HolderId,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<ClusterProviderHealth>()));
        services.AddSingleton(sp => new ClusterResponseCache(
            sp.GetRequiredService<IGrainFactory>(),
            cache,
            sp.GetRequiredService<LeasedQuotaBank>().HolderId,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<ClusterResponseCache>()));
        services.AddSingleton<IResponseCache>(sp => sp.GetRequiredService<ClusterResponseCache>());
        services.AddHostedService<QuotaBankFlush>();
        services.AddHostedService<ResponseCacheFlush>();
        return services;
    }
}

/// <summary>Delivers settled spend and returns every lease on graceful shutdown, before the Orleans client or silo stops.</summary>
internal sealed class QuotaBankFlush(IQuotaBank quotas) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => quotas.FlushAsync(cancellationToken);
}
