using System.Net;

namespace Switchyard.FrontDoor.Tests.Admin;

/// <summary>How the admin API behaves before it is set up: no admin token, no master key.</summary>
public sealed class AdminSetupTests
{
    [Fact]
    public async Task AdminRoutes_NoTokenConfigured_401SaysToSetIt()
    {
        var folder = TestGateway.NewDataFolder();
        try
        {
            await using var gateway = await BareGatewayAsync(folder, adminToken: null);
            var reply = await new AdminCalls(gateway.Client, "anything").Get("/v1/admin/workspaces");
            var body = reply.Failure(HttpStatusCode.Unauthorized, "AB05");
            Assert.Contains("set SWITCHYARD_ADMIN_TOKEN", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            TestGateway.DeleteFolder(folder);
        }
    }

    [Fact]
    public async Task VirtualKeys_NoMasterKeyWithEmbeddedStore_GeneratesMasterKeyFileOwnerOnly()
    {
        var folder = TestGateway.NewDataFolder();
        try
        {
            await using var gateway = await BareGatewayAsync(folder, adminToken: "setup-token");
            var admin = new AdminCalls(gateway.Client, "setup-token");
            // The embedded default's own workspace is the only one, so the virtual key lands there without naming it.
            (await admin.Post("/v1/virtual-keys", """{"name":"k","provider":"openai","key":"sk-first-try-secret-1234"}""")).Ok();

            var path = Path.Combine(gateway.DataFolder, "master.key");
            Assert.True(File.Exists(path));
            Assert.Equal(32, Convert.FromBase64String(File.ReadAllText(path)).Length);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            }
        }
        finally
        {
            TestGateway.DeleteFolder(folder);
        }
    }

    /// <summary>A gateway set up as a first run is: the admin token as given, no master key and no key file.</summary>
    private static Task<TestGateway> BareGatewayAsync(string folder, string? adminToken) => TestGateway.StartAsync(
        new Dictionary<string, string>
        {
            ["SWITCHYARD_ADMIN_TOKEN"] = adminToken ?? "",
            ["SWITCHYARD_MASTER_KEY"] = "",
            ["SWITCHYARD_MASTER_KEY_FILE"] = "",
        },
        dataFolder: folder);
}
