namespace Switchyard.State.Embedded;

/// <summary>
/// Settled spend as the embedded quota bank left it in <c>quota_usage</c> (settled use only: what was reserved never
/// reached the file). The row shape is read here, not borrowed from the bank, so the archive outlives it.
/// </summary>
internal sealed class SqliteSettledSpendArchive(SqliteDatabase database) : ISettledSpendArchive
{
    public async Task<IReadOnlyList<QuotaUsage>> ReadAsync(GovernedKind kind, string entityId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(entityId);
        var rows = await database.QueryAsync<ArchivedUsageRow>(
            """
            SELECT meter AS Meter, window_start AS Start, window_end AS "End", used AS Used, updated_at AS UpdatedAt
            FROM quota_usage WHERE entity_kind = @Kind AND entity_id = @EntityId
            """,
            new { Kind = QuotaText.Write(kind), EntityId = entityId }, cancellationToken);
        return
        [
            .. rows
                .Select(r => new QuotaUsage(
                    new QuotaWindow(kind, entityId, QuotaText.ReadMeter(r.Meter), StoredTime.Read(r.Start), StoredTime.ReadOptional(r.End)),
                    r.Used, 0, StoredTime.Read(r.UpdatedAt)))
                .OrderByDescending(u => u.Window.Start)
                .ThenBy(u => u.Window.Meter),
        ];
    }

    private sealed class ArchivedUsageRow
    {
        public string Meter { get; set; } = "";
        public string Start { get; set; } = "";
        public string? End { get; set; }
        public long Used { get; set; }
        public string UpdatedAt { get; set; } = "";
    }
}
