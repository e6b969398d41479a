using System.Security.Cryptography;
using System.Text;
using Switchyard.State;

namespace Switchyard.Gateway.Security;

/// <summary>
/// Seals provider secrets with AES-256-GCM under the master key, binding each to the record it belongs to (the
/// associated data, e.g. <c>workspace/slug</c>) so a sealed secret copied onto another record will not open.
/// Each sealed secret names the master key that sealed it (the first 8 hex digits of the key's SHA-256), so a key
/// rotation can tell old secrets from new.
/// </summary>
public sealed class SecretVault
{
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly byte[] _key;

    public SecretVault(byte[] masterKey)
    {
        if (masterKey.Length != 32)
        {
            throw new ArgumentException("The master key must be 32 bytes (256 bits).", nameof(masterKey));
        }

        _key = masterKey.ToArray();
        KeyId = Convert.ToHexStringLower(SHA256.HashData(_key))[..8];
    }

    /// <summary>Which master key this vault holds, without revealing it.</summary>
    public string KeyId { get; }

    /// <summary>
    /// A 32-byte key for one purpose (HKDF-SHA256 of the master key with <paramref name="purpose"/> as its info), so
    /// every node sharing the master key derives the same key without the master key itself being used twice.
    /// </summary>
    public byte[] DeriveKey(string purpose) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, _key, 32, salt: [], info: Encoding.UTF8.GetBytes(purpose));

    public SealedSecret Seal(string secret, string boundTo)
    {
        var nonce = RandomNumberGenerator.GetBytes(NonceSize);
        var plaintext = Encoding.UTF8.GetBytes(secret);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[TagSize];
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plaintext, ciphertext, tag, Encoding.UTF8.GetBytes(boundTo));
        CryptographicOperations.ZeroMemory(plaintext);
        return new SealedSecret(KeyId, nonce, ciphertext, tag);
    }

    /// <exception cref="CryptographicException">the secret was sealed under another master key, for another record, or altered.</exception>
    public string Unseal(SealedSecret sealedSecret, string boundTo)
    {
        if (sealedSecret.KeyId != KeyId)
        {
            throw new CryptographicException($"The secret was sealed under master key {sealedSecret.KeyId}, not the configured {KeyId}.");
        }

        var plaintext = new byte[sealedSecret.Ciphertext.Length];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(sealedSecret.Nonce, sealedSecret.Ciphertext, sealedSecret.Tag, plaintext, Encoding.UTF8.GetBytes(boundTo));
        try
        {
            return Encoding.UTF8.GetString(plaintext);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>
    /// The master key from the environment: <c>SWITCHYARD_MASTER_KEY</c> (base64 of 32 bytes) or the file named by
    /// <c>SWITCHYARD_MASTER_KEY_FILE</c> (a mounted secret holding the same). Null when neither is set.
    /// </summary>
    /// <exception cref="InvalidOperationException">a key is configured but is not 32 bytes of base64; the message says which setting.</exception>
    public static byte[]? MasterKeyFromEnvironment(Func<string, string?> environment)
    {
        if (environment("SWITCHYARD_MASTER_KEY") is { Length: > 0 } inline)
        {
            return Decode(inline, "SWITCHYARD_MASTER_KEY");
        }

        if (environment("SWITCHYARD_MASTER_KEY_FILE") is { Length: > 0 } path)
        {
            return Decode(File.ReadAllText(path), $"SWITCHYARD_MASTER_KEY_FILE ({path})");
        }

        return null;
    }

    private static byte[] Decode(string text, string source)
    {
        try
        {
            var key = Convert.FromBase64String(text.Trim());
            if (key.Length == 32)
            {
                return key;
            }
        }
        catch (FormatException)
        {
        }

        throw new InvalidOperationException($"{source} must hold 32 random bytes in base64 (e.g. the output of `openssl rand -base64 32`).");
    }
}
