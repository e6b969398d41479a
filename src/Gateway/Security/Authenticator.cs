using Microsoft.Extensions.Options;
using Switchyard.Gateway.Errors;
using Switchyard.Gateway.Pipeline;
using Switchyard.State;

namespace Switchyard.Gateway.Security;

/// <summary>
/// The pipeline's authentication: finds the Switchyard API key a client presented (<c>x-portkey-api-key</c>, or an
/// <c>Authorization: Bearer sk-sy-…</c> so a plain OpenAI SDK can carry it) in the <see cref="KeyDirectory"/>.
/// Unknown, revoked and expired keys are 401; organisation keys and workspace keys whose scopes leave out
/// <c>completions.write</c> are 403. Without a key the call runs keyless only where that is allowed (the embedded
/// default), otherwise 401.
/// </summary>
internal sealed class Authenticator(KeyDirectory directory, IOptions<GatewayOptions> options, TimeProvider time)
{
    /// <summary>Portkey's scope for calling the gateway.</summary>
    public const string CompletionsScope = "completions.write";

    public void Authenticate(GatewayCall call)
    {
        var presented = Presented(call.Headers, out var viaAuthorization);
        if (presented is null)
        {
            if (options.Value.RequireApiKey)
            {
                throw new GatewayException(GatewayErrorKind.Unauthenticated, "An API key is required: send it as x-portkey-api-key or Authorization: Bearer sk-sy-….");
            }

            // Keyless where allowed: the call belongs to the default workspace (its virtual keys, configs and limits).
            call.Workspace = directory.DefaultWorkspace;
            return;
        }

        var key = directory.FindApiKey(ApiKeySecrets.Hash(presented))
            ?? throw new GatewayException(GatewayErrorKind.Unauthenticated, "Invalid API key: no such key. Check the key, or create one with the admin API.");
        if (key.RevokedAt is not null)
        {
            throw new GatewayException(GatewayErrorKind.Unauthenticated, "Invalid API key: the key was revoked.");
        }

        if (key.ExpiresAt is { } expiresAt && expiresAt <= time.GetUtcNow())
        {
            throw new GatewayException(GatewayErrorKind.Unauthenticated, $"Invalid API key: the key expired at {expiresAt:yyyy-MM-ddTHH:mm:ssZ}.");
        }

        if (directory.FindWorkspace(key.WorkspaceId) is not { Archived: false } workspace)
        {
            throw new GatewayException(GatewayErrorKind.Unauthenticated, "Invalid API key: its workspace is archived.");
        }

        if (key.Type == ApiKeyType.Organisation)
        {
            throw new GatewayException(GatewayErrorKind.Forbidden, "organisation keys administer; use a workspace key to call the gateway.");
        }

        // An empty scope list is a key from before scopes were checked: it keeps its access.
        if (key.Scopes.Count > 0 && !key.Scopes.Contains(CompletionsScope, StringComparer.Ordinal))
        {
            throw new GatewayException(GatewayErrorKind.Forbidden, $"This API key lacks the scope '{CompletionsScope}' that calling the gateway needs (it has: {string.Join(", ", key.Scopes)}).");
        }

        call.ApiKey = key;
        call.Workspace = workspace;
        call.ApiKeyInAuthorization = viaAuthorization;
    }

    /// <summary>A Switchyard key presented by the client, if any. A bearer that is not one is a provider key and is left alone.</summary>
    private static string? Presented(IRequestHeaders headers, out bool viaAuthorization)
    {
        viaAuthorization = false;
        if (headers[GatewayHeaders.ApiKey] is { Length: > 0 } portkey)
        {
            return portkey.Trim();
        }

        var authorization = headers[GatewayHeaders.Authorization];
        const string bearer = "Bearer ";
        if (authorization is not null && authorization.StartsWith(bearer, StringComparison.OrdinalIgnoreCase)
            && ApiKeySecrets.LooksLikeKey(authorization[bearer.Length..].Trim()))
        {
            viaAuthorization = true;
            return authorization[bearer.Length..].Trim();
        }

        return null;
    }
}
