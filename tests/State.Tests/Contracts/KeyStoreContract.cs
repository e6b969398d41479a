using static Switchyard.State.Tests.Contracts.StoreSamples;

namespace Switchyard.State.Tests.Contracts;

/// <summary>
/// The <see cref="IKeyStore"/> contract every backend must pass (Orleans' idea: one conformance kit, many
/// implementations). Subclasses provide the backend; the assertions are the same for SQLite and PostgreSQL.
/// </summary>
/// <remarks>
/// Duplicates (a workspace slug, an API key hash, a virtual key slug within a workspace, any id), by an add or an
/// update, must be refused with <see cref="StateConflictException"/> whose message names what collided (the admin API
/// answers 409 with it), and leave the stored records as they were.
/// An update is scoped like a read: it replaces the record with that id in the record's workspace, so it can never
/// move a key from one tenant to another.
/// </remarks>
public abstract class KeyStoreContract
{
    protected abstract IStoreBackend Backend { get; }

    private IKeyStore Keys => Backend.Keys;

    // ---- workspaces

    [Fact]
    public async Task AddWorkspace_ThenGetByIdAndSlug_RoundTripsEveryField()
    {
        var workspace = NewWorkspace();

        var added = await Keys.AddWorkspaceAsync(workspace, default);

        StoreAssert.Same(workspace, added);
        StoreAssert.Same(workspace, await Keys.GetWorkspaceAsync(workspace.Id, default));
        StoreAssert.Same(workspace, await Keys.GetWorkspaceAsync(workspace.Slug, default));
    }

    [Fact]
    public async Task GetWorkspace_Unknown_ReturnsNull()
    {
        Assert.Null(await Keys.GetWorkspaceAsync("ws_nobody", default));
    }

    [Fact]
    public async Task ListWorkspaces_AfterAdds_ContainsEach()
    {
        var a = await Keys.AddWorkspaceAsync(NewWorkspace(), default);
        var b = await Keys.AddWorkspaceAsync(NewWorkspace() with { Archived = true }, default);

        var all = await Keys.ListWorkspacesAsync(default);

        StoreAssert.Same(a, Assert.Single(all, w => w.Id == a.Id));
        StoreAssert.Same(b, Assert.Single(all, w => w.Id == b.Id));
    }

    [Fact]
    public async Task UpdateWorkspace_Existing_ReplacesEveryField()
    {
        var workspace = await Keys.AddWorkspaceAsync(NewWorkspace(), default);
        var changed = workspace with
        {
            Slug = Unique("renamed"),
            Name = "Renamed",
            Description = null,
            DefaultMetadata = new Dictionary<string, string>(),
            Limits = Limits.None,
            Archived = true,
            UpdatedAt = Now.AddHours(1),
        };

        Assert.True(await Keys.UpdateWorkspaceAsync(changed, default));

        StoreAssert.Same(changed, await Keys.GetWorkspaceAsync(workspace.Id, default));
        Assert.Null(await Keys.GetWorkspaceAsync(workspace.Slug, default));
    }

    [Fact]
    public async Task UpdateWorkspace_Missing_ReturnsFalseAndCreatesNothing()
    {
        var ghost = NewWorkspace();

        Assert.False(await Keys.UpdateWorkspaceAsync(ghost, default));
        Assert.Null(await Keys.GetWorkspaceAsync(ghost.Id, default));
    }

    [Fact]
    public async Task AddWorkspace_DuplicateSlug_ThrowsConflictNamingTheSlug()
    {
        var workspace = await Keys.AddWorkspaceAsync(NewWorkspace(), default);
        var duplicate = NewWorkspace(workspace.Slug);

        var error = await Assert.ThrowsAsync<StateConflictException>(() => Keys.AddWorkspaceAsync(duplicate, default));

        Assert.Equal($"a workspace with slug '{workspace.Slug}' already exists", error.Message);
        Assert.Null(await Keys.GetWorkspaceAsync(duplicate.Id, default));
    }

    [Fact]
    public async Task AddWorkspace_DuplicateId_ThrowsConflictNamingTheId()
    {
        var workspace = await Keys.AddWorkspaceAsync(NewWorkspace(), default);

        var error = await Assert.ThrowsAsync<StateConflictException>(() => Keys.AddWorkspaceAsync(NewWorkspace() with { Id = workspace.Id }, default));

        Assert.Equal($"a workspace with id '{workspace.Id}' already exists", error.Message);
        StoreAssert.Same(workspace, await Keys.GetWorkspaceAsync(workspace.Id, default));
    }

