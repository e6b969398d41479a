namespace Switchyard.State;

/// <summary>
/// One admin mutation (docs/state.md, "The audit log"): who did what to which record, with the record before and after
/// as JSON with every secret already redacted by the writer. Audit records are append-only, so the log answers "who
/// changed this" even after the record itself is gone.
/// </summary>
public sealed record AuditRecord(
    string Id,
    DateTimeOffset At,
    string Actor,
    string Action,
    string TargetKind,
    string TargetId,
    string? WorkspaceId,
    string? Before,
    string? After,
    string RequestId);

/// <summary>Filters for <see cref="IAuditLog.QueryAsync"/>; null means any. Results are newest first.</summary>
public sealed record AuditQuery(
    string? WorkspaceId = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    string? Action = null,
    string? TargetKind = null,
    string? TargetId = null,
    int Offset = 0,
    int Limit = 50);

/// <summary>The audit log: append on every admin mutation, query through the admin API.</summary>
public interface IAuditLog
{
    Task AppendAsync(AuditRecord record, CancellationToken cancellationToken);

    Task<IReadOnlyList<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken);

    Task<int> CountAsync(AuditQuery query, CancellationToken cancellationToken);
}
