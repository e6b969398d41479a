namespace Switchyard.FrontDoor.Tests.Infrastructure;

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
