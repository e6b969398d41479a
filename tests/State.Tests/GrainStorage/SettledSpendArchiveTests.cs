using Dapper;
using Npgsql;
using Switchyard.State.Embedded;
using Switchyard.State.Tests.Postgres;

namespace Switchyard.State.Tests.GrainStorage;

/// <summary>
/// What a virtual-key grain reads once to take its entity's spend over: the <c>quota_usage</c> rows the quota banks
/// left, as the banks wrote them (rows are written here in the banks' formats, not through the banks).
/// </summary>
public sealed class SettledSpendArchiveTests
{
    private static readonly DateTimeOffset May = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset June = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Written = new DateTimeOffset(2026, 6, 3, 9, 30, 15, 123, 456, TimeSpan.Zero).AddTicks(7);

    private static readonly (string Kind, string Entity, string Meter, DateTimeOffset Start, DateTimeOffset? End, long Used)[] Rows =
    [
        ("virtual_key", "vk_1", "cost_micros", May, June, 1_100_000),
        ("virtual_key", "vk_1", "cost_micros", June, null, 250_000),
        ("virtual_key", "vk_1", "requests", June, June.AddMinutes(1), 3),
        ("virtual_key", "vk_2", "cost_micros", June, null, 9),
        ("api_key", "vk_1", "cost_micros", June, null, 7),
    ];

    /// <summary>vk_1's rows, newest window first, then by meter; what reached the file or table is microseconds.</summary>
    private static readonly QuotaUsage[] Expected =
    [
        new(new QuotaWindow(GovernedKind.VirtualKey, "vk_1", QuotaMeter.CostMicros, June, null), 250_000, 0, Written.AddTicks(-7)),
        new(new QuotaWindow(GovernedKind.VirtualKey, "vk_1", QuotaMeter.Requests, June, June.AddMinutes(1)), 3, 0, Written.AddTicks(-7)),
        new(new QuotaWindow(GovernedKind.VirtualKey, "vk_1", QuotaMeter.CostMicros, May, June), 1_100_000, 0, Written.AddTicks(-7)),
    ];

    [Fact]
    public async Task ReadAsync_Sqlite_GivesTheEntitysSettledUseNewestFirst()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"sy-archive-{Guid.NewGuid():N}");
        try
        {
            await using (var stores = EmbeddedState.Open(Path.Combine(folder, "switchyard.db")))
            {
                await stores.Migrator.MigrateAsync(default);
                var database = new SqliteDatabase(stores.DatabasePath);
                foreach (var row in Rows)
                {
                    await database.ExecuteAsync(
                        """
                        INSERT INTO quota_usage (entity_kind, entity_id, meter, window_start, window_end, used, updated_at)
                        VALUES (@Kind, @Entity, @Meter, @Start, @End, @Used, @UpdatedAt)
                        """,
                        new { row.Kind, row.Entity, row.Meter, Start = StoredTime.Write(row.Start), End = StoredTime.Write(row.End), row.Used, UpdatedAt = StoredTime.Write(Written) },
                        default);
                }

                Assert.Equal(Expected, await stores.SpendArchive.ReadAsync(GovernedKind.VirtualKey, "vk_1", default));
                Assert.Empty(await stores.SpendArchive.ReadAsync(GovernedKind.Workspace, "vk_1", default));
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task ReadAsync_Postgres_GivesTheEntitysSettledUseWithNothingReserved()
    {
        await using var database = new PostgresBackend();
        await database.InitializeAsync();
        await using (var connection = new NpgsqlConnection(database.ConnectionString))
        {
            foreach (var row in Rows)
            {
                await connection.ExecuteAsync(
                    """
                    INSERT INTO switchyard.quota_usage (entity_kind, entity_id, meter, window_start, window_end, used, reserved, updated_at)
                    VALUES (@Kind, @Entity, @Meter, @Start, @End, @Used, 500, @UpdatedAt)
                    """,
                    new { row.Kind, row.Entity, row.Meter, row.Start, row.End, row.Used, UpdatedAt = Written });
            }
        }

        Assert.Equal(Expected, await database.Stores.SpendArchive.ReadAsync(GovernedKind.VirtualKey, "vk_1", default));
        Assert.Empty(await database.Stores.SpendArchive.ReadAsync(GovernedKind.Workspace, "vk_1", default));
    }
}
