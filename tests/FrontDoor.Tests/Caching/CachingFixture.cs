using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Switchyard.FrontDoor.Tests.Infrastructure;
using Switchyard.State;

namespace Switchyard.FrontDoor.Tests.Caching;

/// <summary>A gateway on the embedded default whose clock tests can move, so entries expire without waiting.</summary>
public sealed class CachingFixture : GatewayFixture
{
    public ShiftedClock Clock { get; } = new();

    /// <summary>The front door's cache, for waiting until stored answers have reached the grains.</summary>
    public IResponseCache Cache => Services.GetRequiredService<IResponseCache>();

    protected override void ConfigureServices(IServiceCollection services) => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Clock));
}
