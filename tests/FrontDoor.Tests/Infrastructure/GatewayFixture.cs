using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchyard.FakeProvider;
using Switchyard.Gateway.Pipeline;

namespace Switchyard.FrontDoor.Tests.Infrastructure;

/// <summary>
/// A real FrontDoor on Kestrel (loopback, random port) in front of a real FakeProvider, shared by a test class.
/// Retry back-off and idle timeouts are shortened so tests run fast without waiting on wall-clock sleeps.
/// </summary>
public class GatewayFixture : IAsyncLifetime
{
    /// <summary>The admin token this gateway accepts on <c>/v1/admin</c>, <c>/v1/api-keys</c> and the other admin routes.</summary>
    public const string AdminToken = "test-admin-token-4f1c";

    /// <summary>The master key (base64 of 32 bytes) sealing virtual-key secrets.</summary>
    public const string MasterKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    private GatewayFactory? _factory;

    public FakeProviderServer Fake { get; private set; } = null!;

    public Uri Gateway { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    /// <summary>The gateway's services, for tests that look behind the HTTP surface.</summary>
    public IServiceProvider Services => _factory!.Services;

    /// <summary>This fixture's own state folder (the embedded store's file), removed afterwards.</summary>
    public string DataFolder { get; } = Path.Combine(Path.GetTempPath(), $"switchyard-test-{Guid.NewGuid():N}");

    /// <summary>Every call the gateway finished, by trace id.</summary>
    public ConcurrentDictionary<string, GatewayCall> Calls => CallRecorder.Calls;

    internal CallRecorder CallRecorder { get; } = new();

    /// <summary>The FakeProvider's OpenAI base, for <c>x-portkey-custom-host</c> and <c>custom_host</c>.</summary>
    public string FakeBase => new Uri(Fake.BaseAddress, "v1").ToString();

    public async Task InitializeAsync()
    {
        Fake = await FakeProviderServer.StartAsync();
        _factory = new GatewayFactory(CallRecorder, DataFolder, await SettingsAsync(), ConfigureServices);
        _factory.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        _factory.StartServer();
        var addresses = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        Gateway = new Uri(addresses.First());
        Client = new HttpClient { BaseAddress = Gateway, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>Settings a derived fixture adds or overrides (a PostgreSQL database URL, shorter delays).</summary>
    protected virtual Task<IReadOnlyDictionary<string, string>> SettingsAsync() =>
        Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string>());

    /// <summary>Services a derived fixture replaces (a clock it controls).</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    public virtual async Task DisposeAsync()
    {
        Client.Dispose();
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }

        await Fake.DisposeAsync();
        if (Directory.Exists(DataFolder))
        {
            Directory.Delete(DataFolder, recursive: true);
        }
    }

    private sealed class GatewayFactory(CallRecorder recorder, string dataFolder, IReadOnlyDictionary<string, string> settings, Action<IServiceCollection> configure)
        : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Testing");
            builder.UseSetting("Switchyard:Gateway:RetryBaseDelay", "00:00:00.001");
            builder.UseSetting("Switchyard:Gateway:RetryMaxDelay", "00:00:00.020");
            builder.UseSetting("Switchyard:Gateway:MaxRetryAfter", "00:00:02");
            builder.UseSetting("Switchyard:Gateway:StreamIdleTimeout", "00:00:01");
            builder.UseSetting("Switchyard:Gateway:MaxRequestBodyBytes", "65536");
            builder.UseSetting("Switchyard:State:DataPath", Path.Combine(dataFolder, "switchyard.db"));
            builder.UseSetting("SWITCHYARD_ADMIN_TOKEN", AdminToken);
            builder.UseSetting("SWITCHYARD_MASTER_KEY", MasterKey);
            foreach (var (name, value) in settings)
            {
                builder.UseSetting(name, value);
            }

            builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
            builder.ConfigureServices(services =>
            {
                services.AddSingleton<ICallObserver>(recorder);
                configure(services);
            });
        }
    }
}

internal sealed class CallRecorder : ICallObserver
{
    public ConcurrentDictionary<string, GatewayCall> Calls { get; } = new();

    public void OnCompleted(GatewayCall call) => Calls[call.TraceId] = call;
}
