using System.Security.Cryptography;
using Switchyard.Gateway.Errors;
using Switchyard.Gateway.Pipeline;
using Switchyard.State;

namespace Switchyard.Gateway.Security;

/// <summary>A virtual key found in the caller's workspace, with its provider secret unsealed for this call only.</summary>
internal sealed record ResolvedVirtualKey(VirtualKey Record, string Secret)
{
    public string Slug => Record.Slug;

    public string Provider => Record.Provider;

    public IReadOnlyDictionary<string, string> ProviderOptions => Record.ProviderOptions;

    // The secret must never reach a log line or an exception message by way of a record's ToString.
    public override string ToString() => $"virtual key {Record.Slug} ({Record.Provider})";
}

/// <summary>
/// Finds a virtual key named by a request (<c>x-portkey-virtual-key</c>, a config target's <c>virtual_key</c>, or
/// <c>"model": "@slug/model"</c>) in the caller's workspace and unseals its secret with the master key, bound to
/// <c>&lt;workspace id&gt;/&lt;slug&gt;</c> exactly as the admin API sealed it. Slugs are looked up in the caller's workspace
/// only, and a miss reads the same whether or not another workspace has that slug.
/// </summary>
internal sealed class VirtualKeyResolver(KeyDirectory directory, Func<SecretVault?> vault, TimeProvider time)
{
    /// <summary>The virtual key, or a 401/403 <see cref="GatewayException"/> saying why it cannot be used.</summary>
    /// <param name="source">Where the slug came from, for the message (<c>x-portkey-virtual-key</c>, <c>config.targets[0].virtual_key</c>, <c>model</c>).</param>
    public ResolvedVirtualKey Resolve(GatewayCall call, string slug, string source) =>
        TryResolve(call, slug, source) ?? throw NotInWorkspace(slug, source);

    /// <summary>As <see cref="Resolve"/>, but null when the caller's workspace has no such virtual key.</summary>
    public ResolvedVirtualKey? TryResolve(GatewayCall call, string slug, string source)
    {
        if (call.Workspace is not { } workspace)
        {
            throw new GatewayException(GatewayErrorKind.Unauthenticated, $"{source} names virtual key '{Truncate(slug)}', but virtual keys belong to a workspace: send a Switchyard API key (x-portkey-api-key or Authorization: Bearer sk-sy-…) to use one.");
        }

        if (directory.FindVirtualKey(workspace.Id, slug) is not { } record)
        {
            return null;
        }

        if (record.ExpiresAt is { } expiresAt && expiresAt <= time.GetUtcNow())
        {
            // Portkey's virtual_key_expired_error.
            throw new GatewayException(GatewayErrorKind.Unauthenticated, $"virtual_key_expired_error: virtual key '{slug}' expired at {expiresAt:yyyy-MM-ddTHH:mm:ssZ}; extend it or create a new one with the admin API.");
        }

        return new ResolvedVirtualKey(record, Unseal(record));
    }

    private string Unseal(VirtualKey record)
    {
        SecretVault? opened;
        try
        {
            opened = vault();
        }
        catch (InvalidOperationException ex)
        {
            throw new GatewayException(GatewayErrorKind.HostMisconfigured, $"Virtual keys cannot be opened: {ex.Message}");
        }

        if (opened is null)
        {
            throw new GatewayException(GatewayErrorKind.HostMisconfigured, "Virtual keys cannot be opened: this host has no master key (set SWITCHYARD_MASTER_KEY).");
        }

        try
        {
            return opened.Unseal(record.Secret, BoundTo(record.WorkspaceId, record.Slug));
        }
        catch (CryptographicException)
        {
            // Sealed under another master key, or the row was altered: an operator's problem, never the client's.
            throw new GatewayException(GatewayErrorKind.HostMisconfigured, $"Virtual key '{record.Slug}' cannot be opened with this host's master key; set its secret again with the admin API (PUT /v1/virtual-keys/{record.Slug}).");
        }
    }

    /// <summary>The associated data the admin API seals a virtual key's secret with.</summary>
    internal static string BoundTo(string workspaceId, string slug) => $"{workspaceId}/{slug}";

    private static GatewayException NotInWorkspace(string slug, string source) =>
        new(GatewayErrorKind.Forbidden, $"{source} names virtual key '{Truncate(slug)}', which this API key's workspace does not have. Use a virtual key of the key's own workspace.");

    private static string Truncate(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
