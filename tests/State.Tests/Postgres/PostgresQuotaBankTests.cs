using Dapper;
using Npgsql;
using Switchyard.State.Postgres;
using Switchyard.State.Tests.Contracts;

namespace Switchyard.State.Tests.Postgres;

/// <summary>What only the cluster bank promises: the cap holds across replicas sharing the database.</summary>
public sealed class PostgresQuotaBankTests(PostgresBackend backend) : IClassFixture<PostgresBackend>
{
    [Fact]
    public async Task Reserve_TwoReplicasAtOnce_NeverExceedTheLimitTogether()
    {
        await using var replicaA = PostgresState.Open(backend.ConnectionString);
        await using var replicaB = PostgresState.Open(backend.ConnectionString);
        var window = QuotaBankContract.Window(QuotaBankContract.NewEntity(), QuotaMeter.Tokens);

        var decisions = await Task.WhenAll(Enumerable.Range(0, 120).Select(i =>
            Task.Run(async () => await (i % 2 == 0 ? replicaA : replicaB).Quotas.ReserveAsync([new QuotaClaim(window, 100, 3)], default))));

        Assert.Equal(33, decisions.Count(d => d.Admitted));
        var usage = Assert.Single(await replicaB.Quotas.UsageAsync(window.Kind, window.EntityId, default));
        Assert.Equal(99, usage.Reserved);
    }

    [Fact]
    public async Task Reserve_TwoReplicasClaimingTheSameQuotasInOppositeOrder_NeverDeadlock()
    {
        await using var replicaA = PostgresState.Open(backend.ConnectionString);
        await using var replicaB = PostgresState.Open(backend.ConnectionString);
        var a = QuotaBankContract.Window(QuotaBankContract.NewEntity());
        var b = QuotaBankContract.Window(QuotaBankContract.NewEntity());

        var decisions = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Run(async () => i % 2 == 0
            ? await replicaA.Quotas.ReserveAsync([new QuotaClaim(a, 50, 1), new QuotaClaim(b, 1_000, 1)], default)
            : await replicaB.Quotas.ReserveAsync([new QuotaClaim(b, 1_000, 1), new QuotaClaim(a, 50, 1)], default))));

        Assert.Equal(50, decisions.Count(d => d.Admitted));
        Assert.Equal(50, Assert.Single(await replicaA.Quotas.UsageAsync(GovernedKind.ApiKey, b.EntityId, default)).Reserved);
    }

    [Fact]
    public async Task Reserve_Always_StoresReservedForEveryReplicaToSee()
    {
        var window = QuotaBankContract.Window(QuotaBankContract.NewEntity());
        await backend.Quotas.ReserveAsync([new QuotaClaim(window, 100, 30)], default);
        await backend.Quotas.SettleAsync([new QuotaSettlement(window, 30, 20)], default);
        await backend.Quotas.ReserveAsync([new QuotaClaim(window, 100, 15)], default);

        await using var connection = new NpgsqlConnection(backend.ConnectionString);
        var row = await connection.QuerySingleAsync<(string, string, long, long)>(
            "SELECT entity_kind, meter, used, reserved FROM switchyard.quota_usage WHERE entity_id = @EntityId", new { window.EntityId });

        Assert.Equal(("api_key", "cost_micros", 20L, 15L), row);
    }

    [Fact]
    public async Task Concurrent_IsPerReplicaAndNeverStored()
    {
        await using var other = PostgresState.Open(backend.ConnectionString);
        var window = QuotaBankContract.Window(QuotaBankContract.NewEntity(), QuotaMeter.Concurrent);

        Assert.True((await backend.Quotas.ReserveAsync([new QuotaClaim(window, 1, 1)], default)).Admitted);
        Assert.True((await other.Quotas.ReserveAsync([new QuotaClaim(window, 1, 1)], default)).Admitted);

        await using var connection = new NpgsqlConnection(backend.ConnectionString);
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM switchyard.quota_usage WHERE entity_id = @EntityId", new { window.EntityId }));
    }
}
