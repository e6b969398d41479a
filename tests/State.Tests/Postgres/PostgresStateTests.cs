using Npgsql;
using Switchyard.State.Postgres;
using static Switchyard.State.Tests.Contracts.StoreSamples;

namespace Switchyard.State.Tests.Postgres;

public sealed class PostgresStateTests(PostgresBackend backend) : IClassFixture<PostgresBackend>
{
    [Fact]
    public async Task Open_Url_ReadsWhatTheConnectionStringWrote()
    {
        var workspace = await backend.Keys.AddWorkspaceAsync(NewWorkspace(), default);
        var parts = new NpgsqlConnectionStringBuilder(backend.ConnectionString);
        var url = $"postgres://{Uri.EscapeDataString(parts.Username!)}@{parts.Host}:{parts.Port}/{parts.Database}?sslmode=disable";

        await using var stores = PostgresState.Open(url);

        Assert.Equal(stores.Migrator.RequiredVersion, await stores.Migrator.CurrentVersionAsync(default));
        Assert.Equal(workspace.Slug, (await stores.Keys.GetWorkspaceAsync(workspace.Id, default))!.Slug);
    }
}
