using Dapper;
using Npgsql;
using Switchyard.State.Embedded;
using Switchyard.State.Tests.Contracts;
using Switchyard.State.Tests.Embedded;
using Switchyard.State.Tests.Postgres;

namespace Switchyard.State.Tests;

/// <summary>
/// Both stores keep limits, metadata, options and string lists as one JSON shape (<see cref="StoredJson"/>): a record
/// written to either reads back the same, the two databases hold the same documents, and documents in the shapes the
/// stores wrote before they shared one still read.
/// </summary>
public sealed class StoredShapeTests(PostgresBackend postgres) : IClassFixture<PostgresBackend>
{
    private static readonly Limits SparseLimits = new(
        new UsageLimits(null, null, BudgetPeriod.None, "UTC", [], false),
        [],
        null);

    public static TheoryData<string> Variants => ["full", "sparse", "none"];

    [Theory]
    [MemberData(nameof(Variants))]
    public async Task Records_RoundTripIdenticallyThroughBothStores(string variant)
    {
        await using var sqlite = await SqliteBackend.CreateMigratedAsync();
        var limits = variant switch { "full" => StoreSamples.FullLimits, "sparse" => SparseLimits, _ => Limits.None };
        var empty = variant != "full";

        var workspace = StoreSamples.NewWorkspace() with
        {
            Description = empty ? null : "the team",
            DefaultMetadata = empty ? [] : new Dictionary<string, string> { ["team"] = "plätform", ["env"] = "prod \"eu\"" },
            Limits = limits,
            PriceOverrides = empty ? Workspace.NoPriceOverrides : new Dictionary<string, ModelPriceOverride> { ["gpt-4o"] = new(2.5m, 10.000001m) },
            Logging = variant switch { "full" => new LogPolicy(LogBodies.Redacted, 400), "sparse" => new LogPolicy(LogBodies.Off, 1), _ => LogPolicy.Default },
        };
        var apiKey = StoreSamples.NewApiKey(workspace.Id) with
        {
            Scopes = empty ? [] : ["completions.write"],
            AllowedModels = variant == "sparse" ? [] : variant == "none" ? null : ["gpt-4o"],
            AllowedProviders = empty ? null : ["openai"],
            DefaultConfigSlug = empty ? null : "routing",
            DefaultMetadata = empty ? [] : new Dictionary<string, string> { ["_user"] = "ci" },
            Limits = limits,
            ExpiresAt = empty ? null : StoreSamples.Now.AddDays(1),
            Type = variant == "sparse" ? ApiKeyType.Organisation : ApiKeyType.Workspace,
        };
        var virtualKey = StoreSamples.NewVirtualKey(workspace.Id) with
        {
            ProviderOptions = empty ? [] : new Dictionary<string, string> { ["openai_organization"] = "org-1" },
            Note = empty ? null : "a note",
            Limits = limits,
            ExpiresAt = empty ? null : StoreSamples.Now.AddDays(2),
        };
        var config = StoreSamples.NewConfig(workspace.Id);

        foreach (var backend in new IStoreBackend[] { sqlite, postgres })
        {
            await backend.Keys.AddWorkspaceAsync(workspace, default);
            await backend.Keys.AddApiKeyAsync(apiKey, default);
            await backend.Keys.AddVirtualKeyAsync(virtualKey, default);
            await backend.Configs.SaveAsync(config, default);

            StoreAssert.Same(workspace, await backend.Keys.GetWorkspaceAsync(workspace.Id, default));
            StoreAssert.Same(apiKey, await backend.Keys.GetApiKeyAsync(workspace.Id, apiKey.Id, default));
            StoreAssert.Same(virtualKey, await backend.Keys.GetVirtualKeyAsync(workspace.Id, virtualKey.Slug, default));
            StoreAssert.Same(config, 1, await backend.Configs.GetAsync(workspace.Id, config.Slug, default));
        }

        // The same documents in both databases: jsonb compares by value, whatever the spacing and key order.
        var database = new SqliteDatabase(sqlite.DatabasePath);
        try
        {
            await using var connection = new NpgsqlConnection(postgres.ConnectionString);
            foreach (var (table, columns, id) in new[]
            {
                ("workspaces", new[] { "default_metadata", "limits", "price_overrides", "log_policy" }, workspace.Id),
                ("api_keys", ["scopes", "allowed_models", "allowed_providers", "default_metadata", "limits"], apiKey.Id),
                ("virtual_keys", ["provider_options", "limits"], virtualKey.Id),
            })
            {
                foreach (var column in columns)
                {
                    var embedded = await database.ExecuteScalarAsync<string?>($"SELECT {column} FROM {table} WHERE id = @id", new { id }, default);
                    var same = await connection.ExecuteScalarAsync<bool?>(
                        $"SELECT {column} IS NOT DISTINCT FROM @embedded::jsonb FROM switchyard.{table} WHERE id = @id", new { embedded, id });
                    Assert.True(same, $"{table}.{column} differs between the stores (SQLite holds {embedded ?? "NULL"})");
                }
            }
        }
        finally
        {
            database.Close();
        }
    }

