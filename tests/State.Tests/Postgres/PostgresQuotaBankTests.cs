using Dapper;
using Npgsql;
using Switchyard.State.Postgres;
using Switchyard.State.Tests.Contracts;
using Xunit.Abstractions;

namespace Switchyard.State.Tests.Postgres;

/// <summary>
/// What only the cluster bank promises: quota leased to replicas in slices never exceeds the cap together, concurrency
/// is cluster-wide, a dead replica can only under-admit, settled spend reaches the bank and alerts see exact ranges.
/// </summary>
public sealed class PostgresQuotaBankTests(PostgresBackend backend, ITestOutputHelper output) : IClassFixture<PostgresBackend>
{
    private static QuotaWindow NewWindow(QuotaMeter meter = QuotaMeter.CostMicros) => QuotaBankContract.Window(QuotaBankContract.NewEntity(), meter);

    [Fact]
    public async Task Reserve_ThreeReplicasConcurrentlyAgainstASmallHardCap_NeverGrantPastItAndSettleToAtMostIt()
    {
        await using var world = new QuotaLeaseWorld(backend);
        PostgresStores[] replicas = [world.Open(), world.Open(), world.Open()];
        await QuotaLeaseWorld.TickAsync(replicas);
        var window = NewWindow();
        const long cap = 2_000;
        var spent = 0L;
        var admitted = 0;
        var maxTaken = 0L;
        using var watching = new CancellationTokenSource();
        var watcher = Task.Run(async () =>
        {
            while (!watching.IsCancellationRequested)
            {
                var (used, reserved) = await world.RowAsync(window);
                maxTaken = Math.Max(maxTaken, used + reserved);
                await Task.Delay(1);
            }
        });

        // Rounds of concurrent requests (worst case 1–9, real cost a little less), with a tick between rounds so the
        // replicas see a rate and lease ahead of it, until the cap refuses everything.
        for (var round = 0; round < 40; round++)
        {
            var results = await Task.WhenAll(Enumerable.Range(0, 90).Select(i => Task.Run(async () =>
            {
                var replica = replicas[i % 3];
                var amount = 1 + (i * 7 + round) % 9;
                var decision = await replica.Quotas.ReserveAsync([new QuotaClaim(window, cap, amount)], default);
                if (!decision.Admitted)
                {
                    return (Admitted: false, Actual: 0L);
                }

                var actual = amount - (i % 2);
                await replica.Quotas.SettleAsync([new QuotaSettlement(window, amount, actual)], default);
                return (Admitted: true, Actual: (long)actual);
            })));
            admitted += results.Count(r => r.Admitted);
            spent += results.Sum(r => r.Actual);
            world.Clock.Advance(TimeSpan.FromSeconds(1));
            await QuotaLeaseWorld.TickAsync(replicas);
            if (results.All(r => !r.Admitted))
            {
                break;
            }
        }

        await watching.CancelAsync();
        await watcher;
        foreach (var replica in replicas)
        {
            await replica.Quotas.FlushAsync(default);
        }

        var (finalUsed, finalReserved) = await world.RowAsync(window);
        output.WriteLine($"3 replicas, cap {cap}: admitted {admitted}, spent {spent}, max used+reserved seen {maxTaken}, over-grant {Math.Max(0, maxTaken - cap)}, "
            + $"final used {finalUsed}, lease round trips {replicas.Sum(r => r.Bank.LeaseRoundTrips)}");
        Assert.True(maxTaken <= cap, $"the bank granted {maxTaken} of a cap of {cap}");
        Assert.Equal((spent, 0L), (finalUsed, finalReserved));
        Assert.InRange(finalUsed, cap - 9 * 4, cap);
    }

