using Microsoft.Extensions.DependencyInjection;

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
    /// directory), creating its folder if needed, and the request log's file beside it (<see cref="LogPathFor"/>).
    /// The files themselves are created on first use.
    /// </summary>
    /// <param name="databasePath">The SQLite file.</param>
    /// <param name="logLimits">The request log's size cap and rollup retention; <see cref="LogStoreLimits.Default"/> when null.</param>
    public static EmbeddedStores Open(string databasePath, LogStoreLimits? logLimits = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);

        var fullPath = Path.GetFullPath(databasePath);
        if (Path.GetDirectoryName(fullPath) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }

        var database = new SqliteDatabase(fullPath);
        var logs = new SqliteRequestLog(LogPathFor(fullPath), logLimits ?? LogStoreLimits.Default);
        return new EmbeddedStores(fullPath, database, new SqliteKeyStore(database), new SqliteConfigStore(database), new SqliteMigrator(database), new SqliteAuditLog(database), logs);
    }

    /// <summary>
    /// The request log's file for a catalog file: <c>&lt;name&gt;-logs.db</c> beside <c>&lt;name&gt;.db</c>. A file of its own, so
    /// log writes never wait on (or hold) the catalog's write lock, and the log can be moved or dropped on its own.
    /// </summary>
    public static string LogPathFor(string databasePath)
    {
        var fullPath = Path.GetFullPath(databasePath);
        var name = Path.GetFileNameWithoutExtension(fullPath) + "-logs" + Path.GetExtension(fullPath);
        return Path.Combine(Path.GetDirectoryName(fullPath) ?? "", name);
    }

    /// <summary>
    /// Makes the embedded store a host's state: one <see cref="EmbeddedStores"/> over <paramref name="databasePath"/>
    /// (opened on first use, closed with the host), serving <see cref="IKeyStore"/>, <see cref="IConfigStore"/>,
    /// <see cref="IStateMigrator"/>, <see cref="IAuditLog"/>, <see cref="ISettledSpendArchive"/> and <see cref="IRequestLogStore"/>. No
    /// <see cref="IChangeFeed"/>: the one process that uses the file sees its own writes.
    /// </summary>
    public static IServiceCollection AddEmbeddedState(this IServiceCollection services, string databasePath)
    {
        services.AddSingleton(_ => Open(databasePath));
        services.AddSingleton(sp => sp.GetRequiredService<EmbeddedStores>().Keys);
        services.AddSingleton(sp => sp.GetRequiredService<EmbeddedStores>().Configs);
        services.AddSingleton(sp => sp.GetRequiredService<EmbeddedStores>().Migrator);
        services.AddSingleton(sp => sp.GetRequiredService<EmbeddedStores>().Audit);
        services.AddSingleton(sp => sp.GetRequiredService<EmbeddedStores>().SpendArchive);
        services.AddSingleton(sp => sp.GetRequiredService<EmbeddedStores>().Logs);
        return services;
    }
}

/// <summary>
/// The stores over one SQLite file and its request log's file. Share one instance per file for the life of the process
/// (they are thread-safe); disposing it finishes the log's queued writes and closes the pooled connections so the files
/// can be moved or deleted.
/// </summary>
public sealed class EmbeddedStores : IDisposable, IAsyncDisposable
{
    private readonly SqliteDatabase _database;

    private readonly SqliteRequestLog _logs;

    internal EmbeddedStores(string databasePath, SqliteDatabase database, IKeyStore keys, IConfigStore configs, IStateMigrator migrator, IAuditLog audit, SqliteRequestLog logs)
    {
        _logs = logs;
        DatabasePath = databasePath;
        _database = database;
        Keys = keys;
        Configs = configs;
        Migrator = migrator;
        Audit = audit;
    }

    /// <summary>The absolute path of the database file.</summary>
    public string DatabasePath { get; }

    public IKeyStore Keys { get; }

    public IConfigStore Configs { get; }

    public IStateMigrator Migrator { get; }

    public IAuditLog Audit { get; }

    /// <summary>The request log, in its own file (<see cref="LogPath"/>), which it migrates itself on first use.</summary>
    public IRequestLogStore Logs => _logs;

    /// <summary>The absolute path of the request log's file.</summary>
    public string LogPath => _logs.Path;

    /// <summary>Settled spend in this file's <c>quota_usage</c> from before quotas were kept in grains, for virtual-key grains taking their entity's spend over.</summary>
    public ISettledSpendArchive SpendArchive => field ??= new SqliteSettledSpendArchive(_database);

    /// <summary>Closes the files.</summary>
    public void Dispose()
    {
        _logs.Dispose();
        _database.Close();
    }

    /// <summary>Closes the files.</summary>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
