using System.Collections.Concurrent;
using System.Net;
using Switchyard.FrontDoor.Tests.Admin;
using Switchyard.FrontDoor.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Switchyard.FrontDoor.Tests.Cluster;

/// <summary>
/// PostgreSQL goes away under load and comes back: two front doors (over two silos, or co-hosting them) on a server of
/// the test's own. Keys without limits
/// are served throughout (everything they need is in memory); soft budgets fail open; hard budgets serve within the
/// leases they hold and fail closed beyond them (503, never a 500); settled spend reaches the grains once the database is back.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class PostgresOutageTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const long CallMicros = 110_000;

    private PrivatePostgres _postgres = null!;
    private readonly List<ReplicaProcess> _replicas = [];
    private readonly List<ReplicaProcess> _silos = [];
    private Switchyard.FakeProvider.FakeProviderServer _fake = null!;

    public async Task InitializeAsync()
    {
        _fake = await Switchyard.FakeProvider.FakeProviderServer.StartAsync();
        _postgres = await PrivatePostgres.StartAsync();
    }

    /// <summary>Two front doors, over two silo processes or co-hosting their silos.</summary>
    private async Task StartAsync(bool coHost)
    {
        var environment = new Dictionary<string, string>
        {
            ["SWITCHYARD_DATABASE_URL"] = _postgres.ConnectionString,
            ["SWITCHYARD_ADMIN_TOKEN"] = GatewayFixture.AdminToken,
            ["SWITCHYARD_MASTER_KEY"] = GatewayFixture.MasterKey,
            ["Logging__LogLevel__Default"] = "Warning",
            ["Switchyard__Cluster__CoHost"] = coHost ? "true" : "false",
            ["Switchyard__Cluster__AdvertisedAddress"] = "127.0.0.1",
        };
        for (var i = 0; !coHost && i < 2; i++)
        {
            var silo = new ReplicaProcess($"s{i}", environment.Where(e => e.Key != "SWITCHYARD_MASTER_KEY" && e.Key != "SWITCHYARD_ADMIN_TOKEN").ToDictionary(), silo: true);
            _silos.Add(silo);
            await silo.StartAsync();
        }

        for (var i = 0; i < 2; i++)
        {
            var replica = new ReplicaProcess($"o{i}", environment);
            _replicas.Add(replica);
            await replica.StartAsync();
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var process in _replicas.Concat(_silos))
        {
            await process.DisposeAsync();
        }

        await _postgres.DisposeAsync();
        await _fake.DisposeAsync();
    }

    private HttpRequestMessage Chat(string key) =>
        Requests.Chat("fake-gpt", "hi", extra: ",\"max_tokens\":5")
            .WithHeader("x-portkey-provider", "openai")
            .WithHeader("x-portkey-custom-host", new Uri(_fake.BaseAddress, "v1").ToString())
            .WithHeader("x-portkey-api-key", key);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Restart_UnderLoad_ServesWhatItCan_FailsOnlyClosed_AndLosesNoSpend(bool coHost)
    {
        await StartAsync(coHost);
        var admin = new AdminCalls(_replicas[0].Client, GatewayFixture.AdminToken);
        var workspace = (await admin.Post("/v1/admin/workspaces", """
            {"name":"outage","price_overrides":{"openai/fake-gpt":{"input_per_million":10000,"output_per_million":10000} } }
            """)).Ok().Str("id");
        async Task<(string Id, string Key)> KeyAsync(string limits)
        {
            var created = (await admin.Post("/v1/api-keys/workspace/service",
                $$"""{"name":"k","scopes":["completions.write"],"workspace_id":"{{workspace}}"{{limits}}}""")).Ok();
            return (created.Str("id"), created.Str("key"));
        }

        var free = await KeyAsync("");
        var soft = await KeyAsync(""","usage_limits":{"credit_limit":1000,"type":"cost","enforcement":"soft"}""");
        var hard = await KeyAsync(""","usage_limits":{"credit_limit":1000,"type":"cost"}""");
        foreach (var replica in _replicas)
        {
            await Eventually.Until(() => Send(replica, free.Key) == HttpStatusCode.OK, 2000);
        }

        var results = new ConcurrentQueue<(string Phase, string Key, HttpStatusCode Status)>();
        var phase = "before";
        using var stop = new CancellationTokenSource();
        var load = Task.Run(async () =>
        {
            var i = 0;
            while (!stop.IsCancellationRequested)
            {
                var replica = _replicas[i++ % 2];
                var current = Volatile.Read(ref phase);
                foreach (var (name, key) in new[] { ("free", free.Key), ("soft", soft.Key), ("hard", hard.Key) })
                {
                    results.Enqueue((current, name, await SendAsync(replica, key)));
                }
            }
        });

        await Task.Delay(500);
        Volatile.Write(ref phase, "down");
        await _postgres.StopAsync();
        await Task.Delay(2000);
        Volatile.Write(ref phase, "restarting");
        await _postgres.StartAgainAsync();
        await Task.Delay(3000);
        Volatile.Write(ref phase, "after");
        await Task.Delay(1000);
        await stop.CancelAsync();
        await load;

        foreach (var group in results.GroupBy(r => (r.Phase, r.Key)))
        {
            output.WriteLine($"{group.Key.Phase,-10} {group.Key.Key,-4} " + string.Join(", ", group.GroupBy(r => r.Status).Select(s => $"{(int)s.Key}×{s.Count()}")));
        }

        Assert.DoesNotContain(results, r => (int)r.Status >= 500 && r.Status != HttpStatusCode.ServiceUnavailable);
        Assert.All(results.Where(r => r.Key is "free" or "soft"), r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.All(results.Where(r => r.Phase == "after"), r => Assert.Equal(HttpStatusCode.OK, r.Status));

        // Nothing settled was lost or counted twice: each key's spend is exactly its answered calls (the totals a front
        // door sends are cumulative, so a delivery retried after the outage adds nothing twice).
        foreach (var (name, id) in new[] { ("soft", soft.Id), ("hard", hard.Id) })
        {
            var answered = results.Count(r => r.Key == name && r.Status == HttpStatusCode.OK);
            try
            {
                await Eventually.Until(() => Spent(admin, id) >= answered * CallMicros, 10_000);
            }
            finally
            {
                output.WriteLine($"{name}: answered {answered} calls = {answered * CallMicros} micro-dollars; its grain shows {Spent(admin, id)}");
            }

            Assert.Equal(answered * CallMicros, Spent(admin, id));
        }
    }

    private static long Spent(AdminCalls admin, string keyId)
    {
        var usage = admin.Get($"/v1/api-keys/{keyId}").GetAwaiter().GetResult().Ok().GetProperty("usage");
        return usage.GetProperty("windows").EnumerateArray()
            .Where(w => w.GetProperty("meter").GetString() == "cost_usd")
            .Sum(w => (long)(w.GetProperty("used").GetDecimal() * 1_000_000m));
    }

    private HttpStatusCode Send(ReplicaProcess replica, string key) => SendAsync(replica, key).GetAwaiter().GetResult();

    private async Task<HttpStatusCode> SendAsync(ReplicaProcess replica, string key)
    {
        try
        {
            using var response = await replica.Client.SendAsync(Chat(key));
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return HttpStatusCode.BadGateway;
        }
    }
}
