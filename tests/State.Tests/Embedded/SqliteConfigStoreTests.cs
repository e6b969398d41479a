using static Switchyard.State.Tests.Contracts.StoreSamples;

namespace Switchyard.State.Tests.Embedded;

public sealed class SqliteConfigStoreTests(SqliteBackendFixture fixture) : IClassFixture<SqliteBackendFixture>
{
    [Fact]
    public async Task Save_ManyConcurrentSavesOfOneSlug_GiveEachItsOwnVersion()
    {
        var workspace = await fixture.Backend.Keys.AddWorkspaceAsync(NewWorkspace(), default);
        var config = NewConfig(workspace.Id);

        var saved = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            Task.Run(() => fixture.Backend.Configs.SaveAsync(config with { ConfigJson = $$"""{"n":{{i}}}""" }, default))));

        Assert.Equal(Enumerable.Range(1, 16), saved.Select(c => c.Version).Order());
        var versions = await fixture.Backend.Configs.VersionsAsync(workspace.Id, config.Slug, default);
        Assert.Equal(Enumerable.Range(1, 16), versions.Select(c => c.Version));
        Assert.Equal(
            saved.OrderBy(c => c.Version).Select(c => c.ConfigJson),
            versions.Select(c => c.ConfigJson));
    }
}
