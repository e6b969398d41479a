using Switchyard.State;
using Switchyard.State.Embedded;
using Switchyard.State.Postgres;

namespace Switchyard.FrontDoor.State;

/// <summary>Settings of the state store, bound from <c>Switchyard:State</c>.</summary>
public sealed class StateOptions
{
    public const string Section = "Switchyard:State";

    /// <summary>The embedded store's SQLite file, relative to the content root. Default <c>.data/switchyard.db</c>.</summary>
    public string DataPath { get; set; } = EmbeddedState.DefaultDatabasePath;

    /// <summary>How often the in-memory key directory reloads from the store as a safety net. Default 5 s.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Migrate the schema at start-up (default true). A cluster whose migrations run as a separate job (the chart's
    /// pre-install/pre-upgrade hook, with a more privileged role) sets false: a replica then waits, not ready, until
    /// the schema has reached the version it needs.
    /// </summary>
    public bool MigrateOnStart { get; set; } = true;
}

public static class StateHostExtensions
{
    /// <summary>
    /// The catalog store: PostgreSQL when <c>SWITCHYARD_DATABASE_URL</c> (or <c>_FILE</c>) is set (an Npgsql connection
    /// string or a <c>postgres://</c> URL), else the embedded SQLite file. Its schema is migrated (or awaited) at start-up
    /// before anything else starts, Orleans included, and the store is closed at shutdown.
    /// </summary>
    internal static WebApplicationBuilder AddSwitchyardState(this WebApplicationBuilder builder)
    {
        if (Switchyard.Cluster.DatabaseUrl.Read(builder.Configuration) is { } databaseUrl)
        {
            builder.Services.AddPostgresState(databaseUrl);

            // A cluster is multi-tenant: no keyless requests, whatever the settings say.
            builder.Services.PostConfigure<Switchyard.Gateway.GatewayOptions>(options => options.RequireApiKey = true);
        }
        else
        {
            builder.Services.AddEmbeddedState(EmbeddedDatabasePath(builder));
        }

        builder.Services.AddHostedService<Switchyard.Cluster.SchemaGate>();
        builder.Services.AddHostedService<DefaultWorkspace>();
        builder.Services.AddHostedService<KeyDirectoryRefresh>();
        builder.Services.AddHostedService<ChangePropagation>();
        return builder;
    }

    /// <summary>The embedded store's SQLite file (<c>Switchyard:State:DataPath</c> under the content root).</summary>
    internal static string EmbeddedDatabasePath(WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(StateOptions.Section).Get<StateOptions>() ?? new StateOptions();
        return Path.Combine(builder.Environment.ContentRootPath, options.DataPath);
    }

    /// <summary>Runs the migrations without starting the server; returns the process exit code.</summary>
    public static async Task<int> MigrateStateAsync(this WebApplication app)
    {
        var migrator = app.Services.GetRequiredService<IStateMigrator>();
        var version = await migrator.MigrateAsync(CancellationToken.None);
        app.Logger.LogInformation("State schema migrated to version {Version} (required {Required})", version, migrator.RequiredVersion);
        // A newer schema (a newer build migrated first) is fine: every change is additive, so this build still runs on it.
        return version >= migrator.RequiredVersion ? 0 : 1;
    }
}

/// <summary>
/// Where keyless calls are allowed (the embedded default), makes sure the workspace they belong to exists once the schema
/// is migrated, so a first try can use virtual keys, saved configs and limits without creating a key.
/// </summary>
internal sealed class DefaultWorkspace(
    IKeyStore keys,
    Microsoft.Extensions.Options.IOptions<Switchyard.Gateway.GatewayOptions> gateway,
    TimeProvider time) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (gateway.Value.RequireApiKey)
        {
            return;
        }

        const string slug = Switchyard.Gateway.Security.KeyDirectory.DefaultWorkspaceSlug;
        if (await keys.GetWorkspaceAsync(slug, cancellationToken) is not null)
        {
            return;
        }

        var now = time.GetUtcNow();
        try
        {
            await keys.AddWorkspaceAsync(
                new Workspace("ws-default", slug, "Default", "Keyless calls on the embedded default belong here.", new Dictionary<string, string>(), Limits.None, false, now, now),
                cancellationToken);
        }
        catch (StateConflictException)
        {
            // Created meanwhile by another process on the same file: it exists, which is all that matters.
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>
/// Loads the key directory once the schema is migrated (hosted services start in order, so before the server takes
/// requests) and reloads it every <see cref="StateOptions.RefreshInterval"/>.
/// </summary>
internal sealed partial class KeyDirectoryRefresh(Switchyard.Gateway.Security.KeyDirectory directory, IConfiguration configuration, TimeProvider time, ILogger<KeyDirectoryRefresh> logger)
    : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await directory.RefreshAsync(time, cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = (configuration.GetSection(StateOptions.Section).Get<StateOptions>() ?? new StateOptions()).RefreshInterval;
        using var timer = new PeriodicTimer(interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await directory.RefreshAsync(time, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The last good directory keeps serving; the next tick tries again.
                LogRefreshFailed(logger, ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reloading the key directory failed; serving the last one")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}
