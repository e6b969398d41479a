using Dapper;
using Microsoft.Data.Sqlite;

namespace Switchyard.State.Embedded;

/// <summary>
/// Connections to the one database file. Each store operation opens a pooled connection, so concurrent callers
/// read in parallel (WAL) and writers queue on SQLite's lock rather than failing at once (busy timeout).
/// </summary>
internal sealed class SqliteDatabase
{
    /// <summary>How long a writer waits for another writer's lock before SQLite reports the database busy.</summary>
    private const int BusyTimeoutMilliseconds = 5000;

    private readonly string _connectionString;
    private readonly string _firstOpen;
    private int _journalModeSet;

    /// <param name="path">The database file.</param>
    /// <param name="pageSize">
    /// The page size of a file created here, in bytes (a power of two, 512 to 65,536); null for SQLite's 4,096. A file
    /// that already has pages keeps its own: in WAL mode the page size is fixed once the file is written.
    /// </param>
    public SqliteDatabase(string path, int? pageSize = null)
    {
        // The page size first: it only applies before the file's first page is written, which setting WAL does.
        _firstOpen = (pageSize is { } size ? $"PRAGMA page_size = {size}; " : "") + "PRAGMA journal_mode = WAL;";
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            ForeignKeys = true,
            Pooling = true,
        }.ToString();
    }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA busy_timeout = {BusyTimeoutMilliseconds};";
            await command.ExecuteNonQueryAsync(cancellationToken);

            // WAL (and the page size) are properties of the file, kept across opens, so once per process is enough
            // (twice is harmless); WAL cannot change inside a transaction, and a fresh connection is never in one.
            if (Volatile.Read(ref _journalModeSet) == 0)
            {
                command.CommandText = _firstOpen;
                await command.ExecuteNonQueryAsync(cancellationToken);
                Volatile.Write(ref _journalModeSet, 1);
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Opens a connection synchronously, for a thread of its own that owns it (the request log's writer): Microsoft.Data.Sqlite
    /// does its I/O synchronously anyway, so this is <see cref="OpenAsync"/> without the task.
    /// </summary>
    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA busy_timeout = {BusyTimeoutMilliseconds};";
            command.ExecuteNonQuery();
            if (Volatile.Read(ref _journalModeSet) == 0)
            {
                command.CommandText = _firstOpen;
                command.ExecuteNonQuery();
                Volatile.Write(ref _journalModeSet, 1);
            }

            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Runs one statement on its own connection; returns the rows it changed.</summary>
    public async Task<int> ExecuteAsync(string sql, object? parameters, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken));
    }

    public async Task<T?> ExecuteScalarAsync<T>(string sql, object? parameters, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<T>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken));
    }

    /// <summary>Runs one query on its own connection, buffered, so the rows outlive the connection.</summary>
    public async Task<IEnumerable<TRow>> QueryAsync<TRow>(string sql, object? parameters, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.QueryAsync<TRow>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken));
    }

    /// <summary>Closes pooled connections, which releases the file (and lets SQLite fold the WAL back into it).</summary>
    public void Close()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }
}
