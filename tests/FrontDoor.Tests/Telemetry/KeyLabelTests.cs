using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Switchyard.FrontDoor.Tests.Infrastructure;

namespace Switchyard.FrontDoor.Tests.Telemetry;

/// <summary>A gateway with <c>Switchyard:Telemetry:KeyLabels</c> on.</summary>
public sealed class KeyLabelFixture : GatewayFixture
{
    public ShiftedClock Clock { get; } = new();

    protected override Task<IReadOnlyDictionary<string, string>> SettingsAsync() =>
        Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string> { ["Switchyard:Telemetry:KeyLabels"] = "true" });

    protected override void ConfigureServices(IServiceCollection services) => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Clock));
}

/// <summary>With key labels on, the request counter names the key and its workspace by id, and never the key's secret.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class KeyLabelTests(KeyLabelFixture fixture) : IClassFixture<KeyLabelFixture>
{
    [Fact]
    public async Task KeyedCall_KeyLabelsOn_CountedUnderTheKeyAndWorkspaceIds()
    {
        var tenant = await Tenant.CreateAsync(fixture, fixture.Clock);
        using var response = await fixture.Client.SendAsync(
            Requests.Chat($"fake-gpt|scenario={Requests.NewScenario()}").ToFake(fixture).WithHeader("x-portkey-api-key", tenant.Secret));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var trace = response.Header("x-portkey-trace-id");
        await Eventually.Until(() => fixture.Calls.ContainsKey(trace));

        var scrape = PrometheusText.Parse(await fixture.Client.GetStringAsync("/metrics"));

        Assert.Equal(1, scrape.Sum("switchyard_requests_total", ("switchyard_api_key_id", tenant.Key.Id), ("switchyard_workspace_id", tenant.Workspace.Id)));
        Assert.DoesNotContain(scrape.Samples, s => s.Labels.Values.Any(v => v.Contains(tenant.Secret, StringComparison.Ordinal)));
    }
}
