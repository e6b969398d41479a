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
