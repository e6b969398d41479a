using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Switchyard.FrontDoor.Bootstrap;
using Switchyard.FrontDoor.Tests.Admin;
using Switchyard.FrontDoor.Tests.Infrastructure;
using Switchyard.Gateway.Security;
using Switchyard.State;

namespace Switchyard.FrontDoor.Tests.Bootstrap;

/// <summary>The declarative bootstrap file applied at start-up of a real Kestrel gateway.</summary>
public sealed class BootstrapTests
{
    private const string ProviderSecret = "sk-bootstrap-provider-secret-abcdef123456";
    private static readonly string ClusterKey = "sk-sy-" + new string('A', 40) + "bcd";

    private const string File = """
        workspaces:
          - slug: team-boot
            name: Team Boot
            description: from the file
            defaults:
              metadata: {team: boot}
            usage_limits: {credit_limit: 100, periodic_reset: daily, time_zone: Europe/Berlin, alert_thresholds: [50, 90]}
            rate_limits: [{type: requests, unit: rpm, value: 600}]
            max_concurrent_requests: 8
            price_overrides:
              openai/gpt-4o: {input_per_million: 2.5, output_per_million: 10}
            virtual_keys:
              - slug: openai-main
                name: OpenAI main
                provider: openai
                key: ${BOOT_OPENAI_KEY}
                usage_limits: {credit_limit: 20}
            configs:
              - slug: pc-boot
                name: Boot routing
                config:
                  retry: {attempts: 2, on_status_codes: [429, 503]}
                  strategy: {mode: fallback}
                  targets:
                    - {provider: openai, virtual_key: openai-main}
              - slug: pc-json
                config: '{"retry":{"attempts":1}}'
            api_keys:
              - name: cluster-admin
                type: organisation
                key: ${BOOT_CLUSTER_KEY}
                scopes: [workspaces.list, virtual_keys.read]
        """;

