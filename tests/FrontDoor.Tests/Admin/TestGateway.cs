using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchyard.FrontDoor.Tests.Infrastructure;

namespace Switchyard.FrontDoor.Tests.Admin;

/// <summary>
/// A FrontDoor on Kestrel with its own state folder, extra settings and services, and every log line (Debug and up)
/// captured, for tests that need start-up settings (the bootstrap file) or must read what was logged.
/// </summary>
internal sealed class TestGateway : IAsyncDisposable
{
    private readonly Factory _factory;

    private TestGateway(Factory factory, string dataFolder)
    {
        _factory = factory;
        DataFolder = dataFolder;
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Client = new HttpClient { BaseAddress = new Uri(address) };
        Admin = new AdminCalls(Client, GatewayFixture.AdminToken);
    }

    public HttpClient Client { get; }

    public AdminCalls Admin { get; }

    public string DataFolder { get; }

    public IServiceProvider Services => _factory.Services;

    public CapturedLogs Logs => _factory.Logs;

    public static string NewDataFolder() => Path.Combine(Path.GetTempPath(), $"switchyard-gov-{Guid.NewGuid():N}");

    public static Task<TestGateway> StartAsync(
        IReadOnlyDictionary<string, string>? settings = null, Action<IServiceCollection>? services = null, string? dataFolder = null)
    {
        var folder = dataFolder ?? NewDataFolder();
        var factory = new Factory(folder, settings ?? new Dictionary<string, string>(), services);
        factory.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        try
        {
            factory.StartServer();
        }
        catch
        {
            factory.Dispose();
            throw;
        }

        return Task.FromResult(new TestGateway(factory, folder));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _factory.DisposeAsync();
    }

    public static void DeleteFolder(string folder)
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private sealed class Factory(string dataFolder, IReadOnlyDictionary<string, string> settings, Action<IServiceCollection>? services)
        : WebApplicationFactory<Program>
    {
        public CapturedLogs Logs { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Testing");
            builder.UseSetting("Switchyard:State:DataPath", Path.Combine(dataFolder, "switchyard.db"));
            builder.UseSetting("SWITCHYARD_ADMIN_TOKEN", GatewayFixture.AdminToken);
            builder.UseSetting("SWITCHYARD_MASTER_KEY", GatewayFixture.MasterKey);
            foreach (var (name, value) in settings)
            {
                builder.UseSetting(name, value);
            }

            builder.ConfigureLogging(logging =>
            {
                logging.SetMinimumLevel(LogLevel.Debug);
                logging.AddProvider(Logs);
            });
            if (services is not null)
            {
                builder.ConfigureServices(services);
            }
        }
    }
}

/// <summary>Every formatted log line (with its exception) the host wrote.</summary>
internal sealed class CapturedLogs : ILoggerProvider
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
    }
}
