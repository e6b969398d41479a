using Microsoft.Data.Sqlite;

namespace Switchyard.State.Embedded;

/// <summary>
/// Opens the embedded (single-process) state store: one SQLite file holding workspaces, API keys, virtual keys and
/// saved configs. Opening does not migrate; call <see cref="EmbeddedStores.Migrator"/> at start-up (or from the
/// migrate command) before the first read or write.
/// </summary>
public static class EmbeddedState
{
    /// <summary>Where the host keeps the database unless configured otherwise, relative to its content root.</summary>
    public const string DefaultDatabasePath = ".data/switchyard.db";

    /// <summary>
    /// Opens the database file at <paramref name="databasePath"/> (relative paths resolve against the current
    /// directory), creating its folder if needed. The file itself is created on first use.
    /// </summary>
    /// <param name="databasePath">The SQLite file.</param>
    /// <param name="time">The clock of the quota bank (its windows' eviction and <see cref="QuotaUsage.UpdatedAt"/>); default the system clock.</param>
    public static EmbeddedStores Open(string databasePath, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);

        var fullPath = Path.GetFullPath(databasePath);
        if (Path.GetDirectoryName(fullPath) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }

        var database = new SqliteDatabase(fullPath);
        return new EmbeddedStores(fullPath, database, new SqliteKeyStore(database), new SqliteConfigStore(database), new SqliteMigrator(database),
            new SqliteAuditLog(database), new EmbeddedQuotaBank(database, time ?? TimeProvider.System));
    }
}

/// <summary>
/// The stores over one SQLite file. Share one instance per file for the life of the process (they are
/// thread-safe); disposing it closes the pooled connections so the file can be moved or deleted.
/// </summary>
public sealed class EmbeddedStores : IDisposable, IAsyncDisposable
{
    private readonly SqliteDatabase database;
    private readonly EmbeddedQuotaBank quotas;

    internal EmbeddedStores(string databasePath, SqliteDatabase database, IKeyStore keys, IConfigStore configs, IStateMigrator migrator, IAuditLog audit, EmbeddedQuotaBank quotas)
    {
        DatabasePath = databasePath;
        this.database = database;
        Keys = keys;
        Configs = configs;
        Migrator = migrator;
        Audit = audit;
        this.quotas = quotas;
    }

    /// <summary>The absolute path of the database file.</summary>
    public string DatabasePath { get; }

    public IKeyStore Keys { get; }

    public IConfigStore Configs { get; }

    public IStateMigrator Migrator { get; }

    public IAuditLog Audit { get; }

    /// <summary>The in-process quota bank; settled use reaches the file within about 100 ms, and at disposal.</summary>
    public IQuotaBank Quotas => quotas;

    /// <summary>Flushes the quota bank's settled use, then closes the file.</summary>
    public void Dispose() => Task.Run(() => DisposeAsync().AsTask()).GetAwaiter().GetResult();

    /// <summary>Flushes the quota bank's settled use, then closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await quotas.DisposeAsync();
        }
        finally
        {
            database.Close();
        }
    }
}
