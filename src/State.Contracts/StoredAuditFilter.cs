namespace Switchyard.State;

/// <summary>
/// The WHERE clause both stores query the audit log with. Only the filters a query gives go into the statement, so the
/// database sees plain comparisons and can use the index that fits them.
/// </summary>
internal static class StoredAuditFilter
{
    /// <summary>The clause (empty for no filter, else starting with a space) and its parameters by name.</summary>
    /// <param name="writeInstant">An instant as the store's <c>at</c> column holds it.</param>
    public static (string Where, Dictionary<string, object> Parameters) Of(AuditQuery query, Func<DateTimeOffset, object> writeInstant)
    {
        var conditions = new List<string>();
        var parameters = new Dictionary<string, object>(StringComparer.Ordinal);
        void Add(string condition, string name, object? value)
        {
            if (value is not null)
            {
                conditions.Add(condition);
                parameters.Add(name, value);
            }
        }

        Add("workspace_id = @WorkspaceId", "WorkspaceId", query.WorkspaceId);
        Add("at >= @From", "From", query.From is { } from ? writeInstant(from) : null);
        Add("at < @To", "To", query.To is { } to ? writeInstant(to) : null);
        Add("action = @Action", "Action", query.Action);
        Add("target_kind = @TargetKind", "TargetKind", query.TargetKind);
        Add("target_id = @TargetId", "TargetId", query.TargetId);
        return (conditions.Count == 0 ? "" : " WHERE " + string.Join(" AND ", conditions), parameters);
    }
}