    [Fact]
    public async Task UpdateWorkspace_SlugOfAnother_ThrowsConflictAndChangesNothing()
    {
        var taken = await Keys.AddWorkspaceAsync(NewWorkspace(), default);
        var workspace = await Keys.AddWorkspaceAsync(NewWorkspace(), default);

        var error = await Assert.ThrowsAsync<StateConflictException>(() => Keys.UpdateWorkspaceAsync(workspace with { Slug = taken.Slug, Name = "x" }, default));

        Assert.Equal($"a workspace with slug '{taken.Slug}' already exists", error.Message);
        StoreAssert.Same(workspace, await Keys.GetWorkspaceAsync(workspace.Id, default));
    }

    [Fact]
    public async Task AddWorkspace_PriceOverrides_RoundTripAndUpdateReplacesThem()
    {
        var workspace = NewWorkspace() with
        {
            PriceOverrides = new Dictionary<string, ModelPriceOverride>
            {
                ["openai/gpt-4o"] = new(2.5m, 10m),
                ["my-fine-tune"] = new(0.000001m, 123456.789012m),
            },
        };

        await Keys.AddWorkspaceAsync(workspace, default);
        StoreAssert.Same(workspace, await Keys.GetWorkspaceAsync(workspace.Id, default));

        var changed = workspace with { PriceOverrides = new Dictionary<string, ModelPriceOverride> { ["claude-sonnet-4"] = new(3m, 15m) } };
        Assert.True(await Keys.UpdateWorkspaceAsync(changed, default));
        StoreAssert.Same(changed, await Keys.GetWorkspaceAsync(workspace.Id, default));
        StoreAssert.Same(changed, Assert.Single((await Keys.LoadSnapshotAsync(default)).Workspaces, w => w.Id == workspace.Id));
    }

    [Fact]
    public async Task AddWorkspace_LogPolicy_RoundTripsAndUpdateReplacesIt()
    {
        var workspace = NewWorkspace() with { Logging = new LogPolicy(LogBodies.Off, LogPolicy.MaxRetentionDays) };

        await Keys.AddWorkspaceAsync(workspace, default);
        Assert.Equal(workspace.Logging, (await Keys.GetWorkspaceAsync(workspace.Id, default))!.Logging);

        var changed = workspace with { Logging = new LogPolicy(LogBodies.Redacted, 1) };
        Assert.True(await Keys.UpdateWorkspaceAsync(changed, default));
        Assert.Equal(changed.Logging, (await Keys.GetWorkspaceAsync(workspace.Id, default))!.Logging);
        Assert.Equal(changed.Logging, Assert.Single((await Keys.ListWorkspacesAsync(default)), w => w.Id == workspace.Id).Logging);
        Assert.Equal(changed.Logging, Assert.Single((await Keys.LoadSnapshotAsync(default)).Workspaces, w => w.Id == workspace.Id).Logging);
    }

    [Fact]
    public async Task AddWorkspace_NoPriceOverrides_ReadsEmpty()
    {
        var workspace = NewWorkspace() with { PriceOverrides = Workspace.NoPriceOverrides };

        await Keys.AddWorkspaceAsync(workspace, default);

        Assert.Empty((await Keys.GetWorkspaceAsync(workspace.Id, default))!.PriceOverrides);
    }

    [Fact]
    public async Task AlertWebhookUrl_InLimitsOfEveryRecord_RoundTripsAndNullStaysNull()
    {
        var withUrl = FullLimits with { Usage = FullLimits.Usage! with { AlertWebhookUrl = "https://hooks.example.com/budget?team=é" } };
        var withoutUrl = FullLimits with { Usage = FullLimits.Usage! with { AlertWebhookUrl = null } };
        var workspace = await Keys.AddWorkspaceAsync(NewWorkspace() with { Limits = withUrl }, default);
        var key = await Keys.AddApiKeyAsync(NewApiKey(workspace.Id) with { Limits = withoutUrl }, default);
        var virtualKey = await Keys.AddVirtualKeyAsync(NewVirtualKey(workspace.Id) with { Limits = withUrl }, default);

        Assert.Equal("https://hooks.example.com/budget?team=é", (await Keys.GetWorkspaceAsync(workspace.Id, default))!.Limits.Usage!.AlertWebhookUrl);
        Assert.Null((await Keys.GetApiKeyAsync(workspace.Id, key.Id, default))!.Limits.Usage!.AlertWebhookUrl);
        Assert.Equal("https://hooks.example.com/budget?team=é", (await Keys.GetVirtualKeyAsync(workspace.Id, virtualKey.Slug, default))!.Limits.Usage!.AlertWebhookUrl);
    }

