using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Switchyard.Gateway.Security;

namespace Switchyard.FrontDoor.Observability;

/// <summary>
/// Signed download links for exports: HMAC-SHA256 over the export id and the expiry, under a key derived from the
/// master key (<see cref="SecretVault.DeriveKey"/>). Every front door of a cluster shares the master key, so any of
/// them can check a link another made, and the file is streamed from the store, so none needs local disk.
/// </summary>
internal sealed class ExportLinks(SecretVault vault, TimeProvider time)
{
    public const string Purpose = "switchyard/log-export-download/v1";

    /// <summary>How long a download link works.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    private readonly byte[] _key = vault.DeriveKey(Purpose);

    /// <summary>The path and query of a link for <paramref name="exportId"/> (the caller adds scheme and host).</summary>
    public string PathFor(string exportId)
    {
        var expires = (time.GetUtcNow() + Lifetime).ToUnixTimeSeconds();
        return $"/v1/logs/exports/{Uri.EscapeDataString(exportId)}/file?expires={expires.ToString(CultureInfo.InvariantCulture)}&signature={Sign(exportId, expires)}";
    }

    /// <summary>True when <paramref name="signature"/> is this gateway's for the id and expiry, and the expiry has not passed.</summary>
    public bool Verify(string exportId, string? expires, string? signature)
    {
        if (!long.TryParse(expires, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || signature is not { Length: 64 })
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(exportId, seconds));
        var given = Encoding.ASCII.GetBytes(signature.ToLowerInvariant());
        return CryptographicOperations.FixedTimeEquals(expected, given) && time.GetUtcNow().ToUnixTimeSeconds() < seconds;
    }

    private string Sign(string exportId, long expires) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{exportId}\n{expires.ToString(CultureInfo.InvariantCulture)}")));
}
