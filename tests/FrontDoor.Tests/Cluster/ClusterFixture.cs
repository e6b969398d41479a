using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchyard.Cluster;
using Switchyard.FakeProvider;
using Switchyard.FrontDoor.Tests.Admin;
using Switchyard.FrontDoor.Tests.Infrastructure;
using Switchyard.Grains;

namespace Switchyard.FrontDoor.Tests.Cluster;

/// <summary>
/// The cluster on loopback over one PostgreSQL database, in front of one FakeProvider, in one of its two shapes: two
/// silo processes and three front doors that are Orleans clients (<see cref="SeparateSilosCluster"/>), or three front
/// doors that each co-host a silo (<see cref="CoHostCluster"/>). The periodic key-directory refresh is set to a minute,
/// so anything that propagates faster came through LISTEN/NOTIFY or a grain's push.
/// </summary>
public abstract class ClusterFixture : IAsyncLifetime
{
    private readonly PostgresTestDatabase _database = new();
    private IHost? _observer;

    /// <summary>Front doors co-host their silos (no silo processes).</summary>
    public abstract bool CoHost { get; }

    public FakeProviderServer Fake { get; private set; } = null!;

    /// <summary>The front doors.</summary>
    public IReadOnlyList<ReplicaProcess> Replicas { get; private set; } = [];

    /// <summary>The silo processes (none when front doors co-host).</summary>
    public IReadOnlyList<ReplicaProcess> Silos { get; private set; } = [];

    public string DatabaseUrl { get; private set; } = "";

    public string FakeBase => new Uri(Fake.BaseAddress, "v1").ToString();

    public IReadOnlyDictionary<string, string> Environment { get; private set; } = new Dictionary<string, string>();

    public async Task InitializeAsync()
    {
        Fake = await FakeProviderServer.StartAsync();
        DatabaseUrl = await _database.CreateAsync();
        Environment = new Dictionary<string, string>
        {
            ["SWITCHYARD_DATABASE_URL"] = DatabaseUrl,
            ["SWITCHYARD_ADMIN_TOKEN"] = GatewayFixture.AdminToken,
            ["SWITCHYARD_MASTER_KEY"] = GatewayFixture.MasterKey,
            ["Switchyard__State__RefreshInterval"] = "00:01:00",
            ["Logging__LogLevel__Default"] = "Warning",
            ["DOTNET_gcServer"] = "0",
            ["Switchyard__Cluster__CoHost"] = CoHost ? "true" : "false",
            ["Switchyard__Cluster__AdvertisedAddress"] = "127.0.0.1",
        };

        // One process at a time: the first migrates, the others find the schema current.
        var silos = new List<ReplicaProcess>();
        for (var i = 0; !CoHost && i < 2; i++)
        {
            silos.Add(await StartSiloAsync($"s{i}"));
        }

        Silos = silos;
        var replicas = new List<ReplicaProcess>();
        for (var i = 0; i < 3; i++)
        {
            replicas.Add(await StartReplicaAsync($"r{i}"));
        }

        Replicas = replicas;
        await WarmUpAsync();
    }

    /// <summary>Starts one more front door with the same settings (to replace one a test killed).</summary>
    public async Task<ReplicaProcess> StartReplicaAsync(string name)
    {
        var replica = new ReplicaProcess(name, Environment);
        await replica.StartAsync();
        return replica;
    }

    /// <summary>Starts one more silo process (the front doors' environment, less what a silo must never see).</summary>
    public async Task<ReplicaProcess> StartSiloAsync(string name)
    {
        var environment = Environment.Where(e => e.Key is not ("SWITCHYARD_MASTER_KEY" or "SWITCHYARD_ADMIN_TOKEN")).ToDictionary();
        var silo = new ReplicaProcess(name, environment, silo: true);
        await silo.StartAsync();
        return silo;
    }