    private static async Task<(TestGateway Gateway, string FilePath)> StartAsync(string yaml, string folder, Dictionary<string, string>? extra = null)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "bootstrap.yaml");
        await System.IO.File.WriteAllTextAsync(path, yaml);
        var settings = new Dictionary<string, string>
        {
            ["SWITCHYARD_BOOTSTRAP_FILE"] = path,
            ["BOOT_OPENAI_KEY"] = ProviderSecret,
            ["BOOT_CLUSTER_KEY"] = ClusterKey,
        };
        foreach (var (name, value) in extra ?? [])
        {
            settings[name] = value;
        }

        return (await TestGateway.StartAsync(settings, dataFolder: folder), path);
    }

    [Fact]
    public async Task Bootstrap_AppliedAtStartup_RecordsShowInTheAdminApiAndTheKeyAuthenticates()
    {
        var folder = TestGateway.NewDataFolder();
        try
        {
            var (gateway, _) = await StartAsync(File, folder);
            await using (gateway)
            {
                var workspace = (await gateway.Admin.Get("/v1/admin/workspaces/team-boot")).Ok();
                Assert.Equal("Team Boot", workspace.Str("name"));
                Assert.Equal("boot", workspace.GetProperty("defaults").GetProperty("metadata").Str("team"));
                Assert.Equal("daily", workspace.GetProperty("usage_limits")[0].Str("periodic_reset"));
                Assert.Equal("Europe/Berlin", workspace.GetProperty("usage_limits")[0].Str("time_zone"));
                Assert.Equal(8, workspace.GetProperty("max_concurrent_requests").GetInt32());
                Assert.Equal(10m, workspace.GetProperty("price_overrides").GetProperty("openai/gpt-4o").GetProperty("output_per_million").GetDecimal());

                var vk = (await gateway.Admin.Get("/v1/virtual-keys/openai-main")).Ok();
                Assert.Equal("sk-b…3456", vk.Str("masked_api_key"));
                var stored = await gateway.Services.GetRequiredService<IKeyStore>().GetVirtualKeyAsync(workspace.Str("id"), "openai-main", CancellationToken.None);
                Assert.Equal(ProviderSecret, gateway.Services.GetRequiredService<SecretVault>().Unseal(stored!.Secret, $"{workspace.Str("id")}/openai-main"));

                var config = (await gateway.Admin.Get("/v1/configs/pc-boot")).Ok();
                Assert.Equal("""{"retry":{"attempts":2,"on_status_codes":[429,503]},"strategy":{"mode":"fallback"},"targets":[{"provider":"openai","virtual_key":"openai-main"}]}""", config.GetProperty("config").GetRawText());
                Assert.Equal("pc-json", (await gateway.Admin.Get("/v1/configs/pc-json")).Ok().Str("name"));

                // The pre-provisioned organisation key works from the first request.
                var cluster = new AdminCalls(gateway.Client, ClusterKey);
                Assert.Contains((await cluster.Get("/v1/admin/workspaces")).Ok().GetProperty("data").EnumerateArray(), w => w.Str("slug") == "team-boot");
                (await cluster.Get("/v1/configs/pc-boot")).Failure(HttpStatusCode.Forbidden, "AB03");

                var audit = (await gateway.Admin.Get("/v1/audit-logs?page_size=500")).Ok();
                Assert.Equal(5, audit.GetProperty("total").GetInt32());
                Assert.All(audit.GetProperty("records").EnumerateArray(), r => Assert.Equal("bootstrap", r.Str("user_id")));

                // Secrets: in no read, audit record or log line.
                var reads = string.Join('\n', new[]
                {
                    (await gateway.Admin.Get("/v1/virtual-keys")).Text,
                    (await gateway.Admin.Get("/v1/api-keys")).Text,
                    (await gateway.Admin.Get("/v1/admin/workspaces")).Text,
                    (await gateway.Admin.Get("/v1/configs/pc-boot/versions")).Text,
                    audit.GetRawText(),
                    string.Join('\n', gateway.Logs.Lines),
                });
                foreach (var secret in new[] { ProviderSecret, ClusterKey, ClusterKey[6..], GatewayFixture.AdminToken })
                {
                    Assert.DoesNotContain(secret, reads, StringComparison.Ordinal);
                }

                Assert.Contains(gateway.Logs.Lines, line => line.Contains("applied: 5 records created or changed", StringComparison.Ordinal));
            }
        }
        finally
        {
            TestGateway.DeleteFolder(folder);
        }
    }

    [Fact]
    public async Task Bootstrap_AppliedAgain_ChangesNothingThenOnlyWhatDiffers()
    {
        var folder = TestGateway.NewDataFolder();
        try
        {
            var (first, path) = await StartAsync(File, folder);
            await first.DisposeAsync();

            // A restart applies the same file again: no new versions, no new audit records.
            var (gateway, _) = await StartAsync(File, folder);
            await using (gateway)
            {
                var applier = gateway.Services.GetRequiredService<BootstrapApplier>();
                var log = gateway.Services.GetRequiredService<IAuditLog>();
                Assert.Equal(5, await log.CountAsync(new AuditQuery(), CancellationToken.None));
                Assert.Equal(0, await applier.ApplyAsync(path, CancellationToken.None));
                Assert.Equal(1, (await gateway.Admin.Get("/v1/configs/pc-boot/versions")).Ok().GetProperty("total").GetInt32());
                Assert.Equal(5, await log.CountAsync(new AuditQuery(), CancellationToken.None));

                // Change the config and the provider secret: exactly those two records change.
                await System.IO.File.WriteAllTextAsync(path, File.Replace("attempts: 2", "attempts: 3").Replace("${BOOT_OPENAI_KEY}", "${BOOT_OPENAI_KEY_2}"));
                var configuration = (Microsoft.Extensions.Configuration.IConfigurationRoot)gateway.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>();
                configuration["BOOT_OPENAI_KEY_2"] = "sk-second-provider-secret-zyxw";
                Assert.Equal(2, await applier.ApplyAsync(path, CancellationToken.None));
                Assert.Equal(2, (await gateway.Admin.Get("/v1/configs/pc-boot/versions")).Ok().GetProperty("total").GetInt32());
                Assert.Equal("sk-s…zyxw", (await gateway.Admin.Get("/v1/virtual-keys/openai-main")).Ok().Str("masked_api_key"));
                var changes = (await gateway.Admin.Get("/v1/audit-logs?page_size=2")).Ok().GetProperty("records").EnumerateArray().Select(r => r.Str("action")).ToHashSet();
                Assert.Equal(["configs.update", "virtual_keys.update"], changes.Order());
                Assert.Equal(0, await applier.ApplyAsync(path, CancellationToken.None));
            }
        }
        finally
        {
            TestGateway.DeleteFolder(folder);
        }
    }

    [Fact]
    public async Task Bootstrap_MissingEnvironmentVariable_HostFailsToStartNamingThePath()
    {
        var folder = TestGateway.NewDataFolder();
        try
        {
            var yaml = File.Replace("${BOOT_OPENAI_KEY}", "${BOOT_NOT_SET}");
            var failure = await Assert.ThrowsAnyAsync<Exception>(() => StartAsync(yaml, folder));
            var message = Flatten(failure);
            Assert.Contains("workspaces[0].virtual_keys[0].key: environment variable BOOT_NOT_SET is not set", message, StringComparison.Ordinal);
            Assert.Contains("bootstrap.yaml", message, StringComparison.Ordinal);
        }
        finally
        {
            TestGateway.DeleteFolder(folder);
        }
    }

    [Fact]
    public async Task Bootstrap_InvalidRecords_EveryProblemNamedByPath()
    {
        var folder = TestGateway.NewDataFolder();
        try
        {
            var yaml = """
                workspaces:
                  - slug: Bad Slug
                    usage_limits: {credit_limit: 0}
                    virtual_keys:
                      - {slug: v, provider: nowhere, key: literal-secret-value}
                    configs:
                      - slug: c
                        config: {strategy: {mode: sideways}}
                    api_keys:
                      - {name: k, key: not-a-switchyard-key, scopes: [workspaces.list]}
                """;
            var message = Flatten(await Assert.ThrowsAnyAsync<Exception>(() => StartAsync(yaml, folder)));
            Assert.Contains("workspaces[0].slug: must be 1-64 of a-z, 0-9, '-' and '_'", message, StringComparison.Ordinal);
            Assert.Contains("workspaces[0].name: is required", message, StringComparison.Ordinal);
            Assert.Contains("workspaces[0].usage_limits.credit_limit: is required, an integer of at least 1", message, StringComparison.Ordinal);
            Assert.Contains("workspaces[0].virtual_keys[0].provider: 'nowhere' is not a provider this gateway serves", message, StringComparison.Ordinal);
            Assert.Contains("workspaces[0].configs[0].config.strategy.mode", message, StringComparison.Ordinal);
            Assert.Contains("workspaces[0].api_keys[0].key: must be a Switchyard key", message, StringComparison.Ordinal);
            Assert.DoesNotContain("literal-secret-value", message, StringComparison.Ordinal);
        }
        finally
        {
            TestGateway.DeleteFolder(folder);
        }
    }

    private static string Flatten(Exception exception)
    {
        var parts = new List<string>();
        for (var e = exception; e is not null; e = e.InnerException)
        {
            parts.Add(e.Message);
            if (e is AggregateException aggregate)
            {
                parts.AddRange(aggregate.InnerExceptions.Select(Flatten));
            }
        }

        return string.Join(" | ", parts);
    }
}
