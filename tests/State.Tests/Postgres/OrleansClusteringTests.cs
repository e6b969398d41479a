using System.Net;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Orleans.Configuration;
using Orleans.Placement;
using Switchyard.State.Postgres;

namespace Switchyard.State.Tests.Postgres;

/// <summary>Answers where it runs, so a test can tell which silo a call reached.</summary>
public interface ISiloProbeGrain : IGrainWithIntegerKey
{
    Task<string> SiloAsync();
}

/// <summary>Random placement: a test cluster's silos look alike, and other placements may keep every activation local.</summary>
[RandomPlacement]
public sealed class SiloProbeGrain(ILocalSiloDetails silo) : Grain, ISiloProbeGrain
{
    public Task<string> SiloAsync() => Task.FromResult(silo.SiloAddress.ToParsableString());
}

/// <summary>
/// Orleans' ADO.NET clustering (invariant Npgsql) on the schema migration 5 built: real silos in hosts of their own on
/// loopback ports and an external client, as the cluster runs them, each with its own pool from
/// <see cref="PostgresConnection.ForOrleans"/>.
/// </summary>
public sealed class OrleansClusteringTests : IAsyncLifetime
{
    private const int Active = 3;
    private const int Dead = 6;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly PostgresBackend _database = new();
    private readonly string _clusterId = $"cluster-{Guid.NewGuid():N}";
    private readonly List<IHost> _hosts = [];

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();

        // Servers do not all run in UTC; the providers' instants must survive one that does not (the dead-silo cleanup
        // compares them for equality), so these tests run at an offset of +12:45.
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.ExecuteAsync($"ALTER DATABASE \"{connection.Database}\" SET timezone TO 'Pacific/Chatham'");
    }

    public async Task DisposeAsync()
    {
        foreach (var host in Enumerable.Reverse(_hosts))
        {
            using (host)
            {
                await host.StopAsync(TimeSpan.FromSeconds(10));
            }
        }

        await _database.DisposeAsync();
    }

    [Fact]
    public async Task TwoSilos_JoinOneClusterAndServeGrainCallsAcrossEachOther()
    {
        var first = await StartSiloAsync("silo-a");
        var second = await StartSiloAsync("silo-b");
        await WaitForMembersAsync(first, m => Count(m, SiloStatus.Active) == 2);
        await WaitForMembersAsync(second, m => Count(m, SiloStatus.Active) == 2);

        Assert.Equal([Active, Active], await StatusesAsync());
        var secondAddress = Address(second);
        Assert.True(await FirstCallReachingAsync(first.Services.GetRequiredService<IGrainFactory>(), secondAddress));
        Assert.True(await FirstCallReachingAsync(second.Services.GetRequiredService<IGrainFactory>(), Address(first)));

        // The front door is an external client: it finds the silos' gateways through the same tables.
        var client = await StartClientAsync();
        var reached = await client.Services.GetRequiredService<IClusterClient>().GetGrain<ISiloProbeGrain>(1).SiloAsync();
        Assert.Contains(reached, new[] { Address(first), secondAddress });
    }

    [Fact]
    public async Task StoppedSilo_IsDeadToTheClusterAndItsRowIsCleanedUp()
    {
        var survivor = await StartSiloAsync("silo-a");
        var leaving = await StartSiloAsync("silo-b");
        await WaitForMembersAsync(survivor, m => Count(m, SiloStatus.Active) == 2);
        var leavingAddress = leaving.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;

        await leaving.StopAsync();

        Assert.Equal([Active, Dead], await StatusesAsync());
        await WaitForMembersAsync(survivor, m => m.GetSiloStatus(leavingAddress) == SiloStatus.Dead);
        var answeredBy = await survivor.Services.GetRequiredService<IGrainFactory>().GetGrain<ISiloProbeGrain>(7).SiloAsync();
        Assert.Equal(Address(survivor), answeredBy);

        // 10.4.2 prunes dead silos one row at a time (CleanupDefunctSiloEntryKey), matching the values it read.
        await survivor.Services.GetRequiredService<IMembershipTable>().CleanupDefunctSiloEntriesAsync(DateTimeOffset.UtcNow.AddMinutes(1));

        Assert.Equal([Active], await StatusesAsync());
    }

    private async Task<IHost> StartSiloAsync(string name)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ApplicationName = name });
        var connectionString = OrleansConnection(name);
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(options =>
            {
                options.ClusterId = _clusterId;
                options.ServiceId = "switchyard-tests";
            });
            silo.Configure<SiloOptions>(options => options.SiloName = name);
            silo.ConfigureEndpoints(IPAddress.Loopback, ListeningPorts.Next(), ListeningPorts.Next());
            silo.UseAdoNetClustering(options =>
            {
                options.Invariant = "Npgsql";
                options.ConnectionString = connectionString;
            });
        });
        return await StartAsync(builder.Build());
    }

    private async Task<IHost> StartClientAsync()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ApplicationName = "front-door" });
        var connectionString = OrleansConnection("front-door");
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(options =>
            {
                options.ClusterId = _clusterId;
                options.ServiceId = "switchyard-tests";
            });
            client.UseAdoNetClustering(options =>
            {
                options.Invariant = "Npgsql";
                options.ConnectionString = connectionString;
            });
        });
        return await StartAsync(builder.Build());
    }

    private async Task<IHost> StartAsync(IHost host)
    {
        _hosts.Add(host);
        using var timeout = new CancellationTokenSource(Patience);
        await host.StartAsync(timeout.Token);
        return host;
    }

    /// <summary>Each host gets a pool of its own, as separate processes would (pools are per connection string).</summary>
    private string OrleansConnection(string name) =>
        new NpgsqlConnectionStringBuilder(PostgresConnection.ForOrleans(_database.ConnectionString, maxPoolSize: 4)) { ApplicationName = name }.ConnectionString;

    private static async Task WaitForMembersAsync(IHost silo, Func<ClusterMembershipSnapshot, bool> condition)
    {
        var membership = silo.Services.GetRequiredService<IClusterMembershipService>();
        using var timeout = new CancellationTokenSource(Patience);
        await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(timeout.Token))
        {
            if (condition(snapshot))
            {
                return;
            }
        }
    }

    /// <summary>
    /// Calls probes on new keys until one runs on <paramref name="silo"/>: placement picks among the silos whose grain
    /// manifest the caller has received, which follows membership by a moment.
    /// </summary>
    private static async Task<bool> FirstCallReachingAsync(IGrainFactory grains, string silo)
    {
        using var timeout = new CancellationTokenSource(Patience);
        for (var key = 1_000L * Random.Shared.Next(1, 1_000_000); !timeout.IsCancellationRequested; key++)
        {
            if (await grains.GetGrain<ISiloProbeGrain>(key).SiloAsync() == silo)
            {
                return true;
            }
        }

        return false;
    }

    private async Task<List<int>> StatusesAsync()
    {
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        return [.. await connection.QueryAsync<int>(
            "SELECT status FROM orleans.orleansmembershiptable WHERE deploymentid = @ClusterId ORDER BY status", new { ClusterId = _clusterId })];
    }

    private static int Count(ClusterMembershipSnapshot snapshot, SiloStatus status) => snapshot.Members.Count(m => m.Value.Status == status);

    private static string Address(IHost silo) => silo.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToParsableString();
}
