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

    [Theory]
    [InlineData(401, "authentication_error", "UnrecognizedClientException")]
    [InlineData(403, "permission_error", "AccessDeniedException")]
    [InlineData(429, "rate_limit_error", "ThrottlingException")]
    [InlineData(424, "api_error", "ModelErrorException")]
    public async Task Errors_ErrorTypeHeader_IsTheCode(int status, string type, string code)
    {
        using var response = await Fixture.Client.SendAsync(
            Requests.Post("/v1/chat/completions", """{"model":"any","messages":[{"role":"user","content":"hello kit"}]}""").WithConfig(Target($"fake-model|status={status}")));

        Assert.Equal(status, (int)response.StatusCode);
        var error = (await response.JsonAsync()).GetProperty("error");
        Assert.Equal(type, error.GetProperty("type").GetString());
        Assert.Equal(code, error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Embeddings_CohereOnBedrock_UsageIsBedrocksTokenCount()
    {
        using var response = await Fixture.Client.SendAsync(Requests.Post("/v1/embeddings", """{"model":"x","input":["alpha","beta"]}""").WithConfig(Target(EmbeddingModel)));

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("3", response.Header("X-Amzn-Bedrock-Input-Token-Count"));
        Assert.Equal(3, (await response.JsonAsync()).GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
    }
}
