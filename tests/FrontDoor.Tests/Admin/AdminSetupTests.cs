using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Switchyard.FrontDoor.Tests.Admin;

/// <summary>How the admin API behaves before it is set up: no admin token, no master key.</summary>
public sealed class AdminSetupTests
{
    [Fact]
    public async Task AdminRoutes_NoTokenConfigured_401SaysToSetIt()
    {
        await using var gateway = await BareGateway.StartAsync(adminToken: null);
        var reply = await new AdminCalls(gateway.Client, "anything").Get("/v1/admin/workspaces");
        var body = reply.Failure(HttpStatusCode.Unauthorized, "AB05");
        Assert.Contains("set SWITCHYARD_ADMIN_TOKEN", body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task VirtualKeys_NoMasterKeyWithEmbeddedStore_GeneratesMasterKeyFileOwnerOnly()
    {
        await using var gateway = await BareGateway.StartAsync(adminToken: "setup-token");
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

    private sealed class BareGateway : IAsyncDisposable
    {
        private readonly Factory _factory;

        private BareGateway(Factory factory, string dataFolder)
        {
            _factory = factory;
            DataFolder = dataFolder;
            var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            Client = new HttpClient { BaseAddress = new Uri(address) };
        }

        public HttpClient Client { get; }

        public string DataFolder { get; }

        public static Task<BareGateway> StartAsync(string? adminToken)
        {
            var folder = Path.Combine(Path.GetTempPath(), $"switchyard-admin-{Guid.NewGuid():N}");
            var factory = new Factory(folder, adminToken);
            factory.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
            factory.StartServer();
            return Task.FromResult(new BareGateway(factory, folder));
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await _factory.DisposeAsync();
            if (Directory.Exists(DataFolder))
            {
                Directory.Delete(DataFolder, recursive: true);
            }
        }
    }

    private sealed class Factory(string dataFolder, string? adminToken) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Testing");
            builder.UseSetting("Switchyard:State:DataPath", Path.Combine(dataFolder, "switchyard.db"));
            builder.UseSetting("SWITCHYARD_ADMIN_TOKEN", adminToken ?? "");
            builder.UseSetting("SWITCHYARD_MASTER_KEY", "");
            builder.UseSetting("SWITCHYARD_MASTER_KEY_FILE", "");
            builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        }
    }
}
