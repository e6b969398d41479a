using Switchyard.Cluster;
using Switchyard.State.Postgres;

namespace Switchyard.Silo;

/// <summary>
/// The silo host: the virtual-key and provider-health grains of a cluster, membership and grain state in PostgreSQL.
/// It serves no public API, only <c>/health</c>, <c>/ready</c> and <c>/metrics</c> (<c>SiloTelemetry</c>) on its <c>--urls</c>. It never sees provider keys (the
/// front doors decrypt them), so it needs the database URL and nothing secret besides.
/// </summary>
internal static class SiloHostExtensions
{
    public static WebApplicationBuilder AddSwitchyardSilo(this WebApplicationBuilder builder)
    {
        var databaseUrl = DatabaseUrl.Read(builder.Configuration)
            ?? throw new InvalidOperationException(
                $"The silo needs the cluster's database: set {DatabaseUrl.Setting} (or {DatabaseUrl.FileSetting}). The embedded default runs its silo inside src/FrontDoor.");

        builder.Logging.ClearProviders();
        builder.Logging.AddConsole();
        // The silo reads the catalog only to migrate and to import an entity's old spend once: two connections do.
        builder.Services.AddPostgresState(databaseUrl, maxPoolSize: 2);
        builder.Services.AddSingleton<SiloReadiness>();

        // Hosted services start in order: the schema first (Orleans' tables come with it), then the silo, then readiness.
        builder.Services.AddHostedService<SchemaGate>();
        builder.UseOrleans(silo => silo.AddClusterSilo(builder.Configuration, databaseUrl));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SiloReadiness>());

        // Graceful shutdown hands the grains over (their state is already persisted); give it time.
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(30));
        return builder;
    }

    public static WebApplication MapSiloHealth(this WebApplication app)
    {
        app.MapGet("/health", () => Results.Ok(new { status = "ok" }));
        app.MapGet("/ready", (SiloReadiness readiness) => readiness.IsReady
            ? Results.Ok(new { status = "ready" })
            : Results.Json(new { status = "starting or stopping" }, statusCode: StatusCodes.Status503ServiceUnavailable));
        return app;
    }
}

/// <summary>Ready once the silo has joined the cluster (started after it), not ready from the moment shutdown begins.</summary>
internal sealed class SiloReadiness(IHostApplicationLifetime lifetime) : IHostedService
{
    private volatile bool _started;

    public bool IsReady => _started && !lifetime.ApplicationStopping.IsCancellationRequested;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _started = true;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
