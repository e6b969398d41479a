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

    [Fact]
    public void Hash_ReusedContext_EveryCallHashesOnlyItsOwnKey()
    {
        // Each thread reuses one hash context; a call must never see what an earlier one fed it.
        Assert.Equal("bef57ec7f53a6d40beb640a780a639c83bc29ac8a9816f1fc6c5c6dcd93c4721", ApiKeySecrets.Hash("abcdef"));
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", ApiKeySecrets.Hash(""));
        Assert.Equal("bef57ec7f53a6d40beb640a780a639c83bc29ac8a9816f1fc6c5c6dcd93c4721", ApiKeySecrets.Hash("abcdef"));
    }

    [Theory]
    [InlineData(10)]
    [InlineData(170)] // the last length hashed from the stack (3 bytes per char at most)
    [InlineData(171)]
    [InlineData(5000)]
    public void Hash_AnyLengthAndScript_MatchesSha256OfTheUtf8Bytes(int length)
    {
        var key = string.Concat(Enumerable.Repeat("kéy€", length))[..length];
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)));

        Assert.Equal(expected, ApiKeySecrets.Hash(key));
    }

    [Fact]
    public async Task Hash_ManyThreadsAtOnce_EachGetsItsOwnKeysHash()
    {
        var keys = Enumerable.Range(0, 64).Select(_ => ApiKeySecrets.Generate()).ToArray();
        var expected = keys.Select(k => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(k)))).ToArray();

        var hashed = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
            Enumerable.Range(0, 2000).All(i => ApiKeySecrets.Hash(keys[i % keys.Length]) == expected[i % keys.Length]))));

        Assert.All(hashed, Assert.True);
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
