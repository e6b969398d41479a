using Switchyard.State;

namespace Switchyard.FrontDoor.Admin;

/// <summary>
/// Tells an entity's quota authority that its limits changed (or that it was revoked), once the change is stored and
/// audited: every front door holding a lease on it gives the unused part back and leases again under the new limits. A
/// push that cannot be delivered (the grain is moving) fails nothing: the change is stored, every front door reloads
/// it, and leases held under the old limits run out or come back at their next renewal.
/// </summary>
internal sealed partial class AdminLimits(IQuotaBank quotas, ILogger<AdminLimits> logger)
{
    public async Task ChangedAsync(GovernedKind kind, string entityId, CancellationToken cancellationToken)
    {
        try
        {
            await quotas.LimitsChangedAsync(kind, entityId, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogPushFailed(logger, QuotaText.Write(kind), entityId, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The limits change of {Kind} {EntityId} is stored but could not be pushed to the front doors holding its leases")]
    private static partial void LogPushFailed(ILogger logger, string kind, string entityId, Exception exception);
}
