using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace Switchyard.State.Embedded;

/// <summary>
/// Turns SQLite's unique and primary-key violations into <see cref="StateConflictException"/>. SQLite names the
/// columns that collided (<c>UNIQUE constraint failed: virtual_keys.workspace_id, virtual_keys.slug</c>); the caller
/// says what that means for the record it was writing.
/// </summary>
internal static partial class SqliteConflict
{
    private const int Constraint = 19;
    private const int ConstraintUnique = 2067;
    private const int ConstraintPrimaryKey = 1555;

    /// <summary>Runs <paramref name="write"/>; a unique violation becomes a conflict described by <paramref name="describe"/>.</summary>
    /// <param name="describe">Gets the colliding columns without table names (<c>workspace_id,slug</c>) and returns the message.</param>
    public static async Task<T> GuardAsync<T>(Func<Task<T>> write, Func<string, string> describe)
    {
        try
        {
            return await write();
        }
        catch (SqliteException error) when (Columns(error) is { } columns)
        {
            throw new StateConflictException(describe(columns), error);
        }
    }

    /// <summary>The colliding columns, comma-separated without table names; null when the error is not a uniqueness violation.</summary>
    internal static string? Columns(SqliteException error)
    {
        if (error.SqliteErrorCode != Constraint || error.SqliteExtendedErrorCode is not (ConstraintUnique or ConstraintPrimaryKey))
        {
            return null;
        }

        var match = FailedColumns().Match(error.Message);
        return match.Success
            ? string.Join(',', match.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries).Select(c => c[(c.IndexOf('.', StringComparison.Ordinal) + 1)..]))
            : "";
    }

    [GeneratedRegex("constraint failed: ([^']+)")]
    private static partial Regex FailedColumns();
}
