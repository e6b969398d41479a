using Dapper;
using Microsoft.Data.Sqlite;
using Switchyard.State.Embedded;
using Switchyard.State.Tests.Contracts;
using static Switchyard.State.Tests.Contracts.StoreSamples;

namespace Switchyard.State.Tests.Embedded;

/// <summary>What the contract leaves to the backend: the exception for duplicates and the stored form of each value.</summary>
public sealed class SqliteKeyStoreTests(SqliteBackendFixture fixture) : IClassFixture<SqliteBackendFixture>
{
    private const int SqliteConstraint = 19;

    private IKeyStore Keys => fixture.Backend.Keys;

    [Fact]
    public async Task AddVirtualKey_DuplicateSlug_ConflictCarriesTheSqliteConstraintError()
    {
        var workspace = await Keys.AddWorkspaceAsync(NewWorkspace(), default);
        var key = await Keys.AddVirtualKeyAsync(NewVirtualKey(workspace.Id), default);

        var error = await Assert.ThrowsAsync<StateConflictException>(() => Keys.AddVirtualKeyAsync(NewVirtualKey(workspace.Id, key.Slug), default));

        Assert.Equal(SqliteConstraint, Assert.IsType<SqliteException>(error.InnerException).SqliteErrorCode);
    }

    [Fact]
    public async Task AddApiKey_UnknownWorkspace_IsAForeignKeyErrorNotAConflict()
    {
        var error = await Assert.ThrowsAsync<SqliteException>(() => Keys.AddApiKeyAsync(NewApiKey("ws_nobody"), default));

        Assert.Equal(SqliteConstraint, error.SqliteErrorCode);
    }

    [Fact]
    public async Task AddApiKey_Always_StoresTheDocumentedTextForms()
    {
        var workspace = await Keys.AddWorkspaceAsync(NewWorkspace(), default);
        var key = await Keys.AddApiKeyAsync(
            NewApiKey(workspace.Id) with { AllowedProviders = null, DefaultMetadata = new Dictionary<string, string> { ["équipe"] = "東京" } },
            default);

        var row = await Raw(
            "SELECT scopes, allowed_models, allowed_providers, default_metadata, limits, expires_at, created_at FROM api_keys WHERE id = @Id",
            new { key.Id });

        Assert.Equal("""["completions.write","configs.read"]""", row.scopes);
        Assert.Equal("""["gpt-4o-mini","claude-sonnet-4"]""", row.allowed_models);
        Assert.Null(row.allowed_providers);
        Assert.Equal("""{"équipe":"東京"}""", row.default_metadata);
        Assert.Equal(
            """{"usage":{"cost_limit_usd":12345.678901,"token_limit":2000000,"period":"Monthly","time_zone":"Europe/Berlin","alert_thresholds":[50,80,95],"hard":true,"alert_webhook_url":"https://hooks.example.com/budget"},"rates":[{"kind":"Requests","unit":"PerMinute","value":60},{"kind":"Tokens","unit":"PerDay","value":5000000}],"max_concurrent_requests":10}""",
            row.limits);
        Assert.Equal("2026-12-22T12:00:00.000000Z", row.expires_at);
        Assert.Equal("2026-11-22T12:00:00.000000Z", row.created_at);
    }

    [Fact]
    public async Task AddVirtualKey_Always_StoresTheSealedSecretAsItsPartsOnly()
    {
        var workspace = await Keys.AddWorkspaceAsync(NewWorkspace(), default);
        var key = await Keys.AddVirtualKeyAsync(NewVirtualKey(workspace.Id), default);

        var row = await Raw(
            "SELECT secret_key_id, secret_nonce, secret_ciphertext, secret_tag, typeof(secret_ciphertext) AS kind FROM virtual_keys WHERE id = @Id",
            new { key.Id });

        Assert.Equal("k1", row.secret_key_id);
        Assert.Equal(key.Secret.Nonce, (byte[])row.secret_nonce);
        Assert.Equal(key.Secret.Ciphertext, (byte[])row.secret_ciphertext);
        Assert.Equal(key.Secret.Tag, (byte[])row.secret_tag);
        Assert.Equal("blob", row.kind);
    }

    [Fact]
    public async Task AddWorkspace_SubMicrosecondTicks_AreTruncatedAndAddReturnsWhatReadsGive()
    {
        var created = new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.FromHours(2)).AddTicks(1_234_567);

        var added = await Keys.AddWorkspaceAsync(NewWorkspace() with { CreatedAt = created }, default);

        var expected = new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero).AddTicks(1_234_560);
        StoreAssert.SameInstant(expected, added.CreatedAt);
        StoreAssert.SameInstant(expected, (await Keys.GetWorkspaceAsync(added.Id, default))!.CreatedAt);
    }

    [Fact]
    public async Task GetVirtualKey_ReturnedSecretMutated_NextReadIsUnchanged()
    {
        var workspace = await Keys.AddWorkspaceAsync(NewWorkspace(), default);
        var key = await Keys.AddVirtualKeyAsync(NewVirtualKey(workspace.Id), default);
        var first = await Keys.GetVirtualKeyAsync(workspace.Id, key.Slug, default);

        first!.Secret.Ciphertext[0] ^= 0xFF;

        Assert.Equal(key.Secret.Ciphertext, (await Keys.GetVirtualKeyAsync(workspace.Id, key.Slug, default))!.Secret.Ciphertext);
    }

    private async Task<dynamic> Raw(string sql, object parameters)
    {
        await using var connection = await new SqliteDatabase(fixture.Backend.DatabasePath).OpenAsync(default);
        return await connection.QuerySingleAsync(sql, parameters);
    }
}
