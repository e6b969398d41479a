using Microsoft.Extensions.DependencyInjection;
using Switchyard.FrontDoor.Tests.Infrastructure;
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
    private readonly PostgresTestDatabase _database = new();
    private string _url = "";

    public async Task InitializeAsync() => _url = await _database.CreateAsync();

    public Task DisposeAsync() => _database.DropAsync();

    [Fact]
    public async Task Startup_DatabaseUrl_MigratesPostgresBeforeServing()
    {
        var url = _url;
        await using var factory = new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("SWITCHYARD_DATABASE_URL", url);
            foreach (var (name, value) in CoHostSettings.Fresh())
            {
                builder.UseSetting(name, value);
            }

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

/// <summary>With <c>MigrateOnStart=false</c> a replica waits for a migration job instead of migrating itself.</summary>
public sealed class MigrationJobStartupTests : IAsyncLifetime
{
    private readonly PostgresTestDatabase _database = new();
    private string _url = "";

    public async Task InitializeAsync() => _url = await _database.CreateAsync();

    public Task DisposeAsync() => _database.DropAsync();

    [Fact]
    public async Task Startup_MigrateOnStartOff_WaitsUntilTheJobHasMigrated()
    {
        await using var factory = new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("SWITCHYARD_DATABASE_URL", _url);
            foreach (var (name, value) in CoHostSettings.Fresh())
            {
                builder.UseSetting(name, value);
            }

            builder.UseSetting("Switchyard:State:MigrateOnStart", "false");
        });
        factory.UseKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, 0));
        var starting = Task.Run(factory.StartServer);

        // Still waiting: the schema is empty.
        await Task.Delay(1500);
        Assert.False(starting.IsCompleted);

        await using (var stores = Switchyard.State.Postgres.PostgresState.Open(_url))
        {
            await stores.Migrator.MigrateAsync(default);
        }

        await starting.WaitAsync(TimeSpan.FromSeconds(15));
        using var client = factory.CreateClient();
        using var ready = await client.GetAsync("/ready");
        Assert.Equal(System.Net.HttpStatusCode.OK, ready.StatusCode);
    }
}
