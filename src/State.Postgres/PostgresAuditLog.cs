using Dapper;
using Npgsql;

namespace Switchyard.State.Postgres;

/// <summary>The audit log in PostgreSQL: append-only rows, read newest first (by instant, then by append order).</summary>
internal sealed class PostgresAuditLog(NpgsqlDataSource dataSource) : IAuditLog
{
    public Task AppendAsync(AuditRecord record, CancellationToken cancellationToken) =>
        PostgresConflict.GuardAsync(
            async () =>
            {
                await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
                return await connection.ExecuteAsync(new CommandDefinition(
                    """
                    INSERT INTO switchyard.audit_log (id, at, actor, action, target_kind, target_id, workspace_id, before_json, after_json, request_id)
                    VALUES (@Id, @At, @Actor, @Action, @TargetKind, @TargetId, @WorkspaceId, @Before, @After, @RequestId)
                    """,
                    new
                    {
                        record.Id,
                        At = StateTime.Write(record.At),
                        record.Actor,
                        record.Action,
                        record.TargetKind,
                        record.TargetId,
                        record.WorkspaceId,
                        record.Before,
                        record.After,
                        record.RequestId,
                    },
                    cancellationToken: cancellationToken));
            },
            _ => StoredConflict.AuditRecord(record));

    public async Task<IReadOnlyList<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(query.Offset);
        ArgumentOutOfRangeException.ThrowIfNegative(query.Limit);
        var (where, parameters) = Filter(query);
        parameters.Add("Limit", query.Limit);
        parameters.Add("Offset", query.Offset);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<AuditRow>(new CommandDefinition(
            $"SELECT {StoredColumns.Audit} FROM switchyard.audit_log{where} ORDER BY at DESC, seq DESC LIMIT @Limit OFFSET @Offset",
            parameters, cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToRecord())];
    }

    /// <summary>How many records match the filters, ignoring offset and limit.</summary>
    public async Task<int> CountAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        var (where, parameters) = Filter(query);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return checked((int)await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"SELECT count(*) FROM switchyard.audit_log{where}", parameters, cancellationToken: cancellationToken)));
    }

    private static (string Where, DynamicParameters Parameters) Filter(AuditQuery query)
    {
        var (where, parameters) = StoredAuditFilter.Of(query, at => StateTime.Write(at));
        return (where, new DynamicParameters(parameters));
    }
}

internal sealed class AuditRow
{
    public required string Id { get; init; }
    public DateTime At { get; init; }
    public required string Actor { get; init; }
    public required string Action { get; init; }
    public required string TargetKind { get; init; }
    public required string TargetId { get; init; }
    public string? WorkspaceId { get; init; }
    public string? Before { get; init; }
    public string? After { get; init; }
    public required string RequestId { get; init; }

    public AuditRecord ToRecord() => new(Id, StateTime.Read(At), Actor, Action, TargetKind, TargetId, WorkspaceId, Before, After, RequestId);
}
