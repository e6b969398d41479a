using Npgsql;

namespace Switchyard.State.Postgres;

/// <summary>The cluster state store: every replica opens the same PostgreSQL database.</summary>
public static class PostgresState
{
    /// <summary>
    /// Opens the stores over one pooled data source. Nothing is read or written yet: run
    /// <see cref="PostgresStores.Migrator"/> at start-up (or as the separate migrate command) before the first read.
    /// </summary>
    /// <param name="urlOrConnectionString">
    /// An Npgsql connection string (<c>Host=db;Username=switchyard;Password=…;Database=switchyard</c>) or a libpq URL
    /// (<c>postgres://switchyard:…@db:5432/switchyard?sslmode=require</c>).
    /// </param>
    public static PostgresStores Open(string urlOrConnectionString)
    {
        var dataSource = NpgsqlDataSource.Create(PostgresConnection.FromUrlOrConnectionString(urlOrConnectionString));
        return new PostgresStores(dataSource);
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
        Quotas = new PostgresQuotaBank(dataSource, TimeProvider.System);
    }

    public IKeyStore Keys { get; }

    public IConfigStore Configs { get; }

    public IStateMigrator Migrator { get; }

    public IAuditLog Audit { get; }

    /// <summary>The quota bank: atomic reservations in <c>switchyard.quota_usage</c>; the concurrency meter per replica, in memory.</summary>
    public IQuotaBank Quotas { get; }

    /// <summary>A feed of other replicas' changes (LISTEN/NOTIFY on a connection of its own, reconnecting when dropped).</summary>
    public IChangeFeed CreateChangeFeed(TimeProvider time, Microsoft.Extensions.Logging.ILogger logger) => new PostgresChangeFeed(DataSource, time, logger);

    /// <summary>
    /// Provider health shared by the replicas (<c>switchyard.provider_circuits</c> plus LISTEN/NOTIFY), already listening.
    /// One per replica; <paramref name="replicaId"/> names it as probe owner. Dispose it to stop listening.
    /// </summary>
    public PostgresCircuitHealth OpenProviderHealth(string replicaId, TimeProvider time)
    {
        var health = new PostgresCircuitHealth(DataSource, replicaId, time);
        _ = health.StartAsync();
        return health;
    }

    /// <summary>The pool, for the cluster pieces built on this store (LISTEN for changes, the quota bank).</summary>
    internal NpgsqlDataSource DataSource { get; }

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();
}
