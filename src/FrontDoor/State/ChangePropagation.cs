using Switchyard.Gateway.Security;
using Switchyard.State;

namespace Switchyard.FrontDoor.State;

/// <summary>
/// Brings another replica's admin change (a key revoked, a budget raised, a config saved, a secret rotated) to this
/// replica within a second: every notice from the <see cref="IChangeFeed"/> reloads the key directory (the feed folds a
/// burst into one notice). The periodic refresh (<see cref="KeyDirectoryRefresh"/>) stays as the safety net. Nothing to
/// do on the embedded store, whose one process sees its own writes.
/// </summary>
internal sealed partial class ChangePropagation(IServiceProvider services, KeyDirectory directory, TimeProvider time, ILogger<ChangePropagation> logger)
    : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        return services.GetService<IChangeFeed>() is { } feed
            ? feed.ListenAsync(change => ReloadAsync(change, stoppingToken), stoppingToken)
            : Task.CompletedTask;
    }

    private async Task ReloadAsync(StateChange? change, CancellationToken stoppingToken)
    {
        try
        {
            await directory.RefreshAsync(time, stoppingToken);
            LogReloaded(logger, change?.Kind ?? "everything", change?.Id ?? "");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogReloadFailed(logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Key directory reloaded after a change ({Kind} {Id})")]
    private static partial void LogReloaded(ILogger logger, string kind, string id);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reloading the key directory after a change failed; the periodic refresh will retry")]
    private static partial void LogReloadFailed(ILogger logger, Exception exception);
}
