using Microsoft.Extensions.DependencyInjection;

namespace Switchyard.Grains.Caching;

/// <summary>What a silo adds for the response cache's grains.</summary>
public static class ResponseCacheSilo
{
    /// <summary>
    /// Adds the background sweep of expired entries (<see cref="ResponseCacheOptions.SweepInterval"/>). The grains and the
    /// sweep read <see cref="ResponseCacheOptions"/> from <c>IOptions</c>; bind it from <see cref="ResponseCacheOptions.Section"/>.
    /// </summary>
    public static IServiceCollection AddResponseCacheSweep(this IServiceCollection services)
    {
        services.AddHostedService<CacheSweep>();
        return services;
    }
}
