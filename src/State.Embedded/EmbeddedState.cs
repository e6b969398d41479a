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
    /// directory), creating its folder if needed. The file itself is created on first use.
    /// </summary>
    /// <param name="databasePath">The SQLite file.</param>
    public static EmbeddedStores Open(string databasePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);

        var fullPath = Path.GetFullPath(databasePath);
        if (Path.GetDirectoryName(fullPath) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }

        var database = new SqliteDatabase(fullPath);
        return new EmbeddedStores(fullPath, database, new SqliteKeyStore(database), new SqliteConfigStore(database), new SqliteMigrator(database), new SqliteAuditLog(database));
    }

    /// <summary>
    /// Makes the embedded store a host's state: one <see cref="EmbeddedStores"/> over <paramref name="databasePath"/>
    /// (opened on first use, closed with the host), serving <see cref="IKeyStore"/>, <see cref="IConfigStore"/>,
    /// <see cref="IStateMigrator"/>, <see cref="IAuditLog"/> and <see cref="ISettledSpendArchive"/>. No
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
        return services;
    }
}

/// <summary>
/// The stores over one SQLite file. Share one instance per file for the life of the process (they are
/// thread-safe); disposing it closes the pooled connections so the file can be moved or deleted.
/// </summary>
public sealed class EmbeddedStores : IDisposable, IAsyncDisposable
{
    private readonly SqliteDatabase _database;

    internal EmbeddedStores(string databasePath, SqliteDatabase database, IKeyStore keys, IConfigStore configs, IStateMigrator migrator, IAuditLog audit)
    {
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

    /// <summary>Settled spend in this file's <c>quota_usage</c> from before quotas were kept in grains, for virtual-key grains taking their entity's spend over.</summary>
    public ISettledSpendArchive SpendArchive => field ??= new SqliteSettledSpendArchive(_database);

    /// <summary>Closes the file.</summary>
    public void Dispose() => _database.Close();

    /// <summary>Closes the file.</summary>
    public ValueTask DisposeAsync()
    {
        _database.Close();
        return ValueTask.CompletedTask;
    }
}
