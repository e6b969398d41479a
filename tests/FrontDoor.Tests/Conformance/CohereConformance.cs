using System.Text.Json;
using Switchyard.FrontDoor.Tests.Infrastructure;

namespace Switchyard.FrontDoor.Tests.Conformance;

public sealed class CohereConformance(GatewayFixture fixture) : ProviderConformanceKit(fixture), IClassFixture<GatewayFixture>
{
    protected override string Provider => "cohere";

    protected override string Target(string model) =>
        $$$"""{"provider":"cohere","custom_host":"{{{new Uri(Fixture.Fake.BaseAddress, "v2")}}}","override_params":{"model":{{{JsonSerializer.Serialize(model)}}}}}""";
}