    [Fact]
    public async Task Reserve_TwoReplicasClaimingTheSameQuotasInOppositeOrder_NeverDeadlock()
    {
        await using var world = new QuotaLeaseWorld(backend);
        var replicaA = world.Open();
        var replicaB = world.Open();
        var a = NewWindow();
        var b = NewWindow();

        var decisions = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Run(async () => i % 2 == 0
            ? await replicaA.Quotas.ReserveAsync([new QuotaClaim(a, 50, 1), new QuotaClaim(b, 1_000, 1)], default)
            : await replicaB.Quotas.ReserveAsync([new QuotaClaim(b, 1_000, 1), new QuotaClaim(a, 50, 1)], default))));
        await replicaA.Quotas.FlushAsync(default);
        await replicaB.Quotas.FlushAsync(default);

        // All or nothing across both quotas, never past a's cap; a slice one replica still holds when the other is refused
        // can leave a little of a's cap unused (under-admission, bounded by the slices near the limit).
        var admitted = decisions.Count(d => d.Admitted);
        Assert.InRange(admitted, 40, 50);
        Assert.Equal((0L, (long)admitted), await world.RowAsync(a));
        Assert.Equal((0L, (long)admitted), await world.RowAsync(b));
    }

    [Fact]
    public async Task Reserve_SteadyRateWellBelowTheLimit_FewLeaseRoundTripsPerThousandRequests()
    {
        await using var world = new QuotaLeaseWorld(backend);
        var replica = world.Open();
        var others = new[] { world.Open(), world.Open() };
        await QuotaLeaseWorld.TickAsync([replica, .. others]);
        var entity = QuotaBankContract.NewEntity();
        var tokens = new QuotaWindow(GovernedKind.ApiKey, entity, QuotaMeter.Tokens, StoreSamples.Now, StoreSamples.Now.AddMinutes(1));
        var requests = new QuotaWindow(GovernedKind.ApiKey, entity, QuotaMeter.Requests, StoreSamples.Now, StoreSamples.Now.AddMinutes(1));
        var concurrent = new QuotaWindow(GovernedKind.ApiKey, entity, QuotaMeter.Concurrent, DateTimeOffset.UnixEpoch, null);

        // 50 seconds at 100 requests a second (2,000 tokens each, 1,500 used) against 100,000,000 tokens and 60,000
        // requests a minute and 50 in flight: about 10% of each limit.
        const int seconds = 50;
        const int perSecond = 100;
        for (var second = 0; second < seconds; second++)
        {
            for (var i = 0; i < perSecond; i++)
            {
                var decision = await replica.Quotas.ReserveAsync(
                    [new QuotaClaim(requests, 60_000, 1), new QuotaClaim(tokens, 100_000_000, 2_000), new QuotaClaim(concurrent, 50, 1)], default);
                Assert.True(decision.Admitted);
                await replica.Quotas.SettleAsync(
                    [new QuotaSettlement(requests, 1, 1), new QuotaSettlement(tokens, 2_000, 1_500), new QuotaSettlement(concurrent, 1, 0)], default);
            }

            world.Clock.Advance(TimeSpan.FromSeconds(1));
            await QuotaLeaseWorld.TickAsync([replica, .. others]);
        }

        var perThousand = replica.Bank.LeaseRoundTrips * 1000.0 / (seconds * perSecond);
        output.WriteLine($"{seconds * perSecond} requests: {replica.Bank.LeaseRoundTrips} lease round trips ({perThousand:0.0} per 1,000), "
            + $"{replica.Bank.SyncRoundTrips} checkpoint round trips (one a second)");
        Assert.True(perThousand <= 20, $"{perThousand} lease round trips per 1,000 requests");
        Assert.Equal(1 + seconds, replica.Bank.SyncRoundTrips);
        var (used, _) = await world.RowAsync(tokens);
        Assert.Equal(seconds * perSecond * 1_500L, used);
    }

    [Fact]
    public async Task Settle_BudgetOnThreeReplicasAtOnce_EachSettlementGetsItsOwnExactRangeOfTheBanksUsed()
    {
        await using var world = new QuotaLeaseWorld(backend);
        PostgresStores[] replicas = [world.Open(), world.Open(), world.Open()];
        var window = NewWindow();

        var changes = await Task.WhenAll(Enumerable.Range(0, 150).Select(i => Task.Run(async () =>
        {
            var replica = replicas[i % 3];
            Assert.True((await replica.Quotas.ReserveAsync([new QuotaClaim(window, 1_000_000, 100)], default)).Admitted);
            return Assert.Single(await replica.Quotas.SettleAsync([new QuotaSettlement(window, 100, 1 + i % 50)], default));
        })));

        // Every settlement's [before, after) is disjoint from the others and together they tile [0, total): whichever
        // threshold the spend crosses, exactly one settlement on exactly one replica sees it cross.
        var ordered = changes.OrderBy(c => c.UsedBefore).ToList();
        Assert.Equal(0, ordered[0].UsedBefore);
        for (var i = 1; i < ordered.Count; i++)
        {
            Assert.Equal(ordered[i - 1].UsedAfter, ordered[i].UsedBefore);
        }

        output.WriteLine($"150 budget settlements on 3 replicas at once: {replicas.Sum(r => r.Bank.SyncRoundTrips)} checkpoint round trips, "
            + $"{replicas.Sum(r => r.Bank.LeaseRoundTrips)} lease round trips");
        var total = Enumerable.Range(0, 150).Sum(i => 1L + i % 50);
        Assert.Equal(total, ordered[^1].UsedAfter);
        Assert.Equal(total, (await world.RowAsync(window)).Used);
    }

    [Fact]
    public async Task Settle_RateLimitSpend_ReachesTheBankAtTheNextCheckpointForOtherReplicasToSee()
    {
        await using var world = new QuotaLeaseWorld(backend);
        var replicaA = world.Open();
        var replicaB = world.Open();
        var window = NewWindow(QuotaMeter.Tokens);
        await replicaA.Quotas.ReserveAsync([new QuotaClaim(window, 10_000, 300)], default);
        await replicaA.Quotas.SettleAsync([new QuotaSettlement(window, 300, 120)], default);

        var before = Assert.Single(await replicaB.Quotas.UsageAsync(window.Kind, window.EntityId, default));
        var mine = Assert.Single(await replicaA.Quotas.UsageAsync(window.Kind, window.EntityId, default));
        world.Clock.Advance(TimeSpan.FromSeconds(1));
        await QuotaLeaseWorld.TickAsync(replicaA);
        var after = Assert.Single(await replicaB.Quotas.UsageAsync(window.Kind, window.EntityId, default));

        Assert.Equal((0L, 300L), (before.Used, before.Reserved));
        Assert.Equal((120L, 0L), (mine.Used, mine.Reserved));
        Assert.Equal((120L, 180L), (after.Used, after.Reserved));
    }

    [Fact]
    public async Task Usage_WhileACheckpointIsInFlight_WaitsForIt_AndCountsTheSpendOnce()
    {
        // A checkpoint in flight may already be in the row while this replica still holds it as settled: a read then
        // would count it twice. The read waits for the round trip instead.
        await using var world = new QuotaLeaseWorld(backend);
        var replica = world.Open();
        var window = NewWindow();
        await replica.Quotas.ReserveAsync([new QuotaClaim(window, 10_000_000, 1_100_000)], default);

        // Another transaction holds the quota's row, so the settlement's checkpoint waits inside the database.
        await using var blocker = new NpgsqlConnection(backend.ConnectionString);
        await blocker.OpenAsync();
        await using var hold = await blocker.BeginTransactionAsync();
        Assert.Single(await blocker.QueryAsync<int>(
            "SELECT 1 FROM switchyard.quota_usage WHERE entity_kind = @Kind AND entity_id = @EntityId FOR UPDATE",
            new { Kind = QuotaText.Write(window.Kind), window.EntityId }, hold));

        var settle = replica.Quotas.SettleAsync([new QuotaSettlement(window, 1_100_000, 1_100_000)], default).AsTask();
        await Task.Delay(300);
        var usage = replica.Quotas.UsageAsync(window.Kind, window.EntityId, default);
        await Task.Delay(300);
        Assert.False(settle.IsCompleted, "the checkpoint should be waiting on the row");
        Assert.False(usage.IsCompleted, "the read should wait for the checkpoint in flight");

        await hold.CommitAsync();
        await settle;
        var read = Assert.Single(await usage.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal((1_100_000L, 0L), (read.Used, read.Reserved));
    }

    [Fact]
    public async Task Concurrent_IsClusterWide_ASlotHeldOnOneReplicaIsRefusedOnAnother()
    {
        await using var world = new QuotaLeaseWorld(backend);
        var replicaA = world.Open();
        var replicaB = world.Open();
        var window = NewWindow(QuotaMeter.Concurrent);

        var first = await replicaA.Quotas.ReserveAsync([new QuotaClaim(window, 1, 1)], default);
        var second = await replicaB.Quotas.ReserveAsync([new QuotaClaim(window, 1, 1)], default);
        await replicaA.Quotas.SettleAsync([new QuotaSettlement(window, 1, 0)], default);
        await replicaA.Quotas.FlushAsync(default);
        var third = await replicaB.Quotas.ReserveAsync([new QuotaClaim(window, 1, 1)], default);

        Assert.Equal([true, false, true], new[] { first, second, third }.Select(d => d.Admitted));
        Assert.Equal([1L], second.Taken);
        Assert.Equal((0L, 1L), await world.RowAsync(window));
    }

    [Fact]
    public async Task Concurrent_SlotsOfADeadReplica_ComeBackThroughTheJanitorOnceTheirLeaseExpired()
    {
        await using var world = new QuotaLeaseWorld(backend);
        var dying = world.Open();
        var survivor = world.Open();
        await QuotaLeaseWorld.TickAsync(dying, survivor);
        var window = NewWindow(QuotaMeter.Concurrent);
        Assert.True((await dying.Quotas.ReserveAsync([new QuotaClaim(window, 2, 1)], default)).Admitted);
        Assert.True((await dying.Quotas.ReserveAsync([new QuotaClaim(window, 2, 1)], default)).Admitted);
        await dying.Bank.AbandonAsync();

        var whileLeased = await survivor.Quotas.ReserveAsync([new QuotaClaim(window, 2, 1)], default);
        world.Clock.Advance(world.Options.LeaseLifetime);
        await QuotaLeaseWorld.TickAsync(survivor);
        var beforeGrace = await survivor.Bank.RunJanitorAsync(default);
        world.Clock.Advance(world.Options.ClockSkewAllowance + TimeSpan.FromMilliseconds(1));
        var reclaimed = await survivor.Bank.RunJanitorAsync(default);
        var afterwards = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => survivor.Quotas.ReserveAsync([new QuotaClaim(window, 2, 1)], default).AsTask()));

        Assert.False(whileLeased.Admitted);
        Assert.Equal(0, beforeGrace);
        Assert.Equal(2, reclaimed);
        Assert.Equal([true, true, false], afterwards.Select(d => d.Admitted).Order().Reverse());
        Assert.Equal(1, await world.LeaseRowsAsync(window));
    }

    [Fact]
    public async Task Reserve_ReplicaDiesHoldingASlice_OnlyUnderAdmitsAndTheJanitorGivesNothingBack()
    {
        await using var world = new QuotaLeaseWorld(backend);
        var dying = world.Open();
        var survivor = world.Open();
        await QuotaLeaseWorld.TickAsync(dying, survivor);
        var window = NewWindow(QuotaMeter.Tokens);

        // The dying replica sees a rate, so its next lease takes a slice ahead of it; it crashes with three requests in
        // flight and the rest of the slice unused, returning nothing.
        for (var i = 0; i < 10; i++)
        {
            await dying.Quotas.ReserveAsync([new QuotaClaim(window, 1_000, 10)], default);
            await dying.Quotas.SettleAsync([new QuotaSettlement(window, 10, 10)], default);
        }

        world.Clock.Advance(TimeSpan.FromSeconds(1));
        await QuotaLeaseWorld.TickAsync(dying, survivor);
        for (var i = 0; i < 3; i++)
        {
            Assert.True((await dying.Quotas.ReserveAsync([new QuotaClaim(window, 1_000, 10)], default)).Admitted);
        }

        await dying.Bank.AbandonAsync();
        var (usedAtDeath, reservedAtDeath) = await world.RowAsync(window);

        var admitted = 0;
        while ((await survivor.Quotas.ReserveAsync([new QuotaClaim(window, 1_000, 10)], default)).Admitted)
        {
            admitted++;
        }

        world.Clock.Advance(world.Options.LeaseLifetime + world.Options.ClockSkewAllowance + TimeSpan.FromSeconds(1));
        await QuotaLeaseWorld.TickAsync(survivor);
        await survivor.Bank.RunJanitorAsync(default);
        await survivor.Quotas.FlushAsync(default);

        output.WriteLine($"at death: used {usedAtDeath}, reserved {reservedAtDeath} (the slice); survivor admitted {admitted}");
        Assert.Equal(100, usedAtDeath);
        Assert.True(reservedAtDeath > 30, $"the dying replica held only {reservedAtDeath}");
        Assert.Equal((1_000 - usedAtDeath - reservedAtDeath) / 10, admitted);
        Assert.Equal((usedAtDeath, reservedAtDeath + admitted * 10L), await world.RowAsync(window));
        Assert.Equal(1, await world.LeaseRowsAsync(window));
    }

    [Fact]
    public async Task Reserve_DatabaseUnreachable_HardClaimsBeyondTheBalanceFailClosedAndEverythingElseIsKeptForLater()
    {
        await using var cut = TcpCut.Start(backend.ConnectionString);
        await using var world = new QuotaLeaseWorld(backend);
        var replica = world.Open(cut.Through(backend.ConnectionString));
        var budget = NewWindow();
        var tokens = NewWindow(QuotaMeter.Tokens);
        Assert.True((await replica.Quotas.ReserveAsync([new QuotaClaim(budget, 1_000, 40)], default)).Admitted);

        cut.Cut();
        await Assert.ThrowsAsync<QuotaBankUnavailableException>(async () => await replica.Quotas.ReserveAsync([new QuotaClaim(budget, 1_000, 30)], default));
        var soft = await replica.Quotas.ReserveAsync([new QuotaClaim(tokens, long.MaxValue, 500)], default);
        var settled = Assert.Single(await replica.Quotas.SettleAsync([new QuotaSettlement(budget, 40, 25)], default));
        var fromBalance = await replica.Quotas.ReserveAsync([new QuotaClaim(budget, 1_000, 15)], default);
        await replica.Quotas.SettleAsync([new QuotaSettlement(budget, 15, 15), new QuotaSettlement(tokens, 500, 400)], default);
        await Assert.ThrowsAnyAsync<Exception>(() => replica.Bank.TickAsync(default));

        cut.Restore();
        world.Clock.Advance(TimeSpan.FromSeconds(2));
        await QuotaLeaseWorld.TickAsync(replica);

        Assert.True(soft.Admitted);
        Assert.Equal((0L, 25L), (settled.UsedBefore, settled.UsedAfter));
        Assert.True(fromBalance.Admitted);
        Assert.Equal((40L, 0L), await world.RowAsync(budget));
        Assert.Equal((400L, 0L), await world.RowAsync(tokens));
    }

    [Fact]
    public async Task DropLocalBalances_GivesTheEntitysUnusedSliceBackAtOnceAndKeepsWhatIsInFlight()
    {
        await using var world = new QuotaLeaseWorld(backend);
        var replica = world.Open();
        var other = world.Open();
        var window = NewWindow(QuotaMeter.Tokens);
        for (var i = 0; i < 20; i++)
        {
            await replica.Quotas.ReserveAsync([new QuotaClaim(window, 100_000, 100)], default);
            await replica.Quotas.SettleAsync([new QuotaSettlement(window, 100, 100)], default);
        }

        world.Clock.Advance(TimeSpan.FromSeconds(1));
        await QuotaLeaseWorld.TickAsync(replica);
        await replica.Quotas.ReserveAsync([new QuotaClaim(window, 100_000, 100)], default);
        var held = await world.RowAsync(window);

        await replica.Quotas.LimitsChangedAsync(window.Kind, window.EntityId, default);
        var dropped = await world.RowAsync(window);
        var lowered = await other.Quotas.ReserveAsync([new QuotaClaim(window, 2_100, 1)], default);

        Assert.True(held.Reserved > 100, $"only {held.Reserved} leased");
        Assert.Equal((2_000L, 100L), dropped);
        Assert.False(lowered.Admitted);
        Assert.Equal([2_100L], lowered.Taken);
    }

    [Fact]
    public async Task Lease_IdleForALifetime_IsReturnedAndItsRowDeleted()
    {
        await using var world = new QuotaLeaseWorld(backend);
        var replica = world.Open();
        var window = NewWindow(QuotaMeter.Tokens);
        await replica.Quotas.ReserveAsync([new QuotaClaim(window, 1_000, 50)], default);
        await replica.Quotas.SettleAsync([new QuotaSettlement(window, 50, 30)], default);
        await QuotaLeaseWorld.TickAsync(replica);
        var renewed = (await world.RowAsync(window), await world.LeaseRowsAsync(window));

        world.Clock.Advance(world.Options.LeaseLifetime);
        await QuotaLeaseWorld.TickAsync(replica);

        Assert.Equal(((30L, 20L), 1L), renewed);
        Assert.Equal((30L, 0L), await world.RowAsync(window));
        Assert.Equal(0, await world.LeaseRowsAsync(window));
    }

    [Fact]
    public async Task Replica_Heartbeat_IsARowNamedHostPidRandomAndLeavesOnDispose()
    {
        await using var world = new QuotaLeaseWorld(backend);
        var replica = world.Open();
        var id = replica.Replica.Id;
        await QuotaLeaseWorld.TickAsync(replica);
        world.Clock.Advance(TimeSpan.FromSeconds(1));
        await QuotaLeaseWorld.TickAsync(replica);

        await using var connection = new NpgsqlConnection(backend.ConnectionString);
        var row = await connection.QuerySingleAsync<(string Host, DateTime HeartbeatAt)>(
            "SELECT host, heartbeat_at FROM switchyard.replicas WHERE replica_id = @id", new { id });
        await replica.DisposeAsync();
        var left = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM switchyard.replicas WHERE replica_id = @id", new { id });

        Assert.Matches($"^{Environment.MachineName}-{Environment.ProcessId}-[0-9a-f]{{6}}$", id);
        Assert.Equal(Environment.MachineName, row.Host);
        Assert.Equal(StoreSamples.Now.AddSeconds(1).UtcDateTime, row.HeartbeatAt);
        Assert.Equal(0, left);
    }

    [Fact]
    public void Options_Invalid_NameTheOption()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new PostgresStores(NpgsqlDataSource.Create(backend.ConnectionString), new QuotaLeaseOptions { CheckpointInterval = TimeSpan.FromSeconds(9) }, TimeProvider.System));

        Assert.Contains("QuotaLeaseOptions.CheckpointInterval", error.Message);
    }
}
