using Switchyard.Gateway.Health;
using static Switchyard.Gateway.Tests.Health.CircuitTestKit;

namespace Switchyard.Gateway.Tests.Health;

public sealed class TargetKeyTests
{
    [Fact]
    public void For_Credential_KeyHasAFingerprintNeverTheCredential()
    {
        var key = TargetKey.For(Request(credential: "sk-secret-credential"));

        Assert.StartsWith("openai https://api.openai.com/v1 key:", key, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-secret", key, StringComparison.Ordinal);
        Assert.Equal(key, TargetKey.For(Request(credential: "sk-secret-credential")));
        Assert.NotEqual(key, TargetKey.For(Request(credential: "sk-other-credential")));
    }

    [Fact]
    public void For_CustomHost_KeyNamesTheHost()
    {
        Assert.Equal(
            TargetKey.For(Request(baseUrl: "http://127.0.0.1:9000/v1")).Replace("http://127.0.0.1:9000/v1", "X", StringComparison.Ordinal),
            TargetKey.For(Request()).Replace("https://api.openai.com/v1", "X", StringComparison.Ordinal));
        Assert.Contains(" http://127.0.0.1:9000/v1 ", TargetKey.For(Request(baseUrl: "http://127.0.0.1:9000/v1")), StringComparison.Ordinal);
    }

    [Fact]
    public void For_NoCredential_Anonymous()
    {
        Assert.Equal("openai https://api.openai.com/v1 anonymous", TargetKey.For(Request(credential: "")));
    }
}
