using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Switchyard.FrontDoor.Tests.Infrastructure;

namespace Switchyard.FrontDoor.Tests.DataPath;

public sealed class ShutdownSettingsTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Fact]
    public void DrainTimeout_IsTheHostsShutdownTimeout()
    {
        Assert.Equal(TimeSpan.FromSeconds(30), fixture.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
    }
}