    [Fact]
    public async Task AddWorkspace_UnicodeText_RoundTrips()
    {
        var workspace = NewWorkspace() with
        {
            Name = "Équipe 東京 🚀",
            Description = "Ünïcödé — \"quotes\", 'apostrophes', back\\slash, new\nline, tab\t, NUL-free",
            DefaultMetadata = new Dictionary<string, string> { ["ключ"] = "значение", ["emoji 🔑"] = "🧪", ["empty"] = "" },
        };

        await Keys.AddWorkspaceAsync(workspace, default);

        StoreAssert.Same(workspace, await Keys.GetWorkspaceAsync(workspace.Id, default));
    }

    [Fact]
    public async Task AddWorkspace_NullOptionalFieldsAndNoLimits_RoundTripExactly()
    {
        var workspace = NewWorkspace() with { Description = null, DefaultMetadata = new Dictionary<string, string>(), Limits = Limits.None };

        await Keys.AddWorkspaceAsync(workspace, default);

        var read = await Keys.GetWorkspaceAsync(workspace.Id, default);
        StoreAssert.Same(workspace, read);
        Assert.Null(read!.Description);
        Assert.Null(read.Limits.Usage);
        Assert.Empty(read.Limits.Rates);
        Assert.Null(read.Limits.MaxConcurrentRequests);
    }

    [Fact]
    public async Task AddWorkspace_EmptyOptionalFieldsAndPartialLimits_RoundTripExactly()
    {
        var workspace = NewWorkspace() with
        {
            Description = "",
            Limits = new Limits(new UsageLimits(null, 1000, BudgetPeriod.None, "UTC", [], false), [], 0),
        };

        await Keys.AddWorkspaceAsync(workspace, default);

        var read = await Keys.GetWorkspaceAsync(workspace.Id, default);
        StoreAssert.Same(workspace, read);
        Assert.Equal("", read!.Description);
        Assert.Null(read.Limits.Usage!.CostLimitUsd);
        Assert.Equal(0, read.Limits.MaxConcurrentRequests);
    }

