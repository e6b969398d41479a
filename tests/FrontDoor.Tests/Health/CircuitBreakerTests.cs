using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Switchyard.FrontDoor.Tests.Infrastructure;
using Switchyard.Gateway.Health;
using Switchyard.State;

namespace Switchyard.FrontDoor.Tests.Health;

/// <summary>A gateway on the embedded store whose clock tests can move past a circuit's break.</summary>
public sealed class CircuitFixture : GatewayFixture
{
    public ShiftedClock Clock { get; } = new();

    protected override void ConfigureServices(IServiceCollection services) => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Clock));
}

public sealed class CircuitBreakerTests(CircuitFixture fixture) : IClassFixture<CircuitFixture>
{
    // Two calls in the window, half of them failing, open the circuit for 30 s.
    private const string CbConfig = "\"cb_config\":{\"failure_ratio\":0.5,\"minimum_throughput\":2,\"sampling_duration_ms\":10000,\"break_duration_ms\":30000}";

    [Fact]
    public async Task Fallback_FailingTargetTripsItsCircuit_LaterCallsSkipItThenOneProbeClosesIt()
    {
        var failing = Requests.NewScenario();
        var healthy = Requests.NewScenario();
        // Its own credential gives the failing target a circuit of its own; it fails twice, then recovers.
        var config = $$"""{"strategy":{"mode":"fallback",{{CbConfig}}},"targets":[{{Requests.Target(fixture, $"fake-gpt|scenario={failing}|status=503|times=2", $",\"api_key\":\"sk-circuit-{failing}\"")}},{{Requests.Target(fixture, $"fake-gpt-mini|scenario={healthy}")}}]}""";

        var openBefore = OpenCircuits().Select(s => s.TargetKey).ToHashSet();
        for (var i = 0; i < 2; i++)
        {
            using var tripping = await fixture.Client.SendAsync(Requests.Chat("ignored").WithConfig(config));
            Assert.Equal(HttpStatusCode.OK, tripping.StatusCode);
            Assert.Equal("config.targets[1]", tripping.Header("x-portkey-last-used-option-index"));
        }

        Assert.Equal(2, fixture.Fake.Journal.ForScenario(failing).Count);
        var key = Assert.Single(OpenCircuits(), s => !openBefore.Contains(s.TargetKey)).TargetKey;
        Assert.StartsWith($"openai {fixture.FakeBase.TrimEnd('/')} key:", key, StringComparison.Ordinal);

        using (var skipped = await fixture.Client.SendAsync(Requests.Chat("ignored").WithConfig(config)))
        {
            Assert.Equal(HttpStatusCode.OK, skipped.StatusCode);
            Assert.Equal("config.targets[1]", skipped.Header("x-portkey-last-used-option-index"));
        }

        Assert.Equal(2, fixture.Fake.Journal.ForScenario(failing).Count);
        Assert.Equal(3, fixture.Fake.Journal.ForScenario(healthy).Count);

        // Two jumps to the next 31 s boundary move the clock at least 31 s: past the break.
        fixture.Clock.JumpToNextWindow(TimeSpan.FromSeconds(31));
        fixture.Clock.JumpToNextWindow(TimeSpan.FromSeconds(31));
        using (var probe = await fixture.Client.SendAsync(Requests.Chat("ignored").WithConfig(config)))
        {
            Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
            Assert.Equal("config.targets[0]", probe.Header("x-portkey-last-used-option-index"));
        }

        Assert.Equal(3, fixture.Fake.Journal.ForScenario(failing).Count);
        Assert.Equal(CircuitState.Closed, Health.Get(key).State);
        Assert.Equal([Polly.CircuitBreaker.CircuitState.Closed], Breakers.LocalStates(key));
    }

    [Fact]
    public async Task Single_LastTargetsCircuitOpen_503NamingTheCircuitAndWhenItMayClose()
    {
        var scenario = Requests.NewScenario();
        var config = $$"""{"strategy":{"mode":"single",{{CbConfig}}},"targets":[{{Requests.Target(fixture, $"fake-gpt|scenario={scenario}|status=500", $",\"api_key\":\"sk-circuit-{scenario}\"")}}]}""";
        for (var i = 0; i < 2; i++)
        {
            using var failed = await fixture.Client.SendAsync(Requests.Chat("ignored").WithConfig(config));
            Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        }

        using var response = await fixture.Client.SendAsync(Requests.Chat("ignored").WithConfig(config));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var error = (await response.JsonAsync()).GetProperty("error");
        var message = error.GetProperty("message").GetString()!;
        Assert.StartsWith($"The circuit breaker of openai at {fixture.FakeBase.TrimEnd('/')} is open after repeated failures, so it was not called. It may close after ", message, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-circuit", message, StringComparison.Ordinal);
        Assert.Equal("circuit_open", error.GetProperty("code").GetString());
        Assert.Equal("30", response.Headers.RetryAfter!.Delta!.Value.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(2, fixture.Fake.Journal.ForScenario(scenario).Count);
    }

    [Fact]
    public async Task Fallback_WithoutCbConfig_NeverTrips()
    {
        var scenario = Requests.NewScenario();
        var config = $$"""{"strategy":{"mode":"fallback"},"targets":[{{Requests.Target(fixture, $"fake-gpt|scenario={scenario}|status=503", $",\"api_key\":\"sk-nocircuit-{scenario}\"")}},{{Requests.Target(fixture, "fake-gpt-mini")}}]}""";
        for (var i = 0; i < 12; i++)
        {
            using var response = await fixture.Client.SendAsync(Requests.Chat("ignored").WithConfig(config));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(12, fixture.Fake.Journal.ForScenario(scenario).Count);
    }

    private CircuitBreakers Breakers => fixture.Services.GetRequiredService<CircuitBreakers>();

    private IProviderHealth Health => fixture.Services.GetRequiredService<IProviderHealth>();

    private IReadOnlyList<CircuitStatus> OpenCircuits() => Health.NotClosed().Where(s => s.State == CircuitState.Open).ToArray();
}
