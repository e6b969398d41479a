using Microsoft.Extensions.DependencyInjection;
using Switchyard.FrontDoor.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Switchyard.State;

namespace Switchyard.FrontDoor.Tests.DataPath;

public sealed class StateStartupTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task Startup_EmbeddedDefault_MigratesTheSqliteFileBeforeServing()
    {
        var migrator = fixture.Services.GetRequiredService<IStateMigrator>();

        Assert.Equal(migrator.RequiredVersion, await migrator.CurrentVersionAsync(default));
        Assert.True(File.Exists(Path.Combine(fixture.DataFolder, "switchyard.db")));
    }
}

/// <summary>With <c>SWITCHYARD_DATABASE_URL</c> the FrontDoor runs on PostgreSQL and migrates it at start-up.</summary>
public sealed class PostgresStartupTests : IAsyncLifetime
{
    private readonly string _database = $"sy_frontdoor_{Guid.NewGuid():N}";
    private string _admin = "";

    public async Task InitializeAsync()
    {
        _admin = Environment.GetEnvironmentVariable("SWITCHYARD_TEST_DATABASE_URL")
            ?? throw new InvalidOperationException("SWITCHYARD_TEST_DATABASE_URL is not set: run the tests with ./test.sh, which starts PostgreSQL (tests/start-postgres.sh).");
        await using var connection = new Npgsql.NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await using var create = new Npgsql.NpgsqlCommand($"CREATE DATABASE {_database}", connection);
        await create.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        await using var connection = new Npgsql.NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await using var drop = new Npgsql.NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task Startup_DatabaseUrl_MigratesPostgresBeforeServing()
    {
        var url = new Npgsql.NpgsqlConnectionStringBuilder(_admin) { Database = _database }.ConnectionString;
        await using var factory = new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("SWITCHYARD_DATABASE_URL", url);
            builder.UseSetting("Switchyard:State:DataPath", Path.Combine(Path.GetTempPath(), $"unused-{Guid.NewGuid():N}", "x.db"));
        });
        factory.UseKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, 0));
        factory.StartServer();
        using var client = factory.CreateClient();

        using var ready = await client.GetAsync("/ready");
        var migrator = factory.Services.GetRequiredService<IStateMigrator>();

        Assert.Equal(System.Net.HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("PostgresMigrator", migrator.GetType().Name);
        Assert.Equal(migrator.RequiredVersion, await migrator.CurrentVersionAsync(default));

        // On PostgreSQL the gateway is multi-tenant: a request without a Switchyard key is refused.
        using var keyless = await client.PostAsync("/v1/chat/completions", new StringContent("""{"model":"m","messages":[]}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, keyless.StatusCode);
    }
}
