using System.Text.Json;
using Switchyard.FrontDoor.Observability;

namespace Switchyard.FrontDoor.Tests.Observability;

public sealed class CustomLogsTests
{
    [Theory]
    [InlineData("Authorization", true)]
    [InlineData("x-portkey-api-key", true)]
    [InlineData("api-key", true)]
    [InlineData("X-Api-Key", true)]
    [InlineData("cookie", true)]
    [InlineData("x-goog-api-key", true)]
    [InlineData("x-custom-access-token", true)]
    [InlineData("x-client-secret", true)]
    [InlineData("X-Amz-Security-Token", true)]
    [InlineData("x-accesskey", true)]
    [InlineData("x-portkey-virtual-key", true)]
    [InlineData("content-type", false)]
    [InlineData("x-portkey-metadata", false)]
    [InlineData("x-portkey-trace-id", false)]
    [InlineData("user-agent", false)]
    public void IsSecretHeader_Name_IsRecognised(string name, bool secret) => Assert.Equal(secret, CustomLogs.IsSecretHeader(name));

    [Fact]
    public void Scrubbed_SecretHeadersAndBearerValues_AreDropped()
    {
        using var document = JsonDocument.Parse("""
            {"url":"https://api.example/v1","headers":{"Authorization":"Bearer sk-1","x-api-key":"k","content-type":"application/json","x-forwarded":"Basic dXNlcjpwYXNz"},"body":{"a":1}}
            """);

        var scrubbed = CustomLogs.Scrubbed(document.RootElement).ToJsonString();

        Assert.Equal("""{"url":"https://api.example/v1","headers":{"content-type":"application/json"},"body":{"a":1}}""", scrubbed);
    }
}
