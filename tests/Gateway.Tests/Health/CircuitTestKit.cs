using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Switchyard.Gateway.Health;
using Switchyard.Gateway.Upstream;
using Switchyard.Providers;
using Switchyard.Providers.Catalog;

namespace Switchyard.Gateway.Tests.Health;

/// <summary>Circuit breakers over in-process provider health, and requests to feed them.</summary>
internal static class CircuitTestKit
{
    /// <summary>A clock the test moves by hand (<see cref="FakeTimeProvider.Advance"/>); durations measured with it move with it.</summary>
    public static FakeTimeProvider Clock() => new(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));

    public static CircuitBreakers Breakers(FakeTimeProvider clock, out InMemoryProviderHealth health, bool enabledByDefault = false)
    {
        health = new InMemoryProviderHealth("replica-test");
        var options = new GatewayOptions { CircuitBreaker = { Enabled = enabledByDefault } };
        return new CircuitBreakers(health, Options.Create(options), clock, NullLogger<CircuitBreakers>.Instance);
    }

    public static UpstreamRequest Request(string credential = "sk-secret-credential", string baseUrl = "https://api.openai.com/v1", State.VirtualKey? virtualKey = null)
    {
        Assert.True(ProviderCatalog.Default.TryGet("openai", out var provider));
        Assert.True(ProviderAdapters.Default.TryGet(provider.Format, out var adapter));
        var call = new ProviderCall(provider, ApiOperation.ChatCompletions, new Uri(baseUrl), credential, Encoding.UTF8.GetBytes("{}"), WireFormat.OpenAi, [], "gpt-4o", false, new Dictionary<string, string>(), []);
        return new UpstreamRequest
        {
            ProviderSlug = "openai",
            VirtualKey = virtualKey,
            Adapter = adapter,
            Call = call,
            Method = HttpMethod.Post,
            Uri = new Uri(baseUrl + "/chat/completions"),
            Headers = [],
            Timeout = TimeSpan.FromSeconds(10),
        };
    }

    /// <summary>Runs one call through the target's breaker with the given outcome.</summary>
    public static async Task<UpstreamOutcome> CallAsync(TargetCircuit circuit, Func<UpstreamOutcome> outcome) =>
        await circuit.Pipeline.ExecuteAsync(_ => ValueTask.FromResult(outcome()));
}
