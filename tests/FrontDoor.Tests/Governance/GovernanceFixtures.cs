using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Switchyard.FrontDoor.Tests.Infrastructure;

namespace Switchyard.FrontDoor.Tests.Governance;

/// <summary>
/// The real clock moved by an offset a test can push forward, so a test can start at the beginning of a rate-limit
/// window instead of hoping not to straddle one. Durations and timers are the machine's own.
/// </summary>
public sealed class ShiftedClock : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));

    /// <summary>Moves the clock forward to 100 ms past the start of the next window of <paramref name="window"/> (a minute, an hour, a day).</summary>
    public DateTimeOffset JumpToNextWindow(TimeSpan window)
    {
        var now = GetUtcNow();
        var next = new DateTimeOffset(now.Ticks - (now.Ticks % window.Ticks), TimeSpan.Zero) + window + TimeSpan.FromMilliseconds(100);
        Interlocked.Add(ref _offsetTicks, (next - now).Ticks);
        return next;
    }
}

/// <summary>A gateway on the embedded store whose clock tests can move, with budget alerts retried fast.</summary>
public class GovernanceFixture : GatewayFixture
{
    public ShiftedClock Clock { get; } = new();

    public virtual string StoreName => "sqlite";

    protected override Task<IReadOnlyDictionary<string, string>> SettingsAsync() => Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string>
    {
        ["Switchyard:Gateway:AlertRetryBaseDelay"] = "00:00:00.020",
        ["Switchyard:Gateway:AlertDeliveryAttempts"] = "3",
    });

    protected override void ConfigureServices(IServiceCollection services) => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Clock));
}

/// <summary>The same gateway on PostgreSQL: a database of its own on the test server (tests/start-postgres.sh), dropped afterwards.</summary>
public sealed class PostgresGovernanceFixture : GovernanceFixture
{
    private readonly string _database = $"sy_governance_{Guid.NewGuid():N}";
    private string _admin = "";

    public override string StoreName => "postgres";

    protected override async Task<IReadOnlyDictionary<string, string>> SettingsAsync()
    {
        _admin = Environment.GetEnvironmentVariable("SWITCHYARD_TEST_DATABASE_URL")
            ?? throw new InvalidOperationException("SWITCHYARD_TEST_DATABASE_URL is not set: run the tests with ./test.sh, which starts PostgreSQL (tests/start-postgres.sh).");
        await using (var connection = new Npgsql.NpgsqlConnection(_admin))
        {
            await connection.OpenAsync();
            await using var create = new Npgsql.NpgsqlCommand($"CREATE DATABASE {_database}", connection);
            await create.ExecuteNonQueryAsync();
        }

        var settings = new Dictionary<string, string>(await base.SettingsAsync())
        {
            ["SWITCHYARD_DATABASE_URL"] = new Npgsql.NpgsqlConnectionStringBuilder(_admin) { Database = _database }.ConnectionString,
        };
        return settings;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await using var connection = new Npgsql.NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await using var drop = new Npgsql.NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
