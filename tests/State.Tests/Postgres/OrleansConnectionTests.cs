using Npgsql;
using Switchyard.State.Postgres;

namespace Switchyard.State.Tests.Postgres;

public sealed class OrleansConnectionTests
{
    [Fact]
    public void ForOrleans_Url_SameServerAndCredentialsWithOrleansSchemaAndPool()
    {
        var built = new NpgsqlConnectionStringBuilder(
            PostgresConnection.ForOrleans("postgres://switchyard:s3cret@db.internal:6543/gateway?sslmode=require", maxPoolSize: 6));

        Assert.Equal("db.internal", built.Host);
        Assert.Equal(6543, built.Port);
        Assert.Equal("gateway", built.Database);
        Assert.Equal("switchyard", built.Username);
        Assert.Equal("s3cret", built.Password);
        Assert.Equal(SslMode.Require, built.SslMode);
        Assert.Equal("orleans", built.SearchPath);
        Assert.Equal(6, built.MaxPoolSize);
    }

    [Fact]
    public void ForOrleans_ConnectionStringWithItsOwnPoolAndSearchPath_TakesOrleansValues()
    {
        var built = new NpgsqlConnectionStringBuilder(PostgresConnection.ForOrleans(
            "Host=db;Username=switchyard;Database=gateway;Search Path=switchyard;Maximum Pool Size=50;Minimum Pool Size=20", maxPoolSize: 4));

        Assert.Equal("orleans", built.SearchPath);
        Assert.Equal(4, built.MaxPoolSize);
        Assert.Equal(4, built.MinPoolSize);
        Assert.Equal("db", built.Host);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void ForOrleans_PoolBelowOne_Throws(int maxPoolSize) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => PostgresConnection.ForOrleans("Host=db", maxPoolSize));

    [Fact]
    public async Task ForOrleans_Opened_ResolvesOrleansQueryUnqualified()
    {
        await using var database = new PostgresBackend();
        await database.InitializeAsync();
        await using var connection = new NpgsqlConnection(PostgresConnection.ForOrleans(database.ConnectionString, maxPoolSize: 2));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM OrleansQuery", connection);

        Assert.Equal(14L, await command.ExecuteScalarAsync());
    }
}
