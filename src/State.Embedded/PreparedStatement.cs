using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Switchyard.State.Embedded;

/// <summary>
/// One statement prepared once on the request log's writer connection and bound by position, through SQLite's own API.
/// Microsoft.Data.Sqlite looks every parameter up by name and builds a data reader per execution; at two rollup UPSERTs
/// and a 46-column insert per record, that was most of an append's CPU. Used only on the writer's thread, inside the
/// transaction the connection has open.
/// </summary>
internal sealed class PreparedStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;

    public PreparedStatement(SqliteConnection connection, string sql)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        Check(raw.sqlite3_prepare_v2(_db, sql, out _statement));
    }

    /// <summary>Binds a 0-based parameter; null binds SQL NULL.</summary>
    public void Bind(int index, string? value) =>
        Check(value is null ? raw.sqlite3_bind_null(_statement, index + 1) : raw.sqlite3_bind_text(_statement, index + 1, value));

    public void Bind(int index, long value) => Check(raw.sqlite3_bind_int64(_statement, index + 1, value));

    public void Bind(int index, long? value) =>
        Check(value is { } v ? raw.sqlite3_bind_int64(_statement, index + 1, v) : raw.sqlite3_bind_null(_statement, index + 1));

    public void Bind(int index, double value) => Check(raw.sqlite3_bind_double(_statement, index + 1, value));

    public void Bind(int index, double? value) =>
        Check(value is { } v ? raw.sqlite3_bind_double(_statement, index + 1, v) : raw.sqlite3_bind_null(_statement, index + 1));

    /// <summary>Runs the statement to its end; returns the rows it changed.</summary>
    public int Execute()
    {
        try
        {
            var rc = raw.sqlite3_step(_statement);
            if (rc != raw.SQLITE_DONE)
            {
                Check(rc);
                throw new SqliteException($"The statement returned rows: {raw.sqlite3_sql(_statement).utf8_to_string()}", rc);
            }

            return raw.sqlite3_changes(_db);
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    public void Dispose() => _statement.Dispose();

    private void Check(int rc)
    {
        if (rc is not (raw.SQLITE_OK or raw.SQLITE_ROW or raw.SQLITE_DONE))
        {
            throw new SqliteException($"SQLite Error {rc}: '{raw.sqlite3_errmsg(_db).utf8_to_string()}'.", rc, raw.sqlite3_extended_errcode(_db));
        }
    }
}
