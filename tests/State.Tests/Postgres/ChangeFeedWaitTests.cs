using Npgsql;
using Switchyard.State.Postgres;

namespace Switchyard.State.Tests.Postgres;

/// <summary>
/// Npgsql's <c>WaitAsync</c> reads 0 ms as "forever": a poll loop that waited less than a millisecond used to block until
/// the next notice (the circuit poll test once waited its full 20 s on a loaded CI machine).
/// </summary>
public sealed class ChangeFeedWaitTests(PostgresBackend backend) : IClassFixture<PostgresBackend>
{
    [Theory]
    [InlineData(1L, 1)]              // one tick
    [InlineData(4_000L, 1)]          // 0.4 ms
    [InlineData(2_000_000L, 200)]    // 200 ms
    [InlineData(2_002_000L, 201)]    // 200.2 ms rounds up
    [InlineData(0L, 1)]
    [InlineData(-10_000L, 1)]
    public void WaitMilliseconds_NeverZero(long ticks, int expected)
    {
        Assert.Equal(expected, PostgresChangeFeed.WaitMilliseconds(TimeSpan.FromTicks(ticks)));
    }

    [Fact]
    public void WaitMilliseconds_LongerThanAnIntHolds_IsTheLongestWait()
    {
        Assert.Equal(int.MaxValue, PostgresChangeFeed.WaitMilliseconds(TimeSpan.FromDays(100)));
    }

    [Fact]
    public async Task WaitForNoticeAsync_SubMillisecondWaitWithoutNotice_ReturnsFalseInsteadOfBlocking()
    {
        await using var connection = new NpgsqlConnection(backend.ConnectionString);
        await connection.OpenAsync();
        await using (var listen = new NpgsqlCommand("LISTEN switchyard_wait_test", connection))
        {
            await listen.ExecuteNonQueryAsync();
        }

        var arrived = await PostgresChangeFeed.WaitForNoticeAsync(connection, TimeSpan.FromTicks(3_000), default).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(arrived);
    }
}
