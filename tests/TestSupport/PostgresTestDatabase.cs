using Npgsql;

namespace Switchyard.Testing;

/// <summary>
/// A database of its own on the test run's PostgreSQL (the server SWITCHYARD_TEST_DATABASE_URL names; tests/start-postgres.sh
/// starts one and test.sh runs it), created for one fixture or test class and dropped after it, so tests running in
/// parallel never meet.
/// </summary>
public sealed class PostgresTestDatabase : IAsyncDisposable
{
    public const string ServerVariable = "SWITCHYARD_TEST_DATABASE_URL";

    private string? _name;

    /// <summary>Connects to this database; empty until <see cref="CreateAsync"/>.</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>The test run's server, as a connection string to its default database.</summary>
    public static string Server
    {
        get
        {
            var server = Environment.GetEnvironmentVariable(ServerVariable);
            if (string.IsNullOrWhiteSpace(server))
            {
                throw new InvalidOperationException(
                    $"{ServerVariable} is not set: run the tests with ./test.sh, or start a throwaway server with: eval \"$(tests/start-postgres.sh)\"");
            }

            return server;
        }
    }

    /// <summary>Creates the database (empty: no schema) and returns its connection string.</summary>
    public async Task<string> CreateAsync()
    {
        // A generated name, so it can go into DDL (identifiers cannot be parameters).
        var name = $"sy_test_{Guid.NewGuid():N}";
        await ExecuteOnServerAsync($"CREATE DATABASE {name}");
        _name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(Server) { Database = name }.ConnectionString;
        return ConnectionString;
    }

    /// <summary>Drops the database if it was created; once only.</summary>
    public async Task DropAsync()
    {
        if (_name is null)
        {
            return;
        }

        // FORCE ends any connection a test left open (a LISTEN, a pool not yet closed).
        await ExecuteOnServerAsync($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)");
        _name = null;
    }

    public ValueTask DisposeAsync() => new(DropAsync());

    private static async Task ExecuteOnServerAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
