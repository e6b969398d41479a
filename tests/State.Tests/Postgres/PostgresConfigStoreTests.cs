using Switchyard.State.Tests.Contracts;
using static Switchyard.State.Tests.Contracts.StoreSamples;

namespace Switchyard.State.Tests.Postgres;

/// <summary>Replicas share the database, so saves of one slug race for real here.</summary>
public sealed class PostgresConfigStoreTests(PostgresBackend backend) : IClassFixture<PostgresBackend>
{
    [Fact]
    public async Task SaveAsync_TwentyConcurrentSavesOfOneSlug_NumbersThem1To20()
    {
        var workspace = await backend.Keys.AddWorkspaceAsync(NewWorkspace(), default);
        var config = NewConfig(workspace.Id);

        var saved = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            Task.Run(() => backend.Configs.SaveAsync(config with { ConfigJson = $$"""{"save":{{i}}}""" }, default))));

        Assert.Equal(Enumerable.Range(1, 20), saved.Select(c => c.Version).Order());
        var versions = await backend.Configs.VersionsAsync(workspace.Id, config.Slug, default);
        Assert.Equal(Enumerable.Range(1, 20), versions.Select(v => v.Version));
        // Each save's answer is the row it wrote: the version it was told is the one holding its JSON.
        Assert.All(saved, s => Assert.Equal(s.ConfigJson, versions[s.Version - 1].ConfigJson));
        StoreAssert.Same(versions[^1], 20, await backend.Configs.GetAsync(workspace.Id, config.Slug, default));
    }

    [Fact]
    public async Task SaveAsync_ConcurrentSavesOfTwoSlugs_NumberEachSlugSeparately()
    {
        var workspace = await backend.Keys.AddWorkspaceAsync(NewWorkspace(), default);
        var a = NewConfig(workspace.Id);
        var b = NewConfig(workspace.Id);

        await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            Task.Run(() => backend.Configs.SaveAsync(i % 2 == 0 ? a : b, default))));

        Assert.Equal(Enumerable.Range(1, 5), (await backend.Configs.VersionsAsync(workspace.Id, a.Slug, default)).Select(v => v.Version));
        Assert.Equal(Enumerable.Range(1, 5), (await backend.Configs.VersionsAsync(workspace.Id, b.Slug, default)).Select(v => v.Version));
    }

    [Fact]
    public async Task SaveAsync_NotJson_IsRefusedByTheSchema()
    {
        var workspace = await backend.Keys.AddWorkspaceAsync(NewWorkspace(), default);

        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => backend.Configs.SaveAsync(NewConfig(workspace.Id, json: "{not json"), default));
    }
}
