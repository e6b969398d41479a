using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Configuration;
using Switchyard.Grains;
using Switchyard.Grains.Caching;
using Switchyard.State;
using Switchyard.State.Embedded;
using Switchyard.State.Postgres;

namespace Switchyard.Cluster;

/// <summary>
/// The Orleans configuration every Switchyard process shares: a silo (<c>src/Silo</c>, a co-hosting front door, the
/// embedded default) or a client (a plain front door). Embedded: localhost clustering and grain state in the SQLite file.
/// Cluster: membership and grain state in PostgreSQL, in the <c>orleans</c> schema the migrations create.
/// </summary>
public static class ClusterHosting
{
    /// <summary>The ADO.NET invariant of Npgsql, for Orleans' providers.</summary>
    public const string Invariant = "Npgsql";

    /// <summary>
    /// The embedded silo, co-hosted by the front door: localhost clustering on free ports (unless configured) and grain
    /// state in the SQLite file at <paramref name="databasePath"/>. The host's state (<c>AddEmbeddedState</c>) serves the
    /// grains' <see cref="ISettledSpendArchive"/>.
    /// </summary>
    public static ISiloBuilder AddEmbeddedSilo(this ISiloBuilder silo, IConfiguration configuration, string databasePath)
    {
        var options = Read(configuration);
        var siloPort = configuration[SwitchyardClusterOptions.Section + ":SiloPort"] is null ? FreePort() : options.SiloPort;
        var gatewayPort = configuration[SwitchyardClusterOptions.Section + ":GatewayPort"] is null ? FreePort() : options.GatewayPort;
        silo.UseLocalhostClustering(siloPort, gatewayPort, serviceId: options.ServiceId, clusterId: options.ClusterId);
        silo.AddSqliteGrainStorage(GrainStorage.Name, databasePath);
        return silo.AddSwitchyardGrains(configuration, options);
    }

    /// <summary>
    /// A silo of the cluster (<c>src/Silo</c>, or a co-hosting front door): membership and grain state in the PostgreSQL
    /// database at <paramref name="databaseUrl"/>. The host's state (<c>AddPostgresState</c>) serves the grains'
    /// <see cref="ISettledSpendArchive"/>.
    /// </summary>
    public static ISiloBuilder AddClusterSilo(this ISiloBuilder silo, IConfiguration configuration, string databaseUrl)
    {
        var options = Read(configuration);
        var orleans = PostgresConnection.ForOrleans(databaseUrl, options.MaxPoolSize);
        silo.UseAdoNetClustering(o =>
        {
            o.Invariant = Invariant;
            o.ConnectionString = orleans;
        });
        silo.AddAdoNetGrainStorage(GrainStorage.Name, o =>
        {
            o.Invariant = Invariant;
            o.ConnectionString = orleans;

            // A cleared state's row goes (kept, it would stay as an empty row): every cache entry clears its state when
            // it expires or is removed, so kept rows would pile up, one per answer ever cached.
            o.DeleteStateOnClear = true;
        });
        if (OnKubernetes)
        {
            // Cluster and service ids, the silo's name and address come from the pod (labels, POD_* variables); the
            // ports stay this deployment's.
            silo.UseKubernetesHosting();
            silo.Configure<EndpointOptions>(o =>
            {
                o.SiloPort = options.SiloPort;
                o.GatewayPort = options.GatewayPort;
            });
        }
        else
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = options.ClusterId;
                o.ServiceId = options.ServiceId;
            });
            silo.ConfigureEndpoints(options.ResolveAdvertisedAddress(), options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: true);
        }

        return silo.AddSwitchyardGrains(configuration, options);
    }

    /// <summary>
    /// What every silo shares, embedded or not: failure detection, call timeouts, the grains' lease and response cache
    /// settings, and the cache's background sweep.
    /// </summary>
    private static ISiloBuilder AddSwitchyardGrains(this ISiloBuilder silo, IConfiguration configuration, SwitchyardClusterOptions options)
    {
        silo.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = options.ProbeTimeout;
            o.NumMissedProbesLimit = options.MissedProbesLimit;
        });
        silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = options.ResponseTimeout);
        silo.Services.AddOptions<LeaseOptions>().Bind(configuration.GetSection(SwitchyardClusterOptions.Section + ":Leases")).Validate(o =>
        {
            o.Validate();
            return true;
        }).ValidateOnStart();
        silo.Services.AddOptions<ResponseCacheOptions>().Bind(configuration.GetSection(ResponseCacheOptions.Section)).Validate(o =>
        {
            o.Validate();
            return true;
        }).ValidateOnStart();
        silo.Services.AddOptions<SemanticIndexOptions>().Bind(configuration.GetSection(SemanticIndexOptions.Section)).Validate(o =>
        {
            o.Validate();
            return true;
        }).ValidateOnStart();
        silo.Services.AddResponseCacheSweep();
        silo.Services.TryAddSingleton(TimeProvider.System);
        return silo;
    }

    /// <summary>Configures a front door as a client of the silos listed in the membership table.</summary>
    public static IClientBuilder AddSwitchyardClient(this IClientBuilder client, IConfiguration configuration, string databaseUrl)
    {
        var options = Read(configuration);
        client.UseAdoNetClustering(o =>
        {
            // A client only reads the gateway list now and then: two connections are plenty.
            o.Invariant = Invariant;
            o.ConnectionString = PostgresConnection.ForOrleans(databaseUrl, Math.Min(options.MaxPoolSize, 2));
        });
        client.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = OnKubernetes && Environment.GetEnvironmentVariable("ORLEANS_CLUSTER_ID") is { Length: > 0 } id ? id : options.ClusterId;
            o.ServiceId = OnKubernetes && Environment.GetEnvironmentVariable("ORLEANS_SERVICE_ID") is { Length: > 0 } service ? service : options.ServiceId;
        });
        client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = options.ResponseTimeout);
        client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = options.GatewayListRefreshPeriod);
        client.UseConnectionRetryFilter<ForeverRetry>();
        return client;
    }

    /// <summary>Reads and validates <c>Switchyard:Cluster</c>.</summary>
    public static SwitchyardClusterOptions Read(IConfiguration configuration)
    {
        var options = configuration.GetSection(SwitchyardClusterOptions.Section).Get<SwitchyardClusterOptions>() ?? new SwitchyardClusterOptions();
        options.Validate();
        return options;
    }

    private static bool OnKubernetes =>
        Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST") is { Length: > 0 } && Environment.GetEnvironmentVariable("POD_NAMESPACE") is { Length: > 0 };

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// A front door started before any silo keeps trying to connect (it is not ready meanwhile) instead of failing its
    /// start: silos and front doors start in any order.
    /// </summary>
    private sealed class ForeverRetry : IClientConnectionRetryFilter
    {
        public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            return true;
        }
    }
}
