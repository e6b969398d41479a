using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Switchyard.Gateway.Security;

/// <summary>
/// Switchyard API keys: <c>sk-sy-</c> followed by 32 random bytes (base64url). Only a SHA-256 hash is stored. The key
/// carries 256 bits of entropy, so a fast hash is safe here (a slow password hash guards guessable secrets, and would
/// cost every request); the hash lets a presented key be found without keeping anything that could be replayed.
/// </summary>
public static class ApiKeySecrets
{
    public const string Prefix = "sk-sy-";

    /// <summary>A new key; shown to its creator once and never stored.</summary>
    public static string Generate() => Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>True when the text has the shape of a Switchyard key (and so is not a provider key to pass through).</summary>
    public static bool LooksLikeKey(string? presented) =>
        presented is not null && presented.StartsWith(Prefix, StringComparison.Ordinal) && presented.Length == Prefix.Length + 43;

    /// <summary>Lower-case hex SHA-256 of the key's UTF-8 bytes.</summary>
    /// <remarks>
    /// Runs on every keyed request. Each thread reuses one hash context: the one-shot <see cref="SHA256.HashData(byte[])"/>
    /// makes OpenSSL 3 set up and look up its digest per call, which under load cost about 4 µs per request (shared
    /// state between threads) against about 1 µs reused.
    /// </remarks>
    public static string Hash(string key)
    {
        var hasher = _hasher ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var length = Encoding.UTF8.GetMaxByteCount(key.Length);
        var utf8 = length <= 512 ? stackalloc byte[length] : new byte[length];
        hasher.AppendData(utf8[..Encoding.UTF8.GetBytes(key, utf8)]);
        Span<byte> digest = stackalloc byte[32];
        hasher.GetHashAndReset(digest);
        return Convert.ToHexStringLower(digest);
    }

    [ThreadStatic]
    private static IncrementalHash? _hasher;

    /// <summary>The masked form shown in reads: the prefix and two characters, an ellipsis, the last four.</summary>
    public static string Hint(string key) => key.Length <= Prefix.Length + 6 ? Prefix + "…" : $"{key[..(Prefix.Length + 2)]}…{key[^4..]}";

    /// <summary>Masks any secret for display: its first four characters (or fewer), an ellipsis, its last four.</summary>
    public static string MaskSecret(string secret) => secret.Length <= 8 ? "…" : $"{secret[..4]}…{secret[^4..]}";
}