    [Fact]
    public async Task Timestamps_MicrosecondsAndOffsets_RoundTripToTheMicrosecondAtUtc()
    {
        // 123456 µs, written at +05:30 and -08:00: reads must give the same instant, at offset zero.
        var created = new DateTimeOffset(2026, 3, 29, 1, 59, 59, TimeSpan.FromHours(5.5)).AddTicks(1_234_560);
        var updated = new DateTimeOffset(2026, 12, 31, 23, 59, 59, TimeSpan.Zero).AddTicks(9_999_990);
        var workspace = await Keys.AddWorkspaceAsync(NewWorkspace() with { CreatedAt = created, UpdatedAt = updated }, default);
        var key = NewApiKey(workspace.Id) with
        {
            ExpiresAt = new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.FromHours(-8)).AddTicks(10),
            RevokedAt = new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero).AddTicks(1_000_010),
            CreatedAt = created,
            UpdatedAt = updated,
        };
        await Keys.AddApiKeyAsync(key, default);

        var readWorkspace = await Keys.GetWorkspaceAsync(workspace.Id, default);
        var readKey = await Keys.GetApiKeyAsync(workspace.Id, key.Id, default);

        StoreAssert.Same(workspace, readWorkspace);
        StoreAssert.Same(key, readKey);
        Assert.Equal(new DateTimeOffset(2026, 3, 28, 20, 29, 59, TimeSpan.Zero).AddTicks(1_234_560), readWorkspace!.CreatedAt);
    }

    // ---- API keys

    [Fact]
    public async Task AddApiKey_ThenGet_RoundTripsEveryField()
    {
        var workspace = await Keys.AddWorkspaceAsync(NewWorkspace(), default);
        var key = NewApiKey(workspace.Id);

        var added = await Keys.AddApiKeyAsync(key, default);

        StoreAssert.Same(key, added);
        StoreAssert.Same(key, await Keys.GetApiKeyAsync(workspace.Id, key.Id, default));
    }

    [Fact]
    public async Task FindApiKeyByHash_FindsOnlyThatKey()
    {
        var workspace = await Keys.AddWorkspaceAsync(NewWorkspace(), default);
        var key = await Keys.AddApiKeyAsync(NewApiKey(workspace.Id), default);
        await Keys.AddApiKeyAsync(NewApiKey(workspace.Id), default);

        StoreAssert.Same(key, await Keys.FindApiKeyByHashAsync(key.KeyHash, default));
        Assert.Null(await Keys.FindApiKeyByHashAsync("no-such-hash", default));
    }

    [Fact]
    public async Task GetApiKey_FromOtherWorkspace_ReturnsNull()
    {
        var a = await Keys.AddWorkspaceAsync(NewWorkspace(), default);
        var b = await Keys.AddWorkspaceAsync(NewWorkspace(), default);
        var key = await Keys.AddApiKeyAsync(NewApiKey(a.Id), default);

        Assert.Null(await Keys.GetApiKeyAsync(b.Id, key.Id, default));
        Assert.Null(await Keys.GetApiKeyAsync(a.Id, "key_nobody", default));
    }

    [Fact]
    public async Task ListApiKeys_ReturnsExactlyThatWorkspacesKeys()
    {
        var a = await Keys.AddWorkspaceAsync(NewWorkspace(), default);
        var b = await Keys.AddWorkspaceAsync(NewWorkspace(), default);
        var a1 = await Keys.AddApiKeyAsync(NewApiKey(a.Id), default);
        var a2 = await Keys.AddApiKeyAsync(NewApiKey(a.Id) with { RevokedAt = Now }, default);
        var b1 = await Keys.AddApiKeyAsync(NewApiKey(b.Id), default);

        var listA = await Keys.ListApiKeysAsync(a.Id, default);
        var listB = await Keys.ListApiKeysAsync(b.Id, default);

        Assert.Equal(new[] { a1.Id, a2.Id }.Order(), listA.Select(k => k.Id).Order());
        StoreAssert.Same(a2, Assert.Single(listA, k => k.Id == a2.Id));
        StoreAssert.Same(b1, Assert.Single(listB));
        Assert.Empty(await Keys.ListApiKeysAsync("ws_nobody", default));
    }

    [Fact]
    public async Task UpdateApiKey_Revoke_RevocationFieldsRoundTrip()
    {
        var workspace = await Keys.AddWorkspaceAsync(NewWorkspace(), default);
        var key = await Keys.AddApiKeyAsync(NewApiKey(workspace.Id), default);
        var revoked = key with { RevokedAt = Now.AddMinutes(5), ExpiresAt = null, UpdatedAt = Now.AddMinutes(5) };

        Assert.True(await Keys.UpdateApiKeyAsync(revoked, default));

        StoreAssert.Same(revoked, await Keys.GetApiKeyAsync(workspace.Id, key.Id, default));
        StoreAssert.Same(revoked, await Keys.FindApiKeyByHashAsync(key.KeyHash, default));
    }

    [Fact]
    public async Task UpdateApiKey_Existing_ReplacesEveryField()
    {
        var workspace = await Keys.AddWorkspaceAsync(NewWorkspace(), default);
        var key = await Keys.AddApiKeyAsync(NewApiKey(workspace.Id), default);
        var changed = key with
        {
            Name = "renamed",
            Description = null,
            Scopes = ["admin"],
            AllowedModels = null,
            AllowedProviders = [],
            DefaultConfigSlug = null,
            DefaultMetadata = new Dictionary<string, string> { ["k"] = "v" },
            Limits = Limits.None,
            UpdatedAt = Now.AddDays(1),
        };

        Assert.True(await Keys.UpdateApiKeyAsync(changed, default));

        StoreAssert.Same(changed, await Keys.GetApiKeyAsync(workspace.Id, key.Id, default));
    }

    [Fact]
    public async Task UpdateApiKey_Missing_ReturnsFalse()
    {
        var workspace = await Keys.AddWorkspaceAsync(NewWorkspace(), default);
        var ghost = NewApiKey(workspace.Id);

        Assert.False(await Keys.UpdateApiKeyAsync(ghost, default));
        Assert.Null(await Keys.GetApiKeyAsync(workspace.Id, ghost.Id, default));
    }

    [Fact]
    public async Task UpdateApiKey_UnderOtherWorkspace_ReturnsFalseAndLeavesTheKey()
    {
        var a = await Keys.AddWorkspaceAsync(NewWorkspace(), default);
        var b = await Keys.AddWorkspaceAsync(NewWorkspace(), default);
        var key = await Keys.AddApiKeyAsync(NewApiKey(a.Id), default);

        Assert.False(await Keys.UpdateApiKeyAsync(key with { WorkspaceId = b.Id, Name = "stolen" }, default));

        StoreAssert.Same(key, await Keys.GetApiKeyAsync(a.Id, key.Id, default));
        Assert.Empty(await Keys.ListApiKeysAsync(b.Id, default));
    }

    [Fact]
    public async Task AddApiKey_DuplicateHash_ThrowsConflict()
    {
        var workspace = await Keys.AddWorkspaceAsync(NewWorkspace(), default);
        var key = await Keys.AddApiKeyAsync(NewApiKey(workspace.Id), default);
        var duplicate = NewApiKey(workspace.Id) with { KeyHash = key.KeyHash };

        var error = await Assert.ThrowsAsync<StateConflictException>(() => Keys.AddApiKeyAsync(duplicate, default));

        Assert.Equal("an API key with the same key hash already exists", error.Message);
        Assert.Null(await Keys.GetApiKeyAsync(workspace.Id, duplicate.Id, default));
    }

    [Fact]
    public async Task AddApiKey_DuplicateId_ThrowsConflictNamingTheId()
    {
        var workspace = await Keys.AddWorkspaceAsync(NewWorkspace(), default);
        var key = await Keys.AddApiKeyAsync(NewApiKey(workspace.Id), default);

        var error = await Assert.ThrowsAsync<StateConflictException>(() => Keys.AddApiKeyAsync(NewApiKey(workspace.Id) with { Id = key.Id }, default));

        Assert.Equal($"an API key with id '{key.Id}' already exists", error.Message);
    }

    [Fact]
    public async Task UpdateApiKey_HashOfAnother_ThrowsConflictAndChangesNothing()
    {
        var workspace = await Keys.AddWorkspaceAsync(NewWorkspace(), default);
        var taken = await Keys.AddApiKeyAsync(NewApiKey(workspace.Id), default);
        var key = await Keys.AddApiKeyAsync(NewApiKey(workspace.Id), default);

        var error = await Assert.ThrowsAsync<StateConflictException>(() => Keys.UpdateApiKeyAsync(key with { KeyHash = taken.KeyHash }, default));

        Assert.Equal("an API key with the same key hash already exists", error.Message);
        StoreAssert.Same(key, await Keys.GetApiKeyAsync(workspace.Id, key.Id, default));
    }

    [Fact]
    public async Task ApiKeyType_DefaultAndOrganisation_RoundTripAndUpdate()
    {
        var workspace = await Keys.AddWorkspaceAsync(NewWorkspace(), default);
        var plain = await Keys.AddApiKeyAsync(NewApiKey(workspace.Id), default);
        var admin = await Keys.AddApiKeyAsync(NewApiKey(workspace.Id) with { Type = ApiKeyType.Organisation }, default);

        Assert.Equal(ApiKeyType.Workspace, (await Keys.GetApiKeyAsync(workspace.Id, plain.Id, default))!.Type);
        Assert.Equal(ApiKeyType.Organisation, (await Keys.GetApiKeyAsync(workspace.Id, admin.Id, default))!.Type);
        Assert.Equal(ApiKeyType.Organisation, (await Keys.FindApiKeyByHashAsync(admin.KeyHash, default))!.Type);
        Assert.Equal(ApiKeyType.Organisation, Assert.Single((await Keys.LoadSnapshotAsync(default)).ApiKeys, k => k.Id == admin.Id).Type);

        Assert.True(await Keys.UpdateApiKeyAsync(plain with { Type = ApiKeyType.Organisation }, default));
        Assert.Equal(ApiKeyType.Organisation, (await Keys.GetApiKeyAsync(workspace.Id, plain.Id, default))!.Type);
    }

    [Fact]
    public async Task AddApiKey_UnknownWorkspace_Throws()
    {
        await Assert.ThrowsAnyAsync<Exception>(() => Keys.AddApiKeyAsync(NewApiKey("ws_nobody"), default));
    }

    [Fact]
    public async Task AddApiKey_NullOptionalFields_RoundTripAsNull()
    {
        var workspace = await Keys.AddWorkspaceAsync(NewWorkspace(), default);
        var key = NewApiKey(workspace.Id) with
        {
            Description = null,
            AllowedModels = null,
            AllowedProviders = null,
            DefaultConfigSlug = null,
            Limits = Limits.None,
            ExpiresAt = null,
            RevokedAt = null,
        };

        await Keys.AddApiKeyAsync(key, default);

        var read = await Keys.GetApiKeyAsync(workspace.Id, key.Id, default);
        StoreAssert.Same(key, read);
        Assert.Null(read!.AllowedModels);
        Assert.Null(read.AllowedProviders);
    }

    [Fact]
    public async Task AddApiKey_EmptyOptionalFields_RoundTripAsEmpty()
    {
        // An empty allow-list allows nothing; it must not come back as null (which allows everything).
        var workspace = await Keys.AddWorkspaceAsync(NewWorkspace(), default);
        var key = NewApiKey(workspace.Id) with
        {
            Description = "",
            Scopes = [],
            AllowedModels = [],
            AllowedProviders = [],
            DefaultConfigSlug = "",
            DefaultMetadata = new Dictionary<string, string>(),
        };

        await Keys.AddApiKeyAsync(key, default);

        var read = await Keys.GetApiKeyAsync(workspace.Id, key.Id, default);
        StoreAssert.Same(key, read);
        Assert.NotNull(read!.AllowedModels);
        Assert.Empty(read.AllowedModels);
        Assert.Equal("", read.DefaultConfigSlug);
    }

    // ---- virtual keys

    [Fact]
    public async Task AddVirtualKey_ThenGet_RoundTripsEveryField()
    {
        var workspace = await Keys.AddWorkspaceAsync(NewWorkspace(), default);
        var key = NewVirtualKey(workspace.Id);

        var added = await Keys.AddVirtualKeyAsync(key, default);

        StoreAssert.Same(key, added);
        StoreAssert.Same(key, await Keys.GetVirtualKeyAsync(workspace.Id, key.Slug, default));
    }

    [Fact]
    public async Task VirtualKey_OtherWorkspace_IsInvisibleToEveryRead()
    {
        var a = await Keys.AddWorkspaceAsync(NewWorkspace(), default);
        var b = await Keys.AddWorkspaceAsync(NewWorkspace(), default);
        var key = await Keys.AddVirtualKeyAsync(NewVirtualKey(a.Id, "openai-prod"), default);

        Assert.NotNull(await Keys.GetVirtualKeyAsync(a.Id, "openai-prod", default));
        Assert.Null(await Keys.GetVirtualKeyAsync(b.Id, "openai-prod", default));
        Assert.Empty(await Keys.ListVirtualKeysAsync(b.Id, default));
        Assert.False(await Keys.DeleteVirtualKeyAsync(b.Id, "openai-prod", default));
        Assert.False(await Keys.UpdateVirtualKeyAsync(key with { WorkspaceId = b.Id }, default));
        StoreAssert.Same(key, await Keys.GetVirtualKeyAsync(a.Id, "openai-prod", default));
    }

    [Fact]
    public async Task AddVirtualKey_SameSlugInTwoWorkspaces_KeepsThemApart()
    {
        var a = await Keys.AddWorkspaceAsync(NewWorkspace(), default);
        var b = await Keys.AddWorkspaceAsync(NewWorkspace(), default);
        var inA = await Keys.AddVirtualKeyAsync(NewVirtualKey(a.Id, "anthropic"), default);
        var inB = await Keys.AddVirtualKeyAsync(NewVirtualKey(b.Id, "anthropic") with { Provider = "anthropic" }, default);

        StoreAssert.Same(inA, await Keys.GetVirtualKeyAsync(a.Id, "anthropic", default));
        StoreAssert.Same(inB, await Keys.GetVirtualKeyAsync(b.Id, "anthropic", default));
    }

    [Fact]
    public async Task AddVirtualKey_DuplicateSlugInOneWorkspace_Throws()
    {
        var workspace = await Keys.AddWorkspaceAsync(NewWorkspace(), default);
        var key = await Keys.AddVirtualKeyAsync(NewVirtualKey(workspace.Id), default);

        await Assert.ThrowsAnyAsync<Exception>(() => Keys.AddVirtualKeyAsync(NewVirtualKey(workspace.Id, key.Slug), default));
        StoreAssert.Same(key, await Keys.GetVirtualKeyAsync(workspace.Id, key.Slug, default));
    }

    [Fact]
    public async Task AddVirtualKey_UnknownWorkspace_Throws()
    {
        await Assert.ThrowsAnyAsync<Exception>(() => Keys.AddVirtualKeyAsync(NewVirtualKey("ws_nobody"), default));
    }

    [Fact]
    public async Task ListVirtualKeys_ReturnsExactlyThatWorkspacesKeys()
    {
        var a = await Keys.AddWorkspaceAsync(NewWorkspace(), default);
        var b = await Keys.AddWorkspaceAsync(NewWorkspace(), default);
        var a1 = await Keys.AddVirtualKeyAsync(NewVirtualKey(a.Id), default);
        var a2 = await Keys.AddVirtualKeyAsync(NewVirtualKey(a.Id), default);
        await Keys.AddVirtualKeyAsync(NewVirtualKey(b.Id), default);

        var listA = await Keys.ListVirtualKeysAsync(a.Id, default);

        Assert.Equal(new[] { a1.Id, a2.Id }.Order(), listA.Select(k => k.Id).Order());
        StoreAssert.Same(a2, Assert.Single(listA, k => k.Id == a2.Id));
    }

    [Fact]
    public async Task UpdateVirtualKey_RotatedSecret_KeepsSlugAndReplacesSecret()
    {
        var workspace = await Keys.AddWorkspaceAsync(NewWorkspace(), default);
        var key = await Keys.AddVirtualKeyAsync(NewVirtualKey(workspace.Id), default);
        var rotated = key with
        {
            Secret = new SealedSecret("k2", [9, 9, 9], [8, 8, 8, 8], [7]),
            Hint = "sk-…wxyz",
            ProviderOptions = new Dictionary<string, string>(),
            Note = null,
            Limits = Limits.None,
            ExpiresAt = null,
            UpdatedAt = Now.AddDays(2),
        };

        Assert.True(await Keys.UpdateVirtualKeyAsync(rotated, default));

        StoreAssert.Same(rotated, await Keys.GetVirtualKeyAsync(workspace.Id, key.Slug, default));
    }

    [Fact]
    public async Task UpdateVirtualKey_Missing_ReturnsFalse()
    {
        var workspace = await Keys.AddWorkspaceAsync(NewWorkspace(), default);
        var ghost = NewVirtualKey(workspace.Id);

        Assert.False(await Keys.UpdateVirtualKeyAsync(ghost, default));
        Assert.Null(await Keys.GetVirtualKeyAsync(workspace.Id, ghost.Slug, default));
    }

    [Fact]
    public async Task DeleteVirtualKey_Existing_RemovesItOnce()
    {
        var workspace = await Keys.AddWorkspaceAsync(NewWorkspace(), default);
        var key = await Keys.AddVirtualKeyAsync(NewVirtualKey(workspace.Id), default);
        var kept = await Keys.AddVirtualKeyAsync(NewVirtualKey(workspace.Id), default);

        Assert.True(await Keys.DeleteVirtualKeyAsync(workspace.Id, key.Slug, default));

        Assert.Null(await Keys.GetVirtualKeyAsync(workspace.Id, key.Slug, default));
        Assert.Equal([kept.Id], (await Keys.ListVirtualKeysAsync(workspace.Id, default)).Select(k => k.Id));
        Assert.False(await Keys.DeleteVirtualKeyAsync(workspace.Id, key.Slug, default));
    }

    [Fact]
    public async Task DeleteVirtualKey_ThenAddSameSlug_Succeeds()
    {
        var workspace = await Keys.AddWorkspaceAsync(NewWorkspace(), default);
        var key = await Keys.AddVirtualKeyAsync(NewVirtualKey(workspace.Id), default);
        await Keys.DeleteVirtualKeyAsync(workspace.Id, key.Slug, default);

        var again = await Keys.AddVirtualKeyAsync(NewVirtualKey(workspace.Id, key.Slug), default);

        StoreAssert.Same(again, await Keys.GetVirtualKeyAsync(workspace.Id, key.Slug, default));
    }

    [Fact]
    public async Task AddVirtualKey_NullAndEmptyOptionalFields_RoundTripExactly()
    {
        var workspace = await Keys.AddWorkspaceAsync(NewWorkspace(), default);
        var withNulls = NewVirtualKey(workspace.Id) with
        {
            Note = null,
            ProviderOptions = new Dictionary<string, string>(),
            Limits = Limits.None,
            ExpiresAt = null,
        };
        // AES-GCM of an empty plaintext has an empty ciphertext; it must not come back as null.
        var withEmpties = NewVirtualKey(workspace.Id) with { Note = "", Secret = new SealedSecret("k1", [1, 2], [], [3]) };

        await Keys.AddVirtualKeyAsync(withNulls, default);
        await Keys.AddVirtualKeyAsync(withEmpties, default);

        StoreAssert.Same(withNulls, await Keys.GetVirtualKeyAsync(workspace.Id, withNulls.Slug, default));
        var read = await Keys.GetVirtualKeyAsync(workspace.Id, withEmpties.Slug, default);
        StoreAssert.Same(withEmpties, read);
        Assert.Equal("", read!.Note);
        Assert.NotNull(read.Secret.Ciphertext);
        Assert.Empty(read.Secret.Ciphertext);
    }

    [Fact]
    public async Task AddVirtualKey_UnicodeText_RoundTrips()
    {
        var workspace = await Keys.AddWorkspaceAsync(NewWorkspace(), default);
        var key = NewVirtualKey(workspace.Id, Unique("clé-東京")) with
        {
            Name = "Prod — 本番 🚀",
            Note = "naïve café",
            ProviderOptions = new Dictionary<string, string> { ["région"] = "eu-west-1 ✓" },
        };

        await Keys.AddVirtualKeyAsync(key, default);

        StoreAssert.Same(key, await Keys.GetVirtualKeyAsync(workspace.Id, key.Slug, default));
    }

    // ---- snapshot

    [Fact]
    public async Task LoadSnapshot_ContainsEveryRecordIncludingArchivedRevokedAndConfigs()
    {
        var workspace = await Keys.AddWorkspaceAsync(NewWorkspace(), default);
        var archived = await Keys.AddWorkspaceAsync(NewWorkspace() with { Archived = true }, default);
        var key = await Keys.AddApiKeyAsync(NewApiKey(workspace.Id), default);
        var revoked = await Keys.AddApiKeyAsync(NewApiKey(archived.Id) with { RevokedAt = Now }, default);
        var virtualKey = await Keys.AddVirtualKeyAsync(NewVirtualKey(workspace.Id), default);
        var config = NewConfig(workspace.Id);
        await Backend.Configs.SaveAsync(config, default);
        var latest = config with { ConfigJson = """{"retry":{"attempts":3}}""", UpdatedAt = Now.AddHours(1) };
        await Backend.Configs.SaveAsync(latest, default);

        var snapshot = await Keys.LoadSnapshotAsync(default);

        StoreAssert.Same(workspace, Assert.Single(snapshot.Workspaces, w => w.Id == workspace.Id));
        StoreAssert.Same(archived, Assert.Single(snapshot.Workspaces, w => w.Id == archived.Id));
        StoreAssert.Same(key, Assert.Single(snapshot.ApiKeys, k => k.Id == key.Id));
        StoreAssert.Same(revoked, Assert.Single(snapshot.ApiKeys, k => k.Id == revoked.Id));
        StoreAssert.Same(virtualKey, Assert.Single(snapshot.VirtualKeys, k => k.Id == virtualKey.Id));
        // The data path resolves a config slug to its latest version, so that is the one the snapshot carries.
        StoreAssert.Same(latest, 2, Assert.Single(snapshot.Configs, c => c.WorkspaceId == workspace.Id && c.Slug == config.Slug));
    }
}
