using Switchyard.Cluster;
using Switchyard.Gateway.Security;
using Switchyard.Grains;
using Switchyard.State;
using Switchyard.State.Embedded;
using Switchyard.State.Orleans;
using Switchyard.State.Orleans.Quotas;
using Switchyard.State.Postgres;

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
            var path = StateHostExtensions.EmbeddedDatabasePath(builder);
            builder.UseOrleans(silo => silo.AddSwitchyardSilo(configuration, null, path, sp => sp.GetRequiredService<EmbeddedStores>().SpendArchive));
        }
        else if (options.CoHost)
        {
            builder.UseOrleans(silo => silo.AddSwitchyardSilo(configuration, databaseUrl, null, sp => sp.GetRequiredService<PostgresStores>().SpendArchive));
        }
        else
        {
            builder.UseOrleansClient(client => client.AddSwitchyardClient(configuration, databaseUrl));
        }

        var leases = configuration.GetSection(SwitchyardClusterOptions.Section + ":Leases").Get<LeaseOptions>() ?? new LeaseOptions();
        builder.Services.AddSingleton(sp => new LeasedQuotaBank(
            sp.GetRequiredService<IGrainFactory>(),
            leases,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<LeasedQuotaBank>>(),
            cancellationToken => sp.GetRequiredService<KeyDirectory>().RefreshAsync(sp.GetRequiredService<TimeProvider>(), cancellationToken)));
        builder.Services.AddSingleton<IQuotaBank>(sp => sp.GetRequiredService<LeasedQuotaBank>());
        builder.Services.AddSingleton<IProviderHealth>(sp => new ClusterProviderHealth(
            sp.GetRequiredService<IGrainFactory>(),
            sp.GetRequiredService<LeasedQuotaBank>().HolderId,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<ClusterProviderHealth>()));

        // Registered after Orleans, so it stops first: settlements are delivered and leases returned while the grains are reachable.
        builder.Services.AddHostedService<QuotaBankFlush>();
        return builder;
    }
}

/// <summary>Delivers settled spend and returns every lease on graceful shutdown, before the Orleans client or silo stops.</summary>
internal sealed class QuotaBankFlush(IQuotaBank quotas) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => quotas.FlushAsync(cancellationToken);
}
