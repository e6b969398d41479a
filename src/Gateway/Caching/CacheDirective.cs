using Switchyard.Gateway.Errors;
using Switchyard.Gateway.Pipeline;

namespace Switchyard.Gateway.Caching;

/// <summary>
/// What the request's headers ask of the cache: Portkey's <c>x-portkey-cache-force-refresh</c> (answer from the
/// provider and store the new answer) and <c>x-portkey-cache-namespace</c> (a separate partition), and the standard
/// <c>Cache-Control</c>: <c>no-cache</c> reads like a force refresh, <c>no-store</c> keeps the call out of the cache
/// altogether (neither read nor written).
/// </summary>
internal readonly record struct CacheDirective(bool Refresh, bool NoStore, string Namespace)
{
    /// <summary>Longest namespace accepted; a namespace is a partition name, not a payload.</summary>
    public const int MaxNamespaceLength = 128;

    /// <exception cref="GatewayException">the namespace is too long or holds control characters (a 400).</exception>
    public static CacheDirective Read(IRequestHeaders headers)
    {
        var refresh = headers[GatewayHeaders.CacheForceRefresh] is { } force && force.Trim().Equals("true", StringComparison.OrdinalIgnoreCase);
        var noStore = false;
        if (headers[GatewayHeaders.CacheControl] is { } control)
        {
            foreach (var part in control.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (part.Equals("no-store", StringComparison.OrdinalIgnoreCase))
                {
                    noStore = true;
                }
                else if (part.Equals("no-cache", StringComparison.OrdinalIgnoreCase))
                {
                    refresh = true;
                }
            }
        }

        var @namespace = headers[GatewayHeaders.CacheNamespace]?.Trim() ?? "";
        if (@namespace.Length > MaxNamespaceLength || @namespace.Any(char.IsControl))
        {
            throw new GatewayException(
                GatewayErrorKind.InvalidRequest,
                $"{GatewayHeaders.CacheNamespace} must be at most {MaxNamespaceLength} printable characters.");
        }

        return new CacheDirective(refresh, noStore, @namespace);
    }
}
