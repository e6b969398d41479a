using Switchyard.FrontDoor.Tests.Infrastructure;

namespace Switchyard.FrontDoor.Tests.Conformance;

public sealed class OpenAiConformance(GatewayFixture fixture) : ProviderConformanceKit(fixture), IClassFixture<GatewayFixture>
{
    protected override string Provider => "openai";

    protected override string Target(string model) => Requests.Target(Fixture, model);
}
