using Switchyard.Cluster;
using Switchyard.Gateway.Security;
using Switchyard.Grains;
using Switchyard.Grains.Caching;
using Switchyard.State;
using Switchyard.State.Orleans;

namespace Switchyard.FrontDoor.State;

/// <summary>
/// The front door in the Orleans cluster. Embedded (no database): it co-hosts a silo in this process (localhost
/// clustering, grain state in the SQLite file). With a database: a client of the silos in the membership table, or a
/// silo itself when <c>Switchyard:Cluster:CoHost</c> is true. The pipeline sees the same contracts either way: an
/// <see cref="IQuotaBank"/> leasing from virtual-key grains and an <see cref="IProviderHealth"/> mirroring
/// provider-health grains.
/// </summary>
internal static class ClusterHostExtensions
{
    public static WebApplicationBuilder AddSwitchyardCluster(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var databaseUrl = DatabaseUrl.Read(configuration);
        var options = ClusterHosting.Read(configuration);
        if (databaseUrl is null)
        {
            builder.UseOrleans(silo => silo.AddEmbeddedSilo(configuration, StateHostExtensions.EmbeddedDatabasePath(builder)));
        }
        else if (options.CoHost)
        {
            builder.UseOrleans(silo => silo.AddClusterSilo(configuration, databaseUrl));
        }
        else
        {
            builder.UseOrleansClient(client => client.AddSwitchyardClient(configuration, databaseUrl));
        }

        // After Orleans, so the shutdown flush stops first: settlements are delivered and leases returned while the
        // grains are reachable.
        var leases = configuration.GetSection(SwitchyardClusterOptions.Section + ":Leases").Get<LeaseOptions>() ?? new LeaseOptions();
        var cache = configuration.GetSection(ResponseCacheOptions.Section).Get<ResponseCacheOptions>() ?? new ResponseCacheOptions();
        builder.Services.AddOrleansState(
            leases, (sp, cancellationToken) => sp.GetRequiredService<KeyDirectory>().RefreshAsync(sp.GetRequiredService<TimeProvider>(), cancellationToken), cache);
        return builder;
    }
}
