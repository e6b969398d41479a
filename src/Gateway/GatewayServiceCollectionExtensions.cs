using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Switchyard.Gateway.Admission;
using Switchyard.Gateway.Answer;
using Switchyard.Gateway.Caching;
using Switchyard.Gateway.Health;
using Switchyard.Gateway.Intake;
using Switchyard.Gateway.Pipeline;
using Switchyard.Gateway.Routing;
using Switchyard.Gateway.Security;
using Switchyard.Gateway.Settlement;
using Switchyard.Gateway.Targets;
using Switchyard.Gateway.Tokens;
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
        services.AddOptions<SemanticCacheOptions>().Validate(options =>
        {
            options.Validate();
            return true;
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GatewayOptions>, GatewayOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(ProviderCatalog.Default);
        services.TryAddSingleton(ProviderAdapters.Default);
        services.TryAddSingleton(sp => new CustomHostPolicy(sp.GetRequiredService<IOptions<GatewayOptions>>().Value.TrustedHosts));
        services.TryAddSingleton<UpstreamClient>();
        services.TryAddSingleton<CircuitBreakers>();
        services.TryAddSingleton<RequestIntake>();
        services.TryAddSingleton<KeyDirectory>();
        services.TryAddSingleton<Authenticator>();
        services.TryAddSingleton(sp => new VirtualKeyResolver(
            sp.GetRequiredService<KeyDirectory>(), () => sp.GetService<SecretVault>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<RoutePlanner>();
        services.TryAddSingleton(sp => new ModelPrices(ModelCatalog.Default));
        services.TryAddSingleton<QuotaHolds>();
        services.TryAddSingleton<RateAdmission>();
        services.TryAddSingleton<TargetRequestFactory>();
        services.TryAddSingleton<RoutedTextEmbedder>();
        services.TryAddSingleton(sp => new ResponseCaching(
            sp.GetService<State.IResponseCache>(), sp.GetService<ITextEmbedder>(), sp.GetRequiredService<RoutedTextEmbedder>(), sp.GetRequiredService<IOptions<GatewayOptions>>(),
            sp.GetRequiredService<IOptions<SemanticCacheOptions>>().Value, sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<ResponseCaching>>()));
        services.TryAddSingleton<SpendReservation>();
        services.TryAddSingleton<TargetInvoker>();
        services.TryAddSingleton<CachedAnswerWriter>();
        services.TryAddSingleton<StreamRelay>();
        services.TryAddSingleton<ResponseWriter>();
        services.TryAddSingleton<TokenCounter>();
        services.TryAddSingleton<BudgetAlerts>();
        services.TryAddSingleton<CallSettlement>();
        services.TryAddSingleton(sp => new GatewayPipeline(
            sp.GetRequiredService<RequestIntake>(), sp.GetRequiredService<Authenticator>(), sp.GetRequiredService<RoutePlanner>(),
            sp.GetRequiredService<RateAdmission>(), sp.GetRequiredService<TargetRequestFactory>(), sp.GetRequiredService<ResponseCaching>(),
            sp.GetRequiredService<SpendReservation>(),
            sp.GetRequiredService<TargetInvoker>(), sp.GetRequiredService<ResponseWriter>(), sp.GetRequiredService<TokenCounter>(),
            sp.GetRequiredService<CallSettlement>(), sp.GetServices<ICallObserver>(), sp.GetRequiredService<TimeProvider>()));
        return services;
    }
}
