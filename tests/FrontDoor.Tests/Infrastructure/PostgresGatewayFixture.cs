namespace Switchyard.FrontDoor.Tests.Infrastructure;

/// <summary>A throwaway database on the test run's PostgreSQL (tests/start-postgres.sh), created for one fixture and dropped after it.</summary>
public sealed class PostgresTestDatabase
{
    private readonly string _name = $"sy_test_{Guid.NewGuid():N}";
    private string _server = "";

    /// <summary>Creates the database and returns its connection string.</summary>
    public async Task<string> CreateAsync()
    {
        _server = Environment.GetEnvironmentVariable("SWITCHYARD_TEST_DATABASE_URL")
            ?? throw new InvalidOperationException("SWITCHYARD_TEST_DATABASE_URL is not set: run the tests with ./test.sh, which starts PostgreSQL (tests/start-postgres.sh).");
        await using var connection = new Npgsql.NpgsqlConnection(_server);
        await connection.OpenAsync();
        await using var create = new Npgsql.NpgsqlCommand($"CREATE DATABASE {_name}", connection);
        await create.ExecuteNonQueryAsync();
        return new Npgsql.NpgsqlConnectionStringBuilder(_server) { Database = _name }.ConnectionString;
    }

    public async Task DropAsync()
    {
        if (_server.Length == 0)
        {
            return;
        }

        await using var connection = new Npgsql.NpgsqlConnection(_server);
        await connection.OpenAsync();
        await using var drop = new Npgsql.NpgsqlCommand($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}

/// <summary>The same gateway as <see cref="GatewayFixture"/>, on the PostgreSQL cluster store (so API keys are required).</summary>
public sealed class PostgresGatewayFixture : GatewayFixture
{
    private readonly PostgresTestDatabase _database = new();

    protected override async Task<IReadOnlyDictionary<string, string>> SettingsAsync() =>
        CoHostSettings.Fresh().With("SWITCHYARD_DATABASE_URL", await _database.CreateAsync());

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _database.DropAsync();
    }
}
