using Switchyard.State.Embedded;
using Switchyard.State.Tests.Contracts;

namespace Switchyard.State.Tests.Embedded;

/// <summary>What only the embedded bank promises: settled use reaches the file and survives a restart; reservations do not.</summary>
public sealed class EmbeddedQuotaBankTests
{
    [Fact]
    public async Task Dispose_ThenReopen_SettledUseSurvivesAndReservationsAreReleased()
    {
        await using var backend = await SqliteBackend.CreateMigratedAsync();
        var window = QuotaBankContract.Window(QuotaBankContract.NewEntity());
        var stores = EmbeddedState.Open(backend.DatabasePath);
        await stores.Quotas.ReserveAsync([new QuotaClaim(window, 1_000, 300)], default);
        await stores.Quotas.SettleAsync([new QuotaSettlement(window, 300, 250)], default);
        await stores.Quotas.ReserveAsync([new QuotaClaim(window, 1_000, 400)], default);

        await stores.DisposeAsync();
        await using var reopened = EmbeddedState.Open(backend.DatabasePath);

        var usage = Assert.Single(await reopened.Quotas.UsageAsync(window.Kind, window.EntityId, default));
        Assert.Equal((250L, 0L), (usage.Used, usage.Reserved));
        var decision = await reopened.Quotas.ReserveAsync([new QuotaClaim(window, 1_000, 751)], default);
        Assert.Equal(0, decision.RefusedIndex);
        Assert.Equal([250L], decision.Taken);
        var change = Assert.Single(await reopened.Quotas.SettleAsync([new QuotaSettlement(window, 0, 50)], default));
        Assert.Equal((250L, 300L), (change.UsedBefore, change.UsedAfter));
    }

    [Fact]
    public async Task Flush_WritesSettledUseOfEveryMeterButConcurrency()
    {
        await using var backend = await SqliteBackend.CreateMigratedAsync();
        var entity = QuotaBankContract.NewEntity();
        var budget = QuotaBankContract.Window(entity);
        var concurrent = QuotaBankContract.Window(entity, QuotaMeter.Concurrent);
        await backend.Quotas.ReserveAsync([new QuotaClaim(budget, 100, 10), new QuotaClaim(concurrent, 5, 1)], default);
        await backend.Quotas.SettleAsync([new QuotaSettlement(budget, 10, 7), new QuotaSettlement(concurrent, 1, 1)], default);

        await backend.Quotas.FlushAsync(default);

        var rows = (await new SqliteDatabase(backend.DatabasePath).QueryAsync<(string, string, string, string, string, long)>(
            "SELECT entity_kind, entity_id, meter, window_start, window_end, used FROM quota_usage WHERE entity_id = @entity",
            new { entity }, default)).ToList();
        Assert.Equal([("api_key", entity, "cost_micros", "2026-11-22T12:00:00.000000Z", "2026-12-22T12:00:00.000000Z", 7L)], rows);
    }

    [Fact]
    public async Task Settle_WithoutFlush_ReachesTheFileWithinAFewFlushDelays()
    {
        await using var backend = await SqliteBackend.CreateMigratedAsync();
        var window = QuotaBankContract.Window(QuotaBankContract.NewEntity());
        await backend.Quotas.SettleAsync([new QuotaSettlement(window, 0, 42)], default);
        var database = new SqliteDatabase(backend.DatabasePath);

        // The background flush runs on the real clock; poll the file rather than sleep a fixed time.
        long? stored = null;
        for (var attempt = 0; attempt < 100 && stored is null; attempt++)
        {
            stored = (await database.QueryAsync<long>("SELECT used FROM quota_usage WHERE entity_id = @EntityId", new { window.EntityId }, default))
                .Cast<long?>().SingleOrDefault();
            if (stored is null)
            {
                await Task.Delay(EmbeddedQuotaBank.FlushDelay);
            }
        }

        Assert.Equal(42, stored);
    }
}
