using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Switchyard.FakeProvider.Faults;
using Switchyard.FakeProvider.Hosting;
using Switchyard.FakeProvider.Journal;

namespace Switchyard.FakeProvider;

/// <summary>
/// The fake provider running inside the current process, on a loopback port, for tests.
/// Faults are chosen per request (model suffix or x-fake-fault header), so one server can
/// serve a whole test class.
/// </summary>
public sealed class FakeProviderServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ScenarioCounter _scenarios;

    private FakeProviderServer(WebApplication app, RequestJournal journal, ScenarioCounter scenarios, Uri baseAddress)
    {
        _app = app;
        _scenarios = scenarios;
        Journal = journal;
        BaseAddress = baseAddress;
    }

    /// <summary>The address actually bound, with the real port and a trailing slash, e.g. <c>http://127.0.0.1:54321/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Every request this server received.</summary>
    public RequestJournal Journal { get; }

    /// <summary>
    /// Starts the fake. Port 0 picks a free port; use an IP address, since Kestrel cannot bind
    /// port 0 on <c>localhost</c>.
    /// </summary>
    public static async Task<FakeProviderServer> StartAsync(string url = "http://127.0.0.1:0", CancellationToken cancellationToken = default)
    {
        var journal = new RequestJournal();
        var scenarios = new ScenarioCounter();
        var app = FakeProviderApp.Build(url, journal, scenarios);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        var bound = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new FakeProviderServer(app, journal, scenarios, new Uri(bound.TrimEnd('/') + "/"));
    }

    /// <summary>Forgets how many requests each scenario has seen, so <c>times=N</c> counts from zero again.</summary>
    public void ResetScenarios() => _scenarios.Reset();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    internal Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();
}
