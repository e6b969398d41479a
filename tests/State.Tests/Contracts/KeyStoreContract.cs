namespace Switchyard.State.Tests.Contracts;

/// <summary>
/// The contract every backend must pass (Orleans' idea: one conformance kit, many implementations). Subclasses
/// provide the backend; the assertions are the same for SQLite and PostgreSQL.
/// </summary>
public abstract class KeyStoreContract
{
    protected abstract IStoreBackend Backend { get; }

    private IKeyStore Keys => Backend.Keys;

    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    protected static Workspace NewWorkspace(string slug) => new(
        $"ws_{Guid.NewGuid():N}", slug, $"Team {slug}", "the team", new Dictionary<string, string> { ["team"] = slug },
        new Limits(new UsageLimits(100m, null, BudgetPeriod.Monthly, "UTC", [50, 80], true), [new RateLimit(RateLimitKind.Requests, RateLimitUnit.PerMinute, 60)], 10),
        false, Now, Now);

    protected static ApiKey NewApiKey(string workspaceId, string hash) => new(
        $"key_{Guid.NewGuid():N}", workspaceId, "ci key", null, hash, "sk-sy-ab…yz", ["completions.write"], ["gpt-4o-mini"], null, null,
        new Dictionary<string, string>(), Limits.None, null, null, Now, Now);

    protected static VirtualKey NewVirtualKey(string workspaceId, string slug) => new(
        $"vk_{Guid.NewGuid():N}", workspaceId, slug, "OpenAI prod", "openai", new SealedSecret("k1", [1, 2, 3], [4, 5, 6], [7, 8]), "sk-…abcd",
        new Dictionary<string, string> { ["openai_organization"] = "org-1" }, "a note", Limits.None, null, Now, Now);

    [Fact]
    public async Task Workspace_AddThenGet_RoundTripsEveryField()
    {
        var workspace = NewWorkspace("alpha-" + Guid.NewGuid().ToString("N")[..6]);
        await Keys.AddWorkspaceAsync(workspace, default);

        var byId = await Keys.GetWorkspaceAsync(workspace.Id, default);
        var bySlug = await Keys.GetWorkspaceAsync(workspace.Slug, default);

        AssertSame(workspace, byId!);
        AssertSame(workspace, bySlug!);
    }

    [Fact]
    public async Task ApiKey_FindByHash_FindsOnlyThatKey()
    {
        var workspace = await Keys.AddWorkspaceAsync(NewWorkspace("beta-" + Guid.NewGuid().ToString("N")[..6]), default);
        var key = await Keys.AddApiKeyAsync(NewApiKey(workspace.Id, "hash-" + Guid.NewGuid()), default);

        var found = await Keys.FindApiKeyByHashAsync(key.KeyHash, default);

        Assert.Equal(key.Id, found!.Id);
        Assert.Equal(key.AllowedModels, found.AllowedModels);
        Assert.Null(await Keys.FindApiKeyByHashAsync("no-such-hash", default));
    }

    [Fact]
    public async Task VirtualKey_OtherWorkspace_IsInvisible()
    {
        var a = await Keys.AddWorkspaceAsync(NewWorkspace("a-" + Guid.NewGuid().ToString("N")[..6]), default);
        var b = await Keys.AddWorkspaceAsync(NewWorkspace("b-" + Guid.NewGuid().ToString("N")[..6]), default);
        await Keys.AddVirtualKeyAsync(NewVirtualKey(a.Id, "openai-prod"), default);

        Assert.NotNull(await Keys.GetVirtualKeyAsync(a.Id, "openai-prod", default));
        Assert.Null(await Keys.GetVirtualKeyAsync(b.Id, "openai-prod", default));
        Assert.Empty(await Keys.ListVirtualKeysAsync(b.Id, default));
    }

    private static void AssertSame(Workspace expected, Workspace actual)
    {
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.Slug, actual.Slug);
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.Description, actual.Description);
        Assert.Equal(expected.DefaultMetadata, actual.DefaultMetadata);
        Assert.Equal(expected.Limits.Usage, actual.Limits.Usage! with { AlertThresholds = expected.Limits.Usage!.AlertThresholds });
        Assert.Equal(expected.Limits.Usage!.AlertThresholds, actual.Limits.Usage!.AlertThresholds);
        Assert.Equal(expected.Limits.Rates, actual.Limits.Rates);
        Assert.Equal(expected.Limits.MaxConcurrentRequests, actual.Limits.MaxConcurrentRequests);
        Assert.Equal(expected.CreatedAt, actual.CreatedAt);
    }
}