    /// <summary>Starts a silo in place of one a test killed, so the next test finds two.</summary>
    public async Task ReplaceSiloAsync(ReplicaProcess gone)
    {
        var silos = Silos.Where(s => s != gone).ToList();
        silos.Add(await StartSiloAsync($"s{Silos.Count + silos.Count}-{Guid.NewGuid():N}"[..8]));
        Silos = silos;
    }

    /// <summary>
    /// The process whose silo holds the virtual-key grain of <paramref name="kind"/>/<paramref name="entityId"/> now (a
    /// silo process, or a co-hosting front door), asked of Orleans' management grain by a client of the test's own.
    /// </summary>
    public async Task<ReplicaProcess> HolderOfAsync(Switchyard.State.GovernedKind kind, string entityId, IEnumerable<ReplicaProcess> candidates)
    {
        var client = await ObserverAsync();
        var grain = client.GetGrain<IVirtualKeyGrain>(GovernedEntityKey.Of(kind, entityId));
        await grain.UsageAsync();
        var address = await client.GetGrain<IManagementGrain>(0).GetActivationAddress(grain);
        var port = address?.Endpoint.Port ?? throw new InvalidOperationException("the grain is not active");
        return candidates.Single(p => p.SiloPort == port);
    }

    public async Task DisposeAsync()
    {
        if (_observer is not null)
        {
            await _observer.StopAsync();
            _observer.Dispose();
        }

        foreach (var process in Replicas.Concat(Silos))
        {
            await process.DisposeAsync();
        }

        await Fake.DisposeAsync();
        await _database.DropAsync();
    }

    /// <summary>An Orleans client of the test's own (for the management grain only; requests go through front doors).</summary>
    private async Task<IClusterClient> ObserverAsync()
    {
        if (_observer is null)
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Switchyard:Cluster:ResponseTimeout"] = "00:00:03",
            }).Build();
            var builder = Host.CreateApplicationBuilder();
            builder.Logging.ClearProviders();
            builder.UseOrleansClient(client => client.AddSwitchyardClient(configuration, DatabaseUrl));
            _observer = builder.Build();
            await _observer.StartAsync();
        }

        return _observer.Services.GetRequiredService<IClusterClient>();
    }

    /// <summary>
    /// One governed call through every front door first: a process's first lease exchange and first grain activation pay
    /// for loading code (0.2–1 s measured), and the tests time propagation, not start-up.
    /// </summary>
    private async Task WarmUpAsync()
    {
        var admin = new AdminCalls(Replicas[0].Client, GatewayFixture.AdminToken);
        var workspace = (await admin.Post("/v1/admin/workspaces", """
            {"name":"warm-up","price_overrides":{"openai/fake-gpt":{"input_per_million":1,"output_per_million":1} } }
            """)).Ok().Str("id");
        var key = (await admin.Post("/v1/api-keys/workspace/service",
            $$"""{"name":"warm-up","scopes":["completions.write"],"workspace_id":"{{workspace}}","usage_limits":{"credit_limit":1000,"type":"cost"},"rate_limits":[{"type":"requests","unit":"rpm","value":1000}]}""")).Ok().Str("key");
        foreach (var replica in Replicas)
        {
            await Eventually.Until(() =>
            {
                using var request = Requests.Chat("fake-gpt", "hi")
                    .WithHeader("x-portkey-provider", "openai")
                    .WithHeader("x-portkey-custom-host", FakeBase)
                    .WithHeader("x-portkey-api-key", key);
                using var response = replica.Client.SendAsync(request).GetAwaiter().GetResult();
                return response.StatusCode == HttpStatusCode.OK;
            });
        }
    }
}

/// <summary>PostgreSQL, two silo processes and three front doors that are Orleans clients.</summary>
public sealed class SeparateSilosCluster : ClusterFixture
{
    public override bool CoHost => false;
}

/// <summary>PostgreSQL and three front doors that each co-host a silo (one Deployment for small clusters).</summary>
public sealed class CoHostCluster : ClusterFixture
{
    public override bool CoHost => true;
}
