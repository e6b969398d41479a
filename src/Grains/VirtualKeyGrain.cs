using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchyard.State;

namespace Switchyard.Grains;

/// <summary>
/// The quota authority of one governed entity (<see cref="IVirtualKeyGrain"/>): it decides with the numbers of
/// <see cref="VirtualKeyLedger"/>, writes them before it answers, and reclaims the leases of front doors that stopped
/// renewing, at every call and on a timer.
/// </summary>
internal sealed class VirtualKeyGrain : Grain, IVirtualKeyGrain
{
    private readonly IPersistentState<VirtualKeyLedger> _ledger;
    private readonly LeaseOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<VirtualKeyGrain> _logger;

    // Observers live only in memory: every exchange (at least once per lease lifetime) registers its holder again.
    private readonly Dictionary<string, SeenObserver> _observers = new(StringComparer.Ordinal);

    public VirtualKeyGrain(
        [PersistentState("ledger", GrainStorage.Name)] IPersistentState<VirtualKeyLedger> ledger,
        IOptions<LeaseOptions> options,
        ILogger<VirtualKeyGrain> logger)
    {
        _ledger = ledger;
        _options = options.Value;
        _options.Validate();
        _logger = logger;
        _time = ServiceProvider.GetService<TimeProvider>() ?? TimeProvider.System;
    }

    private string EntityKey => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        _ledger.State.ExtendHolders(now + _options.LeaseLifetime);

        // An entity whose spend predates grain quotas: its first activation carries the archived spend over, once.
        if (!_ledger.RecordExists && !_ledger.State.LegacySpendImported
            && ServiceProvider.GetService<ISettledSpendArchive>() is { } archive)
        {
            var (kind, entityId) = GovernedEntityKey.Parse(EntityKey);
            var rows = await archive.ReadAsync(kind, entityId, cancellationToken);
            _ledger.State.ImportSettledSpend(rows, now);
            await _ledger.WriteStateAsync();
            VirtualKeyGrainLog.Imported(_logger, EntityKey, rows.Count);
        }

        this.RegisterGrainTimer(MaintainAsync, new GrainTimerCreationOptions(_options.LeaseLifetime, _options.LeaseLifetime));
        await base.OnActivateAsync(cancellationToken);
    }

    public async Task<LeaseExchangeReply> ExchangeAsync(LeaseExchange exchange)
    {
        var now = _time.GetUtcNow();
        var outcome = _ledger.State.Exchange(exchange, now, _options);
        if (exchange.Holder is { } observer)
        {
            _observers[exchange.HolderId] = new SeenObserver(observer, now);
        }

        LogReclaimed(outcome.Reclaimed);
        if (outcome.Changed)
        {
            await PersistAsync();
        }

        return outcome.Reply;
    }

    public Task LimitsChangedAsync()
    {
        var now = _time.GetUtcNow();
        foreach (var (holderId, seen) in _observers.ToArray())
        {
            if (now - seen.At > _options.ObserverLifetime)
            {
                _observers.Remove(holderId);
                continue;
            }

            // Not awaited: this grain is not reentrant, and a dead front door's call only ends at the runtime's response
            // timeout; awaiting it would stall every exchange of the entity for that long.
            _ = NotifyAsync(holderId, seen.Observer);
        }

        return Task.CompletedTask;
    }

    // Neither [ReadOnly] nor interleaving: a usage read reclaims expired leases first, and writes when it did.
    public async Task<QuotaStanding[]> UsageAsync()
    {
        var reclaimed = _ledger.State.Reclaim(_time.GetUtcNow(), _options);
        LogReclaimed(reclaimed);
        if (reclaimed.Leases > 0)
        {
            await PersistAsync();
        }

        return _ledger.State.Usage();
    }

    private async Task MaintainAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        foreach (var (holderId, seen) in _observers.ToArray())
        {
            if (now - seen.At > _options.ObserverLifetime)
            {
                _observers.Remove(holderId);
            }
        }

        var reclaimed = _ledger.State.Reclaim(now, _options);
        LogReclaimed(reclaimed);
        var pruned = _ledger.State.Prune(now, _options);
        if (reclaimed.Leases > 0 || pruned)
        {
            try
            {
                await PersistAsync();
            }
            catch (Exception)
            {
                // Logged by PersistAsync and the state reloaded; the next tick or call reclaims again.
            }
        }
    }

    /// <summary>
    /// Writes the ledger. When the write fails nothing unwritten may survive in memory (a grant the caller never got
    /// must not stay counted, nor one it may get again on retry be counted twice), so the stored state is read back,
    /// keeping only the renewals seen, and the failure goes to the caller.
    /// </summary>
    private async Task PersistAsync()
    {
        try
        {
            await _ledger.WriteStateAsync();
        }
        catch (Exception writeFailure)
        {
            VirtualKeyGrainLog.WriteFailed(_logger, writeFailure, EntityKey);
            await ReloadAsync();
            throw;
        }
    }

    private async Task ReloadAsync()
    {
        var renewals = _ledger.State.Renewals();
        try
        {
            await _ledger.ReadStateAsync();
        }
        catch (Exception readFailure)
        {
            // The memory holds unwritten changes and storage cannot be read: a fresh activation reads it when it can.
            VirtualKeyGrainLog.ReloadFailed(_logger, readFailure, EntityKey);
            DeactivateOnIdle();
            return;
        }

        if (!_ledger.RecordExists)
        {
            _ledger.State = new VirtualKeyLedger();
        }

        _ledger.State.KeepRenewals(renewals);
    }

    private async Task NotifyAsync(string holderId, ILeaseHolder observer)
    {
        try
        {
            await observer.LimitsChanged(EntityKey);
        }
        catch (Exception failure)
        {
            VirtualKeyGrainLog.ObserverFailed(_logger, failure, EntityKey, holderId);
        }
    }

    private void LogReclaimed(ReclaimOutcome reclaimed)
    {
        if (reclaimed.Leases > 0)
        {
            VirtualKeyGrainLog.Reclaimed(_logger, EntityKey, reclaimed.Leases, reclaimed.Amount);
        }
    }

    private readonly record struct SeenObserver(ILeaseHolder Observer, DateTimeOffset At);
}

internal static partial class VirtualKeyGrainLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Reclaimed {Leases} expired leases of {EntityKey} holding {Amount}")]
    public static partial void Reclaimed(ILogger logger, string entityKey, int leases, Int128 amount);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Imported {Windows} archived quota windows of {EntityKey}")]
    public static partial void Imported(ILogger logger, string entityKey, int windows);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Writing the quota ledger of {EntityKey} failed; reading it back")]
    public static partial void WriteFailed(ILogger logger, Exception exception, string entityKey);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "Reading back the quota ledger of {EntityKey} failed; deactivating")]
    public static partial void ReloadFailed(ILogger logger, Exception exception, string entityKey);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Telling front door {HolderId} that the limits of {EntityKey} changed failed")]
    public static partial void ObserverFailed(ILogger logger, Exception exception, string entityKey, string holderId);
}
