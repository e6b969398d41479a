using System.Security.Cryptography;
using System.Text;

namespace Switchyard.FrontDoor.Admin;

/// <summary>Slugs in Portkey's shapes (<c>pc-name-1a2b3c</c>, <c>ws-name-1a2b3c</c>) and stable derived ids.</summary>
internal static class AdminSlugs
{
    /// <summary><paramref name="prefix"/>, the name in lowercase letters, digits and dashes (at most 24), and six random hex digits.</summary>
    public static string New(string? prefix, string name)
    {
        var builder = new StringBuilder();
        foreach (var c in name.ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                builder.Append(c);
            }
            else if (builder.Length > 0 && builder[^1] != '-')
            {
                builder.Append('-');
            }

            if (builder.Length >= 24)
            {
                break;
            }
        }

        var stem = builder.ToString().Trim('-');
        var suffix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        return string.Join('-', new[] { prefix, stem, suffix }.Where(p => !string.IsNullOrEmpty(p)));
    }

    /// <summary>True for a slug a client may choose: 1–64 of <c>a-z 0-9 - _</c>.</summary>
    public static bool IsValid(string slug) =>
        slug.Length is > 0 and <= 64 && slug.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_');

    /// <summary>A version's id: a UUID derived from the config id and version number, so it needs no column of its own.</summary>
    public static string VersionId(string configId, int version) =>
        new Guid(SHA256.HashData(Encoding.UTF8.GetBytes($"{configId}/{version}"))[..16]).ToString();
}
