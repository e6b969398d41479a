using System.Text.Json;
using Switchyard.FrontDoor.Tests.Infrastructure;

namespace Switchyard.FrontDoor.Tests.Conformance;

/// <summary>
/// Bedrock through the kit, signed with AWS's documentation key pair, which the fake recomputes
/// signatures for. Embeddings use a Cohere Embed model id: Titan takes one input per request.
/// </summary>
public sealed class BedrockConformance(GatewayFixture fixture) : ProviderConformanceKit(fixture), IClassFixture<GatewayFixture>
{
    public const string AccessKeyId = "AKIDEXAMPLE";
    public const string SecretAccessKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    protected override string Provider => "bedrock";

    protected override string EmbeddingModel => "cohere.embed-english-v3";

    protected override string Target(string model) =>
        $$"""{"provider":"bedrock","custom_host":"{{Fixture.FakeBase}}","aws_access_key_id":"{{AccessKeyId}}","aws_secret_access_key":"{{SecretAccessKey}}","aws_region":"us-east-1","override_params":{"model":{{JsonSerializer.Serialize(model)}}} }""";
}
