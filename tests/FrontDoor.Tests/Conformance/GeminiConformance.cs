using System.Text.Json;
using Switchyard.FrontDoor.Tests.Infrastructure;

namespace Switchyard.FrontDoor.Tests.Conformance;

public sealed class GeminiConformance(GatewayFixture fixture) : ProviderConformanceKit(fixture), IClassFixture<GatewayFixture>
{
    protected override string Provider => "google";

    protected override string Target(string model) =>
        $$$"""{"provider":"google","custom_host":"{{{new Uri(Fixture.Fake.BaseAddress, "v1beta")}}}","override_params":{"model":{{{JsonSerializer.Serialize(model)}}}}}""";
}
