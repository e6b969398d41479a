using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Switchyard.Gateway.Pipeline;

namespace Switchyard.Gateway.Logging;

public static class RequestLoggingServiceCollectionExtensions
{
    /// <summary>
    /// Adds the request log: the observer that records every call, the queue and the background writer and retention.
    /// Bind <see cref="RequestLogOptions"/> before or after; call it only when logging is enabled (nothing of it is
    /// registered otherwise). The <see cref="State.IRequestLogStore"/> comes from the state backend.
    /// </summary>
    public static IServiceCollection AddRequestLogging(this IServiceCollection services)
    {
        services.AddOptions<RequestLogOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RequestLogOptions>, RequestLogOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new RequestLogQueue(sp.GetRequiredService<IOptions<RequestLogOptions>>()));
        services.TryAddSingleton<RequestLogging>();

        // After settlement by construction: the pipeline settles a call before it tells observers, so the cost is known.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICallObserver, RequestLogging>(sp => sp.GetRequiredService<RequestLogging>()));
        services.AddSingleton<IHostedService, RequestLogWriter>();
        services.AddSingleton<IHostedService, LogRetention>();
        return services;
    }
}
