using Dapper;
using Npgsql;

namespace Switchyard.State.Postgres;

/// <summary>
/// Every write runs here: one transaction that makes the change and, when something did change, queues its
/// <see cref="ChangeNotice"/>. PostgreSQL sends the notice at commit and drops it on rollback, so a listener never hears
/// of a change it cannot read.
/// </summary>
internal static class ChangeTransaction
{
    public static async Task<T> RunAsync<T>(
        NpgsqlDataSource dataSource,
        Func<NpgsqlConnection, NpgsqlTransaction, Task<(T Result, ChangeNotice? Notice)>> write,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var (result, notice) = await write(connection, transaction);
        if (notice is not null)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "SELECT pg_notify(@Channel, @Payload)", new { Channel = ChangeNotice.Channel, notice.Payload }, transaction,
                cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
        return result;
    }
}
