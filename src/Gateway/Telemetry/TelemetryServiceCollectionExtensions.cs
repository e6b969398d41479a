using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Switchyard.Gateway.Health;
using Switchyard.Gateway.Pipeline;

namespace Switchyard.Gateway.Telemetry;

public static class TelemetryServiceCollectionExtensions
{
    /// <summary>
    /// Adds the gateway's metrics (<see cref="GatewayTelemetry.MeterName"/>) and the observer that records every call on
    /// them. The host exports them (and enables <see cref="GatewayTelemetry.ActivitySourceName"/> for spans); options
    /// bind from <see cref="TelemetryOptions.Section"/>. The host provides <see cref="System.Diagnostics.Metrics.IMeterFactory"/>
    /// (every .NET host does), and may register an <see cref="IQuotaGauge"/> and an <see cref="ILogQueueGauge"/> first.
    /// </summary>
    public static IServiceCollection AddGatewayTelemetry(this IServiceCollection services)
    {
        services.AddOptions<TelemetryOptions>().Validate(options =>
        {
            options.Validate();
            return true;
        }).ValidateOnStart();
        services.TryAddSingleton(sp => new GatewayMetrics(
            sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
            sp.GetRequiredService<CircuitBreakers>(),
            sp.GetService<IQuotaGauge>(),
            sp.GetService<ILogQueueGauge>()));
        services.TryAddSingleton<CallMetrics>();
        services.AddSingleton<ICallObserver>(sp => sp.GetRequiredService<CallMetrics>());
        return services;
    }
}
