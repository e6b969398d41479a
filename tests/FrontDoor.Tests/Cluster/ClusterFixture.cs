using Switchyard.FakeProvider;
using Switchyard.FrontDoor.Tests.Admin;
using Switchyard.FrontDoor.Tests.Infrastructure;

namespace Switchyard.FrontDoor.Tests.Cluster;

/// <summary>
/// The cluster on loopback: three FrontDoor processes over one PostgreSQL database, in front of one FakeProvider.
/// The periodic key-directory refresh is set to a minute, so anything that propagates faster came through
/// LISTEN/NOTIFY.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    private readonly PostgresTestDatabase _database = new();

    public FakeProviderServer Fake { get; private set; } = null!;

    public IReadOnlyList<ReplicaProcess> Replicas { get; private set; } = [];

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
            ["Switchyard__Cluster__CoHost"] = "true",
            ["Switchyard__Cluster__AdvertisedAddress"] = "127.0.0.1",
        };

        // The first replica migrates; the others start against the migrated schema (they would wait on the lock otherwise).
        var replicas = new List<ReplicaProcess>();
        for (var i = 0; i < 3; i++)
        {
            var replica = new ReplicaProcess($"r{i}", Environment);
            replicas.Add(replica);
            await replica.StartAsync();
        }

        Replicas = replicas;
        await WarmUpAsync();
    }

    /// <summary>
    /// One governed call through every replica first: a process's first lease exchange and first grain activation pay
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
                return response.StatusCode == System.Net.HttpStatusCode.OK;
            });
        }
    }

    /// <summary>Starts one more replica with the same settings (to replace one a test killed).</summary>
    public async Task<ReplicaProcess> StartReplicaAsync(string name)
    {
        var replica = new ReplicaProcess(name, Environment);
        await replica.StartAsync();
        return replica;
    }

    public async Task DisposeAsync()
    {
        foreach (var replica in Replicas)
        {
            await replica.DisposeAsync();
        }

        await Fake.DisposeAsync();
        await _database.DropAsync();
    }
}
