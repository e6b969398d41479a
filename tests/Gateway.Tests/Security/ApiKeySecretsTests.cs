using Switchyard.Gateway.Security;

namespace Switchyard.Gateway.Tests.Security;

public sealed class ApiKeySecretsTests
{
    [Fact]
    public void Generate_MakesDistinctWellFormedKeys()
    {
        var a = ApiKeySecrets.Generate();
        var b = ApiKeySecrets.Generate();

        Assert.NotEqual(a, b);
        Assert.True(ApiKeySecrets.LooksLikeKey(a));
        Assert.Equal(49, a.Length);
        Assert.StartsWith("sk-sy-", a, StringComparison.Ordinal);
    }

    [Fact]
    public void Hash_IsStableHexSha256()
    {
        // The expected value is what `printf abcdef | sha256sum` prints.
        Assert.Equal("bef57ec7f53a6d40beb640a780a639c83bc29ac8a9816f1fc6c5c6dcd93c4721", ApiKeySecrets.Hash("abcdef"));
    }

    [Theory]
    [InlineData("sk-sy-ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq", "sk-sy-AB…nopq")]
    [InlineData("sk-sy-x", "sk-sy-…")]
    public void Hint_ShowsOnlyTheEnds(string key, string hint)
    {
        Assert.Equal(hint, ApiKeySecrets.Hint(key));
    }

    [Theory]
    [InlineData("sk-proj-1234567890abcdef", "sk-p…cdef")]
    [InlineData("short", "…")]
    public void MaskSecret_ShowsOnlyTheEnds(string secret, string masked)
    {
        Assert.Equal(masked, ApiKeySecrets.MaskSecret(secret));
    }

    [Theory]
    [InlineData("sk-proj-abc")]
    [InlineData(null)]
    [InlineData("sk-sy-short")]
    public void LooksLikeKey_ProviderKeys_AreNot(string? presented)
    {
        Assert.False(ApiKeySecrets.LooksLikeKey(presented));
    }
}
