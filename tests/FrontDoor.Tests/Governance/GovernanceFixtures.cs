using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Switchyard.FrontDoor.Tests.Infrastructure;

namespace Switchyard.FrontDoor.Tests.Governance;

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

/// <summary>The same gateway on PostgreSQL: a database of its own on the test server, dropped afterwards.</summary>
public sealed class PostgresGovernanceFixture : GovernanceFixture
{
    private readonly PostgresTestDatabase _database = new();

    public override string StoreName => "postgres";

    protected override async Task<IReadOnlyDictionary<string, string>> SettingsAsync() =>
        new Dictionary<string, string>(await base.SettingsAsync()).With(CoHostSettings.Fresh()).With("SWITCHYARD_DATABASE_URL", await _database.CreateAsync());

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _database.DropAsync();
    }
}
