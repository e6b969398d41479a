using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Switchyard.Grains.Caching;

/// <summary>
/// Deletes the stored rows of expired cache entries in the background, in every silo: the grain storage keeps no
/// expiry of its own, and an entry nobody reads again would otherwise stay forever. Every
/// <see cref="ResponseCacheOptions.SweepInterval"/> it asks the directory for the workspaces holding entries (only one
/// silo an interval gets them) and sweeps each workspace's grain in turn.
/// </summary>
internal sealed partial class CacheSweep(IGrainFactory grains, IOptions<ResponseCacheOptions> options, TimeProvider time, ILogger<CacheSweep> logger)
    : IHostedService, IDisposable
{
    private readonly TimeSpan _interval = options.Value.SweepInterval;
    private readonly CancellationTokenSource _stopping = new();
    private ITimer? _timer;
    private Task _round = Task.CompletedTask;
    private int _busy;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _timer = time.CreateTimer(static self => ((CacheSweep)self!).OnTick(), this, _interval, _interval);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        await _stopping.CancelAsync();
        try
        {
            await _round.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The host stops waiting; the round's grain calls end with the silo.
        }
    }

    public void Dispose()
    {
        _timer?.Dispose();
        _stopping.Dispose();
    }

    /// <summary>One round: claims the sweep and sweeps every workspace holding entries; returns how many rows were deleted.</summary>
    internal async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var workspaces = await grains.GetGrain<ICacheDirectoryGrain>(ICacheDirectoryGrain.Key).ClaimSweepAsync(_interval);
        var deleted = 0;
        foreach (var workspaceId in workspaces)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                deleted += await grains.GetGrain<ICacheWorkspaceGrain>(workspaceId).SweepAsync();
            }
            catch (Exception ex)
            {
                LogWorkspaceFailed(logger, workspaceId, ex);
            }
        }

        if (deleted > 0)
        {
            LogSwept(logger, deleted, workspaces.Length);
        }

        return deleted;
    }

    private void OnTick()
    {
        // A round still running (a big sweep, a slow silo) lets this tick pass.
        if (Interlocked.CompareExchange(ref _busy, 1, 0) == 0)
        {
            _round = RunAsync();
        }
    }

    private async Task RunAsync()
    {
        try
        {
            await SweepAsync(_stopping.Token);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            LogRoundFailed(logger, ex);
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cache sweep: deleted {Count} expired entries of {Workspaces} workspaces")]
    private static partial void LogSwept(ILogger logger, int count, int workspaces);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cache sweep: workspace {WorkspaceId} could not be swept; it is tried again next round")]
    private static partial void LogWorkspaceFailed(ILogger logger, string workspaceId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cache sweep: the round failed; the next one tries again")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);
}
