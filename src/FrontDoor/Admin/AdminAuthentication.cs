using System.Security.Cryptography;
using System.Text;
using Switchyard.Gateway.Pipeline;
using Switchyard.Gateway.Security;
using Switchyard.State;

namespace Switchyard.FrontDoor.Admin;

/// <summary>
/// The bootstrap admin token, from <c>SWITCHYARD_ADMIN_TOKEN</c> or the file named by <c>SWITCHYARD_ADMIN_TOKEN_FILE</c>.
/// Only its SHA-256 is kept, so comparing a presented token takes the same time whatever it holds.
/// </summary>
internal sealed class AdminToken
{
    public const string TokenSetting = "SWITCHYARD_ADMIN_TOKEN";
    public const string TokenFileSetting = "SWITCHYARD_ADMIN_TOKEN_FILE";

    private readonly byte[]? _hash;

    public AdminToken(string? token) => _hash = string.IsNullOrWhiteSpace(token) ? null : Digest(token.Trim());

    public bool IsConfigured => _hash is not null;

    public static AdminToken FromConfiguration(IConfiguration configuration)
    {
        if (configuration[TokenSetting] is { Length: > 0 } inline)
        {
            return new AdminToken(inline);
        }

        return configuration[TokenFileSetting] is { Length: > 0 } path ? new AdminToken(File.ReadAllText(path)) : new AdminToken(null);
    }

    public bool Matches(string? presented) =>
        _hash is not null && presented is { Length: > 0 } && CryptographicOperations.FixedTimeEquals(_hash, Digest(presented.Trim()));

    private static byte[] Digest(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}

/// <summary>
/// Who is calling the admin API, set on the request by <see cref="AdminAuthenticationFilter"/>: the admin token
/// (every scope, every workspace), an organisation key (its scopes, every workspace) or a workspace key with admin
/// scopes (its scopes, its own workspace only).
/// </summary>
internal sealed record AdminCaller(string Actor, IReadOnlySet<string>? Scopes, string? WorkspaceId, string RequestId)
{
    /// <summary>An API key caller's key, so a caller never grants scopes it does not hold.</summary>
    public ApiKey? Key { get; init; }

    /// <summary>True unless the caller is limited to one workspace.</summary>
    public bool IsOrganisationWide => WorkspaceId is null;

    public static AdminCaller Of(HttpContext http) =>
        http.Items[typeof(AdminCaller)] as AdminCaller ?? throw new InvalidOperationException("The admin authentication filter did not run.");

    /// <summary>
    /// True when the caller holds <paramref name="scope"/>. <c>api_keys.&lt;action&gt;</c> stands for Portkey's
    /// <c>organisation_service_api_keys</c> and <c>workspace_service_api_keys</c> scopes of that action.
    /// </summary>
    public bool Can(string scope)
    {
        if (Scopes is null || Scopes.Contains(scope))
        {
            return true;
        }

        var dot = scope.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && scope[..dot].EndsWith("_api_keys", StringComparison.Ordinal) && Scopes.Contains("api_keys" + scope[dot..]);
    }

    /// <summary>Null when allowed, else the 403 naming the missing scope.</summary>
    public IResult? Require(string scope) =>
        Can(scope) ? null : AdminResults.Forbidden($"This API key lacks the scope '{scope}'.");

    public bool Sees(string workspaceId) => WorkspaceId is null || WorkspaceId == workspaceId;

    /// <summary>Null when allowed; a key caller may only give another key scopes it holds itself.</summary>
    public IResult? MayGrant(IEnumerable<string> scopes) =>
        scopes.FirstOrDefault(scope => !Can(scope)) is { } missing
            ? AdminResults.Forbidden($"This API key cannot grant the scope '{missing}', which it does not hold.")
            : null;
}

/// <summary>
/// The scope an admin route needs (Portkey's <c>resource.action</c>). <see cref="Scope"/> null means the handler checks
/// it itself, because it depends on the record (API keys: organisation or workspace keys).
/// </summary>
internal sealed record AdminScope(string? Scope);

internal static class AdminScopeExtensions
{
    public static RouteHandlerBuilder RequireScope(this RouteHandlerBuilder route, string? scope) => route.WithMetadata(new AdminScope(scope));
}

/// <summary>
/// Runs before every admin route: stamps <c>x-portkey-request-id</c> (the SDKs retry a 5xx that lacks it),
/// authenticates the caller (the admin token, compared in constant time, or an admin-scoped API key found by its hash)
/// and checks the route's scope.
/// </summary>
internal sealed class AdminAuthenticationFilter(AdminToken token, IKeyStore keys, TimeProvider time) : IEndpointFilter
{
    public const string RequestIdHeader = GatewayHeaders.RequestId;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var requestId = Guid.NewGuid().ToString();
        http.Response.Headers[RequestIdHeader] = requestId;
        var headers = http.Request.Headers;
        var apiKey = headers[GatewayHeaders.ApiKey].ToString();
        var authorization = headers.Authorization.ToString();
        var bearer = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : null;

        // Both are checked (not short-circuited on the first) so the answer takes the same path whichever header holds it.
        var viaApiKey = token.Matches(apiKey);
        var viaBearer = token.Matches(bearer);
        AdminCaller caller;
        if (viaApiKey | viaBearer)
        {
            caller = new AdminCaller("admin-token", null, null, requestId);
        }
        else
        {
            var presented = ApiKeySecrets.LooksLikeKey(apiKey) ? apiKey : ApiKeySecrets.LooksLikeKey(bearer) ? bearer : null;
            var key = presented is null ? null : await keys.FindApiKeyByHashAsync(ApiKeySecrets.Hash(presented), http.RequestAborted);
            if (key is null)
            {
                return AdminResults.Unauthorized(token.IsConfigured
                    ? "Invalid or missing admin token or API key: send it as x-portkey-api-key or Authorization: Bearer."
                    : $"The admin API is disabled: set {AdminToken.TokenSetting} (or {AdminToken.TokenFileSetting}) to an admin token and present it as x-portkey-api-key.");
            }

            if (key.RevokedAt is not null)
            {
                return AdminResults.Unauthorized("This API key has been revoked.");
            }

            if (key.ExpiresAt <= time.GetUtcNow())
            {
                return AdminResults.Unauthorized("This API key has expired.");
            }

            caller = new AdminCaller(
                $"api-key:{key.Id}",
                key.Scopes.ToHashSet(StringComparer.Ordinal),
                key.Type == ApiKeyType.Organisation ? null : key.WorkspaceId,
                requestId)
            {
                Key = key,
            };
        }

        http.Items[typeof(AdminCaller)] = caller;
        if (caller.Scopes is not null)
        {
            // A route without a declared scope is closed to keys: only the admin token may call it.
            var scope = http.GetEndpoint()?.Metadata.GetMetadata<AdminScope>();
            if (scope is null)
            {
                return AdminResults.Forbidden("This route needs the admin token.");
            }

            if (scope.Scope is { } needed && caller.Require(needed) is { } forbidden)
            {
                return forbidden;
            }
        }

        return await next(context);
    }
}
