using Switchyard.FakeProvider.Hosting;

namespace Switchyard.FakeProvider;

internal static class Program
{
    public static async Task Main(string[] args)
    {
        var url = new ConfigurationBuilder().AddCommandLine(args).Build()["urls"] ?? FakeProviderApp.DefaultUrl;
        await using var server = await FakeProviderServer.StartAsync(url);
        Console.WriteLine($"FakeProvider listening on {server.BaseAddress}");
        await server.WaitForShutdownAsync();
    }
}
