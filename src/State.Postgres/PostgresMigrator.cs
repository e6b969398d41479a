using Dapper;
using Npgsql;

namespace Switchyard.State.Postgres;

/// <summary>
/// Applies <see cref="SchemaMigrations"/> in order, each script in its own transaction together with its
/// <c>schema_version</c> row, so a failed script leaves the schema at the previous version. Replicas starting together
/// all call this: a transaction-scoped advisory lock lets one apply a script while the others wait, and each re-reads the
/// version under the lock, so every script runs exactly once.
/// </summary>
internal sealed class PostgresMigrator : IStateMigrator
{
    /// <summary>Advisory locks are per database; this key is ours alone ("swmigrat" in ASCII).</summary>
    internal const long LockKey = 0x73776d6967726174;

    private readonly NpgsqlDataSource _dataSource;
    private readonly IReadOnlyList<SchemaMigration> _migrations;

    public PostgresMigrator(NpgsqlDataSource dataSource)
        : this(dataSource, SchemaMigrations.All)
    {
    }

    internal PostgresMigrator(NpgsqlDataSource dataSource, IReadOnlyList<SchemaMigration> migrations)
    {
        for (var i = 0; i < migrations.Count; i++)
        {
            if (migrations[i].Version != i + 1)
            {
                throw new ArgumentException($"Migration {i + 1} is numbered {migrations[i].Version}: scripts must be numbered 1, 2, 3… in order.", nameof(migrations));
            }
        }

        _dataSource = dataSource;
        _migrations = migrations;
    }

    public int RequiredVersion => _migrations.Count;

    public async Task<int> MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);

        // The common start-up: already current, no lock taken.
        var version = await CurrentVersionAsync(connection, null, cancellationToken);
        foreach (var migration in _migrations)
        {
            if (migration.Version <= version)
            {
                continue;
            }

            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition(
                "SELECT pg_advisory_xact_lock(@LockKey)", new { LockKey }, transaction, cancellationToken: cancellationToken));

            // Another replica may have applied it while we waited for the lock.
            version = await CurrentVersionAsync(connection, transaction, cancellationToken);
            if (migration.Version <= version)
            {
                await transaction.CommitAsync(cancellationToken);
                continue;
            }

            await connection.ExecuteAsync(new CommandDefinition(migration.Sql, transaction: transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO switchyard.schema_version (version, description) VALUES (@Version, @Description)",
                new { migration.Version, migration.Description }, transaction, cancellationToken: cancellationToken));
            await transaction.CommitAsync(cancellationToken);
            version = migration.Version;
        }

        // A newer build may have migrated further; this build keeps working against additive changes, so that is not an error.
        return version;
    }

    public async Task<int> CurrentVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await CurrentVersionAsync(connection, null, cancellationToken);
    }

    private static async Task<int> CurrentVersionAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        // A database nobody migrated yet is version 0, not an error. The table is looked up with a query on pg_class,
        // which reads with this statement's snapshot, not with to_regclass: that goes through the backend's catalog
        // cache, which in a transaction that waited for the lock still remembers the schema as missing after another
        // replica created it (and the script then fails with "relation already exists").
        var exists = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            """
            SELECT EXISTS (
                SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'switchyard' AND c.relname = 'schema_version')
            """,
            transaction: transaction, cancellationToken: cancellationToken));
        if (!exists)
        {
            return 0;
        }

        return await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT coalesce(max(version), 0) FROM switchyard.schema_version", transaction: transaction, cancellationToken: cancellationToken));
    }
}
