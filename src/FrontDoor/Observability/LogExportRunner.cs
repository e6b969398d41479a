using System.Text.Json;
using Switchyard.State;

namespace Switchyard.FrontDoor.Observability;

/// <summary>
/// Runs a started export: counts what it holds (records created up to its pinned instant) in the background, then
/// marks it <c>success</c>, or <c>failed</c> when the count fails. The file itself is never stored; a download streams
/// the same records again (<see cref="ExportFile"/>), so any front door can serve it.
/// </summary>
internal sealed partial class LogExportRunner(IHostApplicationLifetime lifetime, TimeProvider time, ILogger<LogExportRunner> logger)
{
    public void Start(IRequestLogStore store, LogExport export)
    {
        var stopping = lifetime.ApplicationStopping;
        _ = Task.Run(() => RunAsync(store, export, stopping), CancellationToken.None);
    }

    private async Task RunAsync(IRequestLogStore store, LogExport export, CancellationToken cancellationToken)
    {
        string status;
        long? total = null;
        try
        {
            total = await store.CountAsync(SearchOf(export), cancellationToken);
            status = LogExportStatus.Success;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogExportFailed(logger, export.Id, ex);
            status = LogExportStatus.Failed;
        }
        catch (OperationCanceledException)
        {
            return;
        }

        try
        {
            // A cancel that came in meanwhile wins: only an export still in progress is finished.
            var current = await store.GetExportAsync([export.WorkspaceId], export.Id, cancellationToken);
            if (current is { Status: LogExportStatus.InProgress } && current.PinnedAt == export.PinnedAt)
            {
                await store.UpdateExportAsync(current with { Status = status, Total = total, UpdatedAt = time.GetUtcNow() }, cancellationToken);
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogExportFailed(logger, export.Id, ex);
        }
    }

    /// <summary>The records an export holds: its filters, its workspace, created before it was pinned.</summary>
    public static LogSearch SearchOf(LogExport export)
    {
        using var document = JsonDocument.Parse(export.FiltersJson);
        var search = LogFilters.FromJson(document.RootElement).ToSearch(paged: false);
        var to = export.PinnedAt is { } pinned && (search.To is null || search.To > pinned) ? pinned : search.To;
        return search with { WorkspaceIds = [export.WorkspaceId], To = to };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Log export {ExportId} failed")]
    private static partial void LogExportFailed(ILogger logger, string exportId, Exception exception);
}
