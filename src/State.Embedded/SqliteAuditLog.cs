using Dapper;

namespace Switchyard.State.Embedded;

/// <summary>The audit log in SQLite: append-only rows, read newest first (by instant, then by append order).</summary>
internal sealed class SqliteAuditLog(SqliteDatabase database) : IAuditLog
{
    public Task AppendAsync(AuditRecord record, CancellationToken cancellationToken) =>
        SqliteConflict.GuardAsync(
            () => database.ExecuteAsync(
                """
                INSERT INTO audit_log (id, at, actor, action, target_kind, target_id, workspace_id, before_json, after_json, request_id)
                VALUES (@Id, @At, @Actor, @Action, @TargetKind, @TargetId, @WorkspaceId, @Before, @After, @RequestId)
                """,
                AuditRow.From(record), cancellationToken),
            _ => StoredConflict.AuditRecord(record));

    public async Task<IReadOnlyList<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(query.Offset);
        ArgumentOutOfRangeException.ThrowIfNegative(query.Limit);
        var (where, parameters) = Filter(query);
        parameters.Add("Limit", query.Limit);
        parameters.Add("Offset", query.Offset);
        var rows = await database.QueryAsync<AuditRow>(
            $"SELECT {StoredColumns.Audit} FROM audit_log{where} ORDER BY at DESC, seq DESC LIMIT @Limit OFFSET @Offset",
            parameters, cancellationToken);
        return rows.Select(r => r.ToRecord()).ToList();
    }

    /// <summary>How many records match the filters, ignoring offset and limit.</summary>
    public async Task<int> CountAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        var (where, parameters) = Filter(query);
        return checked((int)await database.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM audit_log{where}", parameters, cancellationToken));
    }

    private static (string Where, DynamicParameters Parameters) Filter(AuditQuery query)
    {
        var (where, parameters) = StoredAuditFilter.Of(query, at => StoredTime.Write(at));
        return (where, new DynamicParameters(parameters));
    }
}

internal sealed class AuditRow
{
    public string Id { get; set; } = "";
    public string At { get; set; } = "";
    public string Actor { get; set; } = "";
    public string Action { get; set; } = "";
    public string TargetKind { get; set; } = "";
    public string TargetId { get; set; } = "";
    public string? WorkspaceId { get; set; }
    public string? Before { get; set; }
    public string? After { get; set; }
    public string RequestId { get; set; } = "";

    public static AuditRow From(AuditRecord r) => new()
    {
        Id = r.Id,
        At = StoredTime.Write(r.At),
        Actor = r.Actor,
        Action = r.Action,
        TargetKind = r.TargetKind,
        TargetId = r.TargetId,
        WorkspaceId = r.WorkspaceId,
        Before = r.Before,
        After = r.After,
        RequestId = r.RequestId,
    };

    public AuditRecord ToRecord() => new(Id, StoredTime.Read(At), Actor, Action, TargetKind, TargetId, WorkspaceId, Before, After, RequestId);
}
