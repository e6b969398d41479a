using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchyard.State;

namespace Switchyard.Cluster;

/// <summary>
/// Brings the schema up to date before the rest of the host starts (<c>Switchyard:State:MigrateOnStart</c>, default true),
/// or, where a migration job owns the schema (false), waits until it has reached the version this build needs. Orleans'
/// membership and grain-state tables come with the schema, so a silo or client must start after this.
/// </summary>
public sealed partial class SchemaGate(IStateMigrator migrator, IConfiguration configuration, TimeProvider time, ILogger<SchemaGate> logger) : IHostedService
{
    public const string MigrateOnStartSetting = "Switchyard:State:MigrateOnStart";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (configuration.GetValue(MigrateOnStartSetting, true))
        {
            LogSchema(logger, await migrator.MigrateAsync(cancellationToken));
            return;
        }

        while (true)
        {
            var version = await migrator.CurrentVersionAsync(cancellationToken);
            if (version >= migrator.RequiredVersion)
            {
                LogSchema(logger, version);
                return;
            }

            LogWaiting(logger, version, migrator.RequiredVersion);
            await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "State schema at version {Version}")]
    private static partial void LogSchema(ILogger logger, int version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "State schema at version {Version}, this build needs {Required}: waiting for the migration job")]
    private static partial void LogWaiting(ILogger logger, int version, int required);
}