    /// <summary>
    /// What the stores wrote before they shared one shape: PostgreSQL wrote <c>alert_webhook_url</c> as null and escaped
    /// non-ASCII text, SQLite left it out; PostgreSQL read a JSON null column as empty.
    /// </summary>
    public static TheoryData<string> OldLimits =>
    [
        // PostgreSQL's (jsonb's own spacing and key order).
        """{"usage": {"hard": true, "period": "Monthly", "time_zone": "Europe/Berlin", "token_limit": 2000000, "cost_limit_usd": 12.5, "alert_thresholds": [50, 80], "alert_webhook_url": null}, "rates": [{"kind": "Requests", "unit": "PerMinute", "value": 60}], "max_concurrent_requests": 10}""",

        // SQLite's.
        """{"usage":{"cost_limit_usd":12.5,"token_limit":2000000,"period":"Monthly","time_zone":"Europe/Berlin","alert_thresholds":[50,80],"hard":true},"rates":[{"kind":"Requests","unit":"PerMinute","value":60}],"max_concurrent_requests":10}""",
    ];

    [Theory]
    [MemberData(nameof(OldLimits))]
    public async Task OldShapes_StillReadOnBothStores(string limitsJson)
    {
        var expected = new Limits(
            new UsageLimits(12.5m, 2_000_000, BudgetPeriod.Monthly, "Europe/Berlin", [50, 80], true),
            [new RateLimit(RateLimitKind.Requests, RateLimitUnit.PerMinute, 60)],
            10);
        const string metadata = """{"team": "pl\u00e4tform"}""";
        await using var sqlite = await SqliteBackend.CreateMigratedAsync();
        var workspace = StoreSamples.NewWorkspace();
        var key = StoreSamples.NewVirtualKey(workspace.Id);
        foreach (var backend in new IStoreBackend[] { sqlite, postgres })
        {
            await backend.Keys.AddWorkspaceAsync(workspace, default);
            await backend.Keys.AddVirtualKeyAsync(key, default);
        }

        var database = new SqliteDatabase(sqlite.DatabasePath);
        try
        {
            await database.ExecuteAsync(
                "UPDATE workspaces SET limits = @limitsJson, default_metadata = @metadata, price_overrides = 'null' WHERE id = @Id",
                new { limitsJson, metadata, workspace.Id }, default);
            await database.ExecuteAsync(
                "UPDATE virtual_keys SET limits = 'null', provider_options = 'null' WHERE id = @Id", new { key.Id }, default);
        }
        finally
        {
            database.Close();
        }

        await using (var connection = new NpgsqlConnection(postgres.ConnectionString))
        {
            await connection.ExecuteAsync(
                "UPDATE switchyard.workspaces SET limits = @limitsJson::jsonb, default_metadata = @metadata::jsonb, price_overrides = 'null' WHERE id = @Id",
                new { limitsJson, metadata, workspace.Id });
            await connection.ExecuteAsync(
                "UPDATE switchyard.virtual_keys SET limits = 'null', provider_options = 'null' WHERE id = @Id", new { key.Id });
        }

        foreach (var backend in new IStoreBackend[] { sqlite, postgres })
        {
            var read = await backend.Keys.GetWorkspaceAsync(workspace.Id, default);
            Assert.NotNull(read);
            StoreAssert.Same(expected, read.Limits);
            Assert.Null(read.Limits.Usage!.AlertWebhookUrl);
            Assert.Equal("plätform", Assert.Single(read.DefaultMetadata).Value);
            Assert.Empty(read.PriceOverrides);

            var readKey = await backend.Keys.GetVirtualKeyAsync(workspace.Id, key.Slug, default);
            Assert.NotNull(readKey);
            StoreAssert.Same(Limits.None, readKey.Limits);
            Assert.Empty(readKey.ProviderOptions);
        }
    }

    [Fact]
    public void MissingRequiredProperty_IsCorruptData()
    {
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => StoredJson.ReadLimits("""{"usage":null,"max_concurrent_requests":null}"""));
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => StoredJson.ReadLimits("""{"usage":null,"rates":null,"max_concurrent_requests":null}"""));
    }
}
