using Npgsql;

namespace Switchyard.State.Postgres;

/// <summary>
/// Turns unique violations (SQLSTATE 23505) into <see cref="StateConflictException"/>. PostgreSQL names the constraint
/// (the error's detail, which quotes the values, is redacted by Npgsql), and each constraint here has its default name,
/// so the constraint tells which columns collided.
/// </summary>
internal static class PostgresConflict
{
    private static readonly Dictionary<string, string> ConstraintColumns = new(StringComparer.Ordinal)
    {
        ["workspaces_pkey"] = "id",
        ["workspaces_slug_key"] = "slug",
        ["api_keys_pkey"] = "id",
        ["api_keys_key_hash_key"] = "key_hash",
        ["virtual_keys_pkey"] = "id",
        ["virtual_keys_workspace_id_slug_key"] = "workspace_id,slug",
        ["configs_pkey"] = "workspace_id,slug,version",
        ["audit_log_id_key"] = "id",
    };

    /// <summary>Runs <paramref name="write"/>; a unique violation becomes a conflict described by <paramref name="describe"/>.</summary>
    /// <param name="describe">Gets the colliding columns (<c>workspace_id,slug</c>) and returns the message.</param>
    public static async Task<T> GuardAsync<T>(Func<Task<T>> write, Func<string, string> describe)
    {
        try
        {
            return await write();
        }
        catch (PostgresException error) when (error.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new StateConflictException(describe(Columns(error.ConstraintName)), error);
        }
    }

    internal static string Columns(string? constraintName) =>
        constraintName is not null && ConstraintColumns.TryGetValue(constraintName, out var columns) ? columns : "";
}
