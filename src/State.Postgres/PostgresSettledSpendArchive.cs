using Dapper;
using Npgsql;

namespace Switchyard.State.Postgres;

/// <summary>
/// Settled spend as the cluster quota bank left it in <c>switchyard.quota_usage</c>: used as checkpointed; what leases
/// held in reserve is not spend, so it reads as 0. The row shape is read here, not borrowed from the bank, so the
/// archive outlives it.
/// </summary>
internal sealed class PostgresSettledSpendArchive(NpgsqlDataSource dataSource) : ISettledSpendArchive
{
    public async Task<IReadOnlyList<QuotaUsage>> ReadAsync(GovernedKind kind, string entityId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(entityId);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ArchivedUsageRow>(new CommandDefinition(
            """
            SELECT meter AS Meter, window_start AS Start, window_end AS "End", used AS Used, updated_at AS UpdatedAt
            FROM switchyard.quota_usage WHERE entity_kind = @Kind AND entity_id = @EntityId
            """,
            new { Kind = QuotaText.Write(kind), EntityId = entityId }, cancellationToken: cancellationToken));
        return
        [
            .. rows
                .Select(r => new QuotaUsage(
                    new QuotaWindow(kind, entityId, QuotaText.ReadMeter(r.Meter), StateTime.Read(r.Start), StateTime.Read(r.End)),
                    r.Used, 0, StateTime.Read(r.UpdatedAt)))
                .OrderByDescending(u => u.Window.Start)
                .ThenBy(u => u.Window.Meter),
        ];
    }

    private sealed class ArchivedUsageRow
    {
        public string Meter { get; init; } = "";
        public DateTime Start { get; init; }
        public DateTime? End { get; init; }
        public long Used { get; init; }
        public DateTime UpdatedAt { get; init; }
    }
}
