using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Switchyard.Gateway.Pipeline;
using Switchyard.State;

namespace Switchyard.Gateway.Logging;

public static class RequestLoggingServiceCollectionExtensions
{
    /// <summary>
    /// Adds the request log: the observer that records every call, the queue and the background writer and retention.
    /// Bind <see cref="RequestLogOptions"/> before or after; call it only when logging is enabled (nothing of it is
    /// registered otherwise). The <see cref="IRequestLogStore"/> comes from the state backend.
    /// </summary>
    public static IServiceCollection AddRequestLogging(this IServiceCollection services)
    {
        services.AddOptions<RequestLogOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RequestLogOptions>, RequestLogOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new RequestLogQueue(sp.GetRequiredService<IOptions<RequestLogOptions>>())
        {
            Open = sp.GetService<IRequestLogStore>() is not null,
        });
        services.TryAddSingleton<Telemetry.ILogQueueGauge>(sp => sp.GetRequiredService<RequestLogQueue>());
        services.TryAddSingleton<RequestLogging>();

        // After settlement by construction: the pipeline settles a call before it tells observers, so the cost is known.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICallObserver, RequestLogging>(sp => sp.GetRequiredService<RequestLogging>()));
        // Without a store (a host whose state backend registers none) there is nothing to write or trim.
        services.AddSingleton<IHostedService>(sp => sp.GetService<IRequestLogStore>() is { } store
            ? ActivatorUtilities.CreateInstance<RequestLogWriter>(sp, store)
            : new NoLogStore());
        services.AddSingleton<IHostedService>(sp => sp.GetService<IRequestLogStore>() is { } store
            ? ActivatorUtilities.CreateInstance<LogRetention>(sp, store)
            : new NoLogStore());
        return services;
    }
}

/// <summary>Stands in for the writer and retention when the host has no request-log store: nothing to do.</summary>
internal sealed class NoLogStore : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
