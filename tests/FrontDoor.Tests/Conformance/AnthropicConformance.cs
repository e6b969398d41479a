using System.Text.Json;
using Switchyard.FrontDoor.Tests.Infrastructure;

namespace Switchyard.FrontDoor.Tests.Conformance;

/// <summary>The kit against the FakeProvider speaking Anthropic's Messages API at <c>{fake}/v1/messages</c>.</summary>
public sealed class AnthropicConformance(GatewayFixture fixture) : ProviderConformanceKit(fixture), IClassFixture<GatewayFixture>
{
    protected override string Provider => "anthropic";

    protected override bool ServesEmbeddings => false;

    protected override string Target(string model) =>
        $$$"""{"provider":"anthropic","custom_host":"{{{Fixture.FakeBase}}}","api_key":"sk-ant-fake","override_params":{"model":{{{JsonSerializer.Serialize(model)}}}}}""";
}
