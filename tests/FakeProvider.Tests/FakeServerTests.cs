namespace Switchyard.FakeProvider.Tests;

/// <summary>A fresh FakeProvider on a free port for every test, and a client aimed at it.</summary>
public abstract class FakeServerTests : IAsyncLifetime
{
    protected FakeProviderServer Server { get; private set; } = null!;

    protected HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await FakeProviderServer.StartAsync();
        Http = new HttpClient { BaseAddress = Server.BaseAddress };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }
}
