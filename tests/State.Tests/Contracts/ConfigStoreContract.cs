using static Switchyard.State.Tests.Contracts.StoreSamples;

namespace Switchyard.State.Tests.Contracts;

/// <summary>
/// The <see cref="IConfigStore"/> contract. The store assigns versions: a slug's first save is version 1 and each
/// later save adds the next (whatever <see cref="SavedConfig.Version"/> the caller passed); every other field is kept
/// as given, <see cref="SavedConfig.ConfigJson"/> character for character (a backend must not normalise it).
/// </summary>
public abstract class ConfigStoreContract
{
    protected abstract IStoreBackend Backend { get; }

    private IConfigStore Configs => Backend.Configs;

    private async Task<string> NewWorkspaceIdAsync() => (await Backend.Keys.AddWorkspaceAsync(NewWorkspace(), default)).Id;

    [Fact]
    public async Task Save_NewSlug_CreatesVersion1()
    {
        var config = NewConfig(await NewWorkspaceIdAsync());

        var saved = await Configs.SaveAsync(config, default);

        StoreAssert.Same(config, 1, saved);
        StoreAssert.Same(config, 1, await Configs.GetAsync(config.WorkspaceId, config.Slug, default));
    }

    [Fact]
    public async Task Save_CallersVersion_IsIgnored()
    {
        var config = NewConfig(await NewWorkspaceIdAsync()) with { Version = 7 };

        var saved = await Configs.SaveAsync(config, default);

        Assert.Equal(1, saved.Version);
    }

    [Fact]
    public async Task Save_SameSlugAgain_CreatesVersion2AndReadsReturnIt()
    {
        var first = NewConfig(await NewWorkspaceIdAsync());
        await Configs.SaveAsync(first, default);
        var second = first with { Name = "Routing v2", ConfigJson = """{"strategy":{"mode":"loadbalance"}}""", IsDefault = true, UpdatedAt = Now.AddHours(1) };

        var saved = await Configs.SaveAsync(second with { Version = 1 }, default);

        StoreAssert.Same(second, 2, saved);
        StoreAssert.Same(second, 2, await Configs.GetAsync(first.WorkspaceId, first.Slug, default));
        StoreAssert.Same(second, 2, Assert.Single(await Configs.ListAsync(first.WorkspaceId, default)));
    }

    [Fact]
    public async Task Versions_ThreeSaves_ListsAllInAscendingOrder()
    {
        var first = NewConfig(await NewWorkspaceIdAsync(), json: """{"v":1}""");
        var second = first with { ConfigJson = """{"v":2}""", UpdatedAt = Now.AddMinutes(1) };
        var third = first with { ConfigJson = """{"v":3}""", UpdatedAt = Now.AddMinutes(2) };
        foreach (var config in new[] { first, second, third })
        {
            await Configs.SaveAsync(config, default);
        }

        var versions = await Configs.VersionsAsync(first.WorkspaceId, first.Slug, default);

        Assert.Equal([1, 2, 3], versions.Select(v => v.Version));
        StoreAssert.Same(first, 1, versions[0]);
        StoreAssert.Same(second, 2, versions[1]);
        StoreAssert.Same(third, 3, versions[2]);
    }

    [Fact]
    public async Task Reads_UnknownSlug_ReturnNothing()
    {
        var workspaceId = await NewWorkspaceIdAsync();

        Assert.Null(await Configs.GetAsync(workspaceId, "no-such-config", default));
        Assert.Empty(await Configs.VersionsAsync(workspaceId, "no-such-config", default));
        Assert.Empty(await Configs.ListAsync(workspaceId, default));
        Assert.False(await Configs.DeleteAsync(workspaceId, "no-such-config", default));
    }

    [Fact]
    public async Task List_SeveralSlugs_ReturnsLatestVersionOfEach()
    {
        var workspaceId = await NewWorkspaceIdAsync();
        var a = NewConfig(workspaceId);
        var b = NewConfig(workspaceId);
        await Configs.SaveAsync(a, default);
        await Configs.SaveAsync(b, default);
        var a2 = a with { ConfigJson = """{"cache":{"mode":"simple"}}""" };
        await Configs.SaveAsync(a2, default);

        var list = await Configs.ListAsync(workspaceId, default);

        Assert.Equal(2, list.Count);
        StoreAssert.Same(a2, 2, Assert.Single(list, c => c.Slug == a.Slug));
        StoreAssert.Same(b, 1, Assert.Single(list, c => c.Slug == b.Slug));
    }

    [Fact]
    public async Task Reads_OtherWorkspace_SeeNothing()
    {
        var a = await NewWorkspaceIdAsync();
        var b = await NewWorkspaceIdAsync();
        var config = NewConfig(a);
        await Configs.SaveAsync(config, default);

        Assert.Null(await Configs.GetAsync(b, config.Slug, default));
        Assert.Empty(await Configs.ListAsync(b, default));
        Assert.Empty(await Configs.VersionsAsync(b, config.Slug, default));
        Assert.False(await Configs.DeleteAsync(b, config.Slug, default));
        StoreAssert.Same(config, 1, await Configs.GetAsync(a, config.Slug, default));
    }

    [Fact]
    public async Task Save_SameSlugInTwoWorkspaces_VersionsEachSeparately()
    {
        var a = await NewWorkspaceIdAsync();
        var b = await NewWorkspaceIdAsync();
        var inA = NewConfig(a, "shared-slug");
        await Configs.SaveAsync(inA, default);
        await Configs.SaveAsync(inA, default);

        var inB = await Configs.SaveAsync(NewConfig(b, "shared-slug"), default);

        Assert.Equal(1, inB.Version);
        Assert.Equal(2, (await Configs.GetAsync(a, "shared-slug", default))!.Version);
        Assert.Single(await Configs.VersionsAsync(b, "shared-slug", default));
    }

    [Fact]
    public async Task Delete_Existing_RemovesEveryVersionOnce()
    {
        var workspaceId = await NewWorkspaceIdAsync();
        var config = NewConfig(workspaceId);
        var kept = NewConfig(workspaceId);
        await Configs.SaveAsync(config, default);
        await Configs.SaveAsync(config, default);
        await Configs.SaveAsync(kept, default);

        Assert.True(await Configs.DeleteAsync(workspaceId, config.Slug, default));

        Assert.Null(await Configs.GetAsync(workspaceId, config.Slug, default));
        Assert.Empty(await Configs.VersionsAsync(workspaceId, config.Slug, default));
        Assert.Equal([kept.Slug], (await Configs.ListAsync(workspaceId, default)).Select(c => c.Slug));
        Assert.False(await Configs.DeleteAsync(workspaceId, config.Slug, default));
    }

    [Fact]
    public async Task Save_UnicodeAndWhitespaceInJson_RoundTripsCharacterForCharacter()
    {
        var json = "{\n  \"metadata\": { \"équipe\": \"東京 🚀\" },\n  \"override_params\": {\"temperature\": 0.70}\n}";
        var config = NewConfig(await NewWorkspaceIdAsync(), json: json) with { Name = "Config — 設定" };

        await Configs.SaveAsync(config, default);

        var read = await Configs.GetAsync(config.WorkspaceId, config.Slug, default);
        StoreAssert.Same(config, 1, read);
        Assert.Equal(json, read!.ConfigJson);
    }

    [Fact]
    public async Task Save_UnknownWorkspace_Throws()
    {
        await Assert.ThrowsAnyAsync<Exception>(() => Configs.SaveAsync(NewConfig("ws_nobody"), default));
    }
}
