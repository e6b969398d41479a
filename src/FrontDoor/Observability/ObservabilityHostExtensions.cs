namespace Switchyard.FrontDoor.Observability;

/// <summary>Registers and maps the observability API: logs, traces, exports, feedback and analytics (docs/observability.md).</summary>
internal static class ObservabilityHostExtensions
{
    public static IServiceCollection AddSwitchyardObservabilityApi(this IServiceCollection services)
    {
        services.AddSingleton<RequestLogAccess>();
        services.AddSingleton<ExportLinks>();
        services.AddSingleton<LogExportRunner>();
        return services;
    }

    /// <summary>The routes behind the admin filters, under the admin group.</summary>
    public static RouteGroupBuilder MapObservabilityEndpoints(this RouteGroupBuilder admin)
    {
        admin.MapLogEndpoints();
        admin.MapExportEndpoints();
        admin.MapFeedbackEndpoints();
        admin.MapAnalyticsEndpoints();
        return admin;
    }
}
