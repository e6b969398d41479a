using System.Text.Json;
using Switchyard.FrontDoor.Tests.Infrastructure;

namespace Switchyard.FrontDoor.Tests.Conformance;

/// <summary>Azure OpenAI through the kit: the fake as custom host, the deployment named after the model.</summary>
public sealed class AzureOpenAiConformance(GatewayFixture fixture) : ProviderConformanceKit(fixture), IClassFixture<GatewayFixture>
{
    protected override string Provider => "azure-openai";

    protected override string Target(string model) =>
        $$"""{"provider":"azure-openai","custom_host":"{{Fixture.FakeBase}}","azure_resource_name":"fake-resource","override_params":{"model":{{JsonSerializer.Serialize(model)}}} }""";
}
