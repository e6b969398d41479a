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
    /// <param name="leases">How the quota bank leases quota to this replica; null for the defaults (5 s leases, 1 s checkpoints).</param>
    public static PostgresStores Open(string urlOrConnectionString, QuotaLeaseOptions? leases = null)
    {
        var dataSource = NpgsqlDataSource.Create(PostgresConnection.FromUrlOrConnectionString(urlOrConnectionString));
        return new PostgresStores(dataSource, leases ?? new QuotaLeaseOptions(), TimeProvider.System);
    }
}

/// <summary>The stores over one connection pool; disposing returns this replica's quota leases, then closes the pool.</summary>
public sealed class PostgresStores : IAsyncDisposable
{
    /// <param name="background">False in tests that drive heartbeats, checkpoints and the janitor themselves (<see cref="PostgresQuotaBank.TickAsync"/>).</param>
    internal PostgresStores(NpgsqlDataSource dataSource, QuotaLeaseOptions leases, TimeProvider time, bool background = true)
    {
        DataSource = dataSource;
        Keys = new PostgresKeyStore(dataSource);
        Configs = new PostgresConfigStore(dataSource);
        Migrator = new PostgresMigrator(dataSource);
        Audit = new PostgresAuditLog(dataSource);
        Replica = new PostgresReplica(time);
        Bank = new PostgresQuotaBank(dataSource, Replica, leases, time, background);
    }

    public IKeyStore Keys { get; }

    public IConfigStore Configs { get; }

    public IStateMigrator Migrator { get; }

    public IAuditLog Audit { get; }

    /// <summary>
    /// The quota bank: rows of <c>switchyard.quota_usage</c> leased to this replica in slices, requests admitted from the
    /// local balance (docs/state.md, <i>Quota leases</i>).
    /// </summary>
    public IQuotaBank Quotas => Bank;

    /// <summary>This process in <c>switchyard.replicas</c>: its id names the leases (and anything else) it holds.</summary>
    public PostgresReplica Replica { get; }

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

    internal PostgresQuotaBank Bank { get; }

    /// <summary>
    /// Gives back at once the unused local balances this replica holds for one entity: call it when an admin lowers or
    /// removes the entity's limits (on the change notice), so its next requests lease against the new caps.
    /// </summary>
    /// <summary>
    /// Starts this replica's heartbeat (and the quota bank's checkpoints) now instead of at the bank's first use, for
    /// pieces that need the replica counted live before any request. Call it once the schema is migrated.
    /// </summary>
    public void StartHeartbeat() => Bank.Start();

    public async ValueTask DisposeAsync()
    {
        await Bank.DisposeAsync();
        await DataSource.DisposeAsync();
    }
}
