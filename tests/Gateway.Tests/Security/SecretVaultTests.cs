using System.Security.Cryptography;
using System.Text;
using Switchyard.Gateway.Security;

namespace Switchyard.Gateway.Tests.Security;

public sealed class SecretVaultTests
{
    private static readonly byte[] MasterKey = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    [Fact]
    public void Seal_ThenUnseal_GivesTheSecretBack()
    {
        var vault = new SecretVault(MasterKey);
        var sealedSecret = vault.Seal("sk-provider-secret-ü", "ws_1/openai-prod");

        Assert.Equal("sk-provider-secret-ü", vault.Unseal(sealedSecret, "ws_1/openai-prod"));
        Assert.Equal(12, sealedSecret.Nonce.Length);
        Assert.Equal(16, sealedSecret.Tag.Length);
        Assert.DoesNotContain("sk-provider", Encoding.UTF8.GetString(sealedSecret.Ciphertext), StringComparison.Ordinal);
    }

    [Fact]
    public void Seal_SameSecretTwice_UsesFreshNonces()
    {
        var vault = new SecretVault(MasterKey);

        Assert.NotEqual(vault.Seal("x", "a").Nonce, vault.Seal("x", "a").Nonce);
    }

    [Fact]
    public void Unseal_BoundToAnotherRecord_Fails()
    {
        var vault = new SecretVault(MasterKey);
        var sealedSecret = vault.Seal("secret", "ws_1/openai-prod");

        Assert.ThrowsAny<CryptographicException>(() => vault.Unseal(sealedSecret, "ws_2/openai-prod"));
    }

    [Fact]
    public void Unseal_AlteredCiphertext_Fails()
    {
        var vault = new SecretVault(MasterKey);
        var sealedSecret = vault.Seal("secret", "r");
        sealedSecret.Ciphertext[0] ^= 1;

        Assert.ThrowsAny<CryptographicException>(() => vault.Unseal(sealedSecret, "r"));
    }

    [Fact]
    public void Unseal_OtherMasterKey_FailsNamingBothKeys()
    {
        var sealedSecret = new SecretVault(MasterKey).Seal("secret", "r");
        var other = new SecretVault(new byte[32]);

        var error = Assert.Throws<CryptographicException>(() => other.Unseal(sealedSecret, "r"));
        Assert.Contains(sealedSecret.KeyId, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("AAAA")]
    public void MasterKeyFromEnvironment_BadKey_SaysWhichSetting(string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() => SecretVault.MasterKeyFromEnvironment(name => name == "SWITCHYARD_MASTER_KEY" ? value : null));

        Assert.StartsWith("SWITCHYARD_MASTER_KEY must hold 32 random bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MasterKeyFromEnvironment_File_IsRead()
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, Convert.ToBase64String(MasterKey) + "\n");
        try
        {
            Assert.Equal(MasterKey, SecretVault.MasterKeyFromEnvironment(name => name == "SWITCHYARD_MASTER_KEY_FILE" ? path : null));
            Assert.Null(SecretVault.MasterKeyFromEnvironment(_ => null));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
