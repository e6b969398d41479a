using System.Security.Cryptography;
using System.Text;

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
/// Runs before every admin route: stamps <c>x-portkey-request-id</c> (the SDKs retry a 5xx that lacks it) and lets the
/// request through only with the admin token in <c>x-portkey-api-key</c> or <c>Authorization: Bearer</c>.
/// </summary>
internal sealed class AdminAuthenticationFilter(AdminToken token) : IEndpointFilter
{
    public const string RequestIdHeader = "x-portkey-request-id";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        http.Response.Headers[RequestIdHeader] = Guid.NewGuid().ToString();
        if (!token.IsConfigured)
        {
            return AdminResults.Unauthorized(
                $"The admin API is disabled: set {AdminToken.TokenSetting} (or {AdminToken.TokenFileSetting}) to an admin token and present it as x-portkey-api-key.");
        }

        var headers = http.Request.Headers;
        var apiKey = headers["x-portkey-api-key"].ToString();
        var authorization = headers.Authorization.ToString();
        var bearer = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..] : null;

        // Both are checked (not short-circuited on the first) so the answer takes the same path whichever header holds it.
        var viaApiKey = token.Matches(apiKey);
        var viaBearer = token.Matches(bearer);
        if (!(viaApiKey | viaBearer))
        {
            return AdminResults.Unauthorized("Invalid or missing admin token: send it as x-portkey-api-key or Authorization: Bearer.");
        }

        return await next(context);
    }
}
