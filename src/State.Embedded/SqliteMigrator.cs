using Dapper;
using Microsoft.Data.Sqlite;

namespace Switchyard.State.Embedded;

/// <summary>
/// Applies <see cref="SchemaScripts"/> in order, each with its row in <c>schema_version</c> in one transaction, so a
/// failed script leaves the schema at the previous version. Safe to run from two processes at once: each script's
/// transaction takes the write lock first and re-reads the version under it.
/// </summary>
internal sealed class SqliteMigrator(SqliteDatabase database, IReadOnlyList<SchemaScript> scripts) : IStateMigrator
{
    public SqliteMigrator(SqliteDatabase database)
        : this(database, SchemaScripts.All)
    {
    }

    private const string CreateVersionTable =
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT";

    private const string ReadVersion = "SELECT COALESCE(MAX(version), 0) FROM schema_version";

    public int RequiredVersion => scripts[^1].Version;

    public async Task<int> MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        foreach (var script in scripts)
        {
            // Immediate: take the write lock before reading the version, so no other migrator can apply the same script in between.
            await using var transaction = connection.BeginTransaction(deferred: false);
            await connection.ExecuteAsync(new CommandDefinition(CreateVersionTable, null, transaction, cancellationToken: cancellationToken));
            var current = await connection.ExecuteScalarAsync<int>(new CommandDefinition(ReadVersion, null, transaction, cancellationToken: cancellationToken));
            ThrowIfNewerThanThisBuild(current);
            if (current >= script.Version)
            {
                continue;
            }

            await connection.ExecuteAsync(new CommandDefinition(script.Sql, null, transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO schema_version (version, name, applied_at) VALUES (@Version, @Name, @AppliedAt)",
                new { script.Version, script.Name, AppliedAt = StoredTime.Write(TimeProvider.System.GetUtcNow()) },
                transaction, cancellationToken: cancellationToken));
            await transaction.CommitAsync(cancellationToken);
        }

        var reached = await ReadCurrentAsync(connection, cancellationToken);
        ThrowIfNewerThanThisBuild(reached);
        return reached;
    }

    public async Task<int> CurrentVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await ReadCurrentAsync(connection, cancellationToken);
    }

    /// <summary>0 for a database no migration has touched (no <c>schema_version</c> table yet).</summary>
    private static async Task<int> ReadCurrentAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        var hasTable = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'", cancellationToken: cancellationToken));
        return hasTable == 0 ? 0 : await connection.ExecuteScalarAsync<int>(new CommandDefinition(ReadVersion, cancellationToken: cancellationToken));
    }

    // An older build must not write to a schema it does not know: it could drop columns it has never heard of.
    private void ThrowIfNewerThanThisBuild(int current)
    {
        if (current > RequiredVersion)
        {
            throw new InvalidOperationException(
                $"The embedded state database is at schema version {current}, newer than this build's {RequiredVersion}. Run a newer Switchyard.");
        }
    }
}
