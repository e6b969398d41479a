using System.Security.Cryptography;
using System.Text;
using Switchyard.Gateway.Upstream;

namespace Switchyard.Gateway.Health;

/// <summary>
/// Names a target for its circuit: provider, base URL (the custom host when there is one) and the virtual key's slug
/// or, without one, a hash of the credential. Two configs that reach the same provider account share a circuit; the
/// credential itself never appears (keys are stored in the cluster's table and shown in error messages).
/// </summary>
internal static class TargetKey
{
    public static string For(UpstreamRequest request)
    {
        var baseUrl = request.Call.BaseUrl?.ToString().TrimEnd('/') ?? request.Uri.GetLeftPart(UriPartial.Authority);
        var account = request.VirtualKey is { } virtualKey ? $"vk:{virtualKey.WorkspaceId}/{virtualKey.Slug}"
            : request.Call.Credential is { Length: > 0 } credential ? $"key:{Fingerprint(credential)}"
            : "anonymous";
        return $"{request.ProviderSlug} {baseUrl} {account}";
    }

    /// <summary>What an error message says about the target: its key without the credential's fingerprint.</summary>
    public static string Describe(UpstreamRequest request)
    {
        var baseUrl = request.Call.BaseUrl?.ToString().TrimEnd('/') ?? request.Uri.GetLeftPart(UriPartial.Authority);
        return request.VirtualKey is { } virtualKey
            ? $"{request.ProviderSlug} at {baseUrl} (virtual key {virtualKey.Slug})"
            : $"{request.ProviderSlug} at {baseUrl}";
    }

    // 64 bits of SHA-256 tell accounts apart; the hash is not reversible and is never the key.
    private static string Fingerprint(string credential) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(credential)).AsSpan(0, 8));
}
