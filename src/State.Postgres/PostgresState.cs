using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Switchyard.State.Postgres;

/// <summary>The cluster catalog store: every front door and silo opens the same PostgreSQL database.</summary>
public static class PostgresState
{
    /// <summary>
    /// The most catalog connections one process opens unless the connection string says otherwise (Npgsql's default is
    /// 100): every front door, silo and the migration share the server's <c>max_connections</c> (100 by default), and the
    /// catalog is read from in-memory snapshots, so a few connections serve a process.
    /// </summary>
    public const int DefaultMaxPoolSize = 6;

    /// <summary>
    /// Opens the stores over one pooled data source. Nothing is read or written yet: run
    /// <see cref="PostgresStores.Migrator"/> at start-up (or as the separate migrate command) before the first read.
    /// </summary>
    /// <param name="urlOrConnectionString">
    /// An Npgsql connection string (<c>Host=db;Username=switchyard;Password=…;Database=switchyard</c>) or a libpq URL
    /// (<c>postgres://switchyard:…@db:5432/switchyard?sslmode=require</c>).
    /// </param>
    /// <param name="maxPoolSize">The pool's size unless the connection string sets one; default <see cref="DefaultMaxPoolSize"/>.</param>
    public static PostgresStores Open(string urlOrConnectionString, int maxPoolSize = DefaultMaxPoolSize)
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgresConnection.FromUrlOrConnectionString(urlOrConnectionString));
        if (!urlOrConnectionString.Contains("pool size", StringComparison.OrdinalIgnoreCase))
        {
            builder.MaxPoolSize = maxPoolSize;
        }

        return new PostgresStores(NpgsqlDataSource.Create(builder.ConnectionString));
    }

    /// <summary>
    /// Makes the cluster store a host's state: one <see cref="PostgresStores"/> (see <see cref="Open"/>; closed with the
    /// host), serving <see cref="IKeyStore"/>, <see cref="IConfigStore"/>, <see cref="IStateMigrator"/>,
    /// <see cref="IAuditLog"/>, <see cref="ISettledSpendArchive"/>, the <see cref="IRequestLogStore"/> and the
    /// <see cref="IChangeFeed"/> of other processes' writes. Each is created on first use, so a host that needs only some of them opens no more.
    /// </summary>
    public static IServiceCollection AddPostgresState(this IServiceCollection services, string urlOrConnectionString, int maxPoolSize = DefaultMaxPoolSize)
    {
        services.AddSingleton(_ => Open(urlOrConnectionString, maxPoolSize));
        services.AddSingleton(sp => sp.GetRequiredService<PostgresStores>().Keys);
        services.AddSingleton(sp => sp.GetRequiredService<PostgresStores>().Configs);
        services.AddSingleton(sp => sp.GetRequiredService<PostgresStores>().Migrator);
        services.AddSingleton(sp => sp.GetRequiredService<PostgresStores>().Audit);
        services.AddSingleton(sp => sp.GetRequiredService<PostgresStores>().SpendArchive);
        services.AddSingleton(sp => sp.GetRequiredService<PostgresStores>().Logs);
        services.AddSingleton(sp => sp.GetRequiredService<PostgresStores>().CreateChangeFeed(
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger<IChangeFeed>()));
        return services;
    }
}

/// <summary>The stores over one connection pool; disposing closes the pool.</summary>
public sealed class PostgresStores : IAsyncDisposable
{
    internal PostgresStores(NpgsqlDataSource dataSource)
    {
        DataSource = dataSource;
        Keys = new PostgresKeyStore(dataSource);
        Configs = new PostgresConfigStore(dataSource);
        Migrator = new PostgresMigrator(dataSource);
        Audit = new PostgresAuditLog(dataSource);
    }

    public IKeyStore Keys { get; }

    public IConfigStore Configs { get; }

    public IStateMigrator Migrator { get; }

    public IAuditLog Audit { get; }

    /// <summary>Settled spend in <c>switchyard.quota_usage</c> from before quotas were kept in grains, for virtual-key grains taking their entity's spend over.</summary>
    public ISettledSpendArchive SpendArchive => field ??= new PostgresSettledSpendArchive(DataSource);

    /// <summary>
    /// The request log, its rollups, feedback and exports, kept with <see cref="LogStoreLimits.Default"/>'s rollup days
    /// (<see cref="LogStoreLimits.MaxBytes"/> does not apply to PostgreSQL: records go by their expiry, whole days at a time).
    /// </summary>
    public IRequestLogStore Logs => field ??= new PostgresRequestLog(DataSource, LogLimits);

    /// <summary>What the request log keeps besides records' expiry; set before <see cref="Logs"/> is first read.</summary>
    internal LogStoreLimits LogLimits { get; set; } = LogStoreLimits.Default;

    /// <summary>A feed of other processes' catalog changes (LISTEN/NOTIFY on a connection of its own, reconnecting when dropped).</summary>
    public IChangeFeed CreateChangeFeed(TimeProvider time, ILogger logger) => new PostgresChangeFeed(DataSource, time, logger);

    /// <summary>The pool, for the pieces built on this store (LISTEN for changes).</summary>
    internal NpgsqlDataSource DataSource { get; }

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();
}
