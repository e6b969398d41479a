using Switchyard.FrontDoor.Observability;

namespace Switchyard.FrontDoor.Admin;

/// <summary>Marks the admin API's routes (the OpenAPI document must describe exactly these).</summary>
internal sealed record AdminApiRoute;

/// <summary>Registers and maps the admin (control-plane) API: Portkey's workspaces, API keys, virtual keys and configs.</summary>
public static class AdminHostExtensions
{
    /// <summary>The admin token, the master-key vault (see <see cref="AdminVault"/>) and the config rules.</summary>
    public static WebApplicationBuilder AddSwitchyardAdmin(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var contentRoot = builder.Environment.ContentRootPath;
        builder.Services.AddSingleton(sp => AdminToken.FromConfiguration(configuration));
        builder.Services.AddSingleton(sp => AdminVault.Create(configuration, contentRoot));
        builder.Services.AddSingleton<ConfigRules>();
        builder.Services.AddSingleton<AdminAudit>();
        builder.Services.AddSingleton<AdminUsage>();
        builder.Services.AddSingleton<AdminLimits>();
        builder.Services.AddSwitchyardObservabilityApi();
        return builder;
    }

    /// <summary>Maps every admin route under <c>/v1</c>, each behind the admin token.</summary>
    public static IEndpointRouteBuilder MapSwitchyardAdmin(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/v1")
            .WithMetadata(new AdminApiRoute())
            .AddEndpointFilter<AdminAuthenticationFilter>()
            .AddEndpointFilter<StateConflictFilter>()
            .AddEndpointFilter<KeyDirectoryRefreshFilter>();
        admin.MapWorkspaceEndpoints();
        admin.MapApiKeyEndpoints();
        admin.MapVirtualKeyEndpoints();
        admin.MapConfigEndpoints();
        admin.MapAuditLogEndpoints();
        admin.MapCacheEndpoints();
        admin.MapObservabilityEndpoints();
        app.MapExportFile();
        app.MapAdminOpenApi();
        return app;
    }
}
