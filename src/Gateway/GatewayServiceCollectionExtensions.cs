using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Switchyard.Gateway.Execution;
using Switchyard.Gateway.Health;
using Switchyard.Gateway.Pipeline;
using Switchyard.Gateway.Streaming;
using Switchyard.Gateway.Upstream;
using Switchyard.Providers;
using Switchyard.Providers.Catalog;

namespace Switchyard.Gateway;

public static class GatewayServiceCollectionExtensions
{
    /// <summary>Adds the data path: the pipeline, routing, the upstream client and the provider catalog. Bind <see cref="GatewayOptions"/> before or after.</summary>
    public static IServiceCollection AddSwitchyardGateway(this IServiceCollection services)
    {
        services.AddOptions<GatewayOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GatewayOptions>, GatewayOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(ProviderCatalog.Default);
        services.TryAddSingleton(ProviderAdapters.Default);
        services.TryAddSingleton(sp => new CustomHostPolicy(sp.GetRequiredService<IOptions<GatewayOptions>>().Value.TrustedHosts));
        services.TryAddSingleton<UpstreamClient>();
        services.TryAddSingleton<CircuitBreakers>();
        services.TryAddSingleton<TargetInvoker>();
        services.TryAddSingleton<TargetRequestFactory>();
        services.TryAddSingleton<RoutePlanner>();
        services.TryAddSingleton<RouteExecutor>();
        services.TryAddSingleton<StreamRelay>();
        services.TryAddSingleton<ResponseWriter>();
        services.TryAddSingleton<TokenCounter>();
        services.TryAddSingleton<Security.KeyDirectory>();
        services.TryAddSingleton<Security.Authenticator>();
        services.TryAddSingleton(sp => new Admission.ModelPrices(ModelCatalog.Default));
        services.TryAddSingleton<Admission.BudgetAlerts>();
        services.TryAddSingleton<Admission.KeyLedger>();
        services.TryAddSingleton(sp => new Security.VirtualKeyResolver(
            sp.GetRequiredService<Security.KeyDirectory>(), () => sp.GetService<Security.SecretVault>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new GatewayPipeline(
            sp.GetRequiredService<Security.Authenticator>(), sp.GetRequiredService<Admission.KeyLedger>(),
            sp.GetRequiredService<RoutePlanner>(), sp.GetRequiredService<RouteExecutor>(), sp.GetRequiredService<ResponseWriter>(), sp.GetRequiredService<TokenCounter>(), sp.GetServices<ICallObserver>()));
        return services;
    }
}
