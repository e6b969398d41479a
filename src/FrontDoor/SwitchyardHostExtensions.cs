using Switchyard.FrontDoor.Admin;
using Switchyard.FrontDoor.Bootstrap;
using Switchyard.FrontDoor.Endpoints;
using Switchyard.FrontDoor.Http;
using Switchyard.FrontDoor.State;
using Switchyard.FrontDoor.Telemetry;
using Switchyard.Embeddings;
using Switchyard.Gateway;
using Switchyard.Gateway.Caching;
using Switchyard.Gateway.Logging;

namespace Switchyard.FrontDoor;

public static class SwitchyardHostExtensions
{
    /// <summary>Registers the gateway and binds its options from <c>Switchyard:Gateway</c>, with the local embedding model for the semantic cache.</summary>
    public static WebApplicationBuilder AddSwitchyard(this WebApplicationBuilder builder)
    {
        // Console only: the default Debug and EventSource providers cost CPU on every request for logs nobody reads in
        // production. Hosting's request-start/finish logs are off: while they are enabled, ASP.NET Core creates an
        // Activity per request and HttpClient a child one with a traceparent header, about 2 KB of garbage per call
        // (docs/performance.md). Request logs are the gateway's own; an ActivitySource listener (tracing) still gets them.
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole();
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        builder.Services.AddOptions<GatewayOptions>().Bind(builder.Configuration.GetSection(GatewayOptions.Section));
        builder.Services.AddOptions<SemanticCacheOptions>().Bind(builder.Configuration.GetSection(SemanticCacheOptions.Section));
        builder.Services.AddSwitchyardGateway();
        var logs = builder.Configuration.GetSection(RequestLogOptions.Section);
        if (logs.GetValue(nameof(RequestLogOptions.Enabled), defaultValue: true))
        {
            builder.Services.AddOptions<RequestLogOptions>().Bind(logs);
            builder.Services.AddRequestLogging();
        }
        builder.Services.AddLocalTextEmbedder();
        builder.Services.AddOptions<HostOptions>().Configure<Microsoft.Extensions.Options.IOptions<GatewayOptions>>(
            (host, gateway) => host.ShutdownTimeout = gateway.Value.DrainTimeout);
        builder.Services.AddSingleton<Readiness>();
        builder.Services.AddHostedService<Alerts.BudgetAlertDelivery>();
        builder.AddSwitchyardState();
        builder.AddSwitchyardCluster();
        builder.AddSwitchyardAdmin();
        builder.AddSwitchyardBootstrap();
        builder.AddSwitchyardTelemetry();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // The gateway enforces its own (configurable) body limit with a 413 in its error shape.
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.AddServerHeader = false;
        });
        return builder;
    }

    /// <summary>Maps the public API, health probes and the JSON 404/405 answers.</summary>
    public static WebApplication MapSwitchyard(this WebApplication app)
    {
        app.UseMiddleware<UnmatchedRouteMiddleware>();
        app.MapHealthEndpoints();
        app.MapSwitchyardMetrics();
        app.MapOpenAiEndpoints();
        app.MapAnthropicEndpoints();
        app.MapSwitchyardAdmin();
        return app;
    }
}
