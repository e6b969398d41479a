using Microsoft.AspNetCore.Http.Features;

namespace Switchyard.FakeProvider.Hosting;

/// <summary>
/// Picks the route whose path suffix is the longest match, so <c>chat/completions</c> wins over
/// <c>completions</c>. A new wire format adds its routes here; nothing else needs to know.
/// </summary>
internal sealed class RouteTable
{
    private readonly WireRoute[] routes;
    private readonly ExchangeHandler notFound;
    private readonly ExchangeHandler methodNotAllowed;

    public RouteTable(IEnumerable<WireRoute> routes, ExchangeHandler notFound, ExchangeHandler methodNotAllowed)
    {
        this.routes = [.. routes.OrderByDescending(route => route.PathSuffix.Length)];
        this.notFound = notFound;
        this.methodNotAllowed = methodNotAllowed;
    }

    public Task DispatchAsync(HttpContext context)
    {
        var exchange = context.Features.GetRequiredFeature<FakeExchange>();
        var path = (context.Request.Path.Value ?? "").TrimEnd('/');
        string? matchedSuffix = null;
        foreach (var route in routes)
        {
            // Only the longest matching suffix counts: GET .../chat/completions is a wrong
            // method, not a request for .../completions.
            if (matchedSuffix is not null && route.PathSuffix.Length < matchedSuffix.Length)
            {
                break;
            }

            if (!EndsWithSegments(path, route.PathSuffix))
            {
                continue;
            }

            if (HttpMethods.Equals(context.Request.Method, route.Method))
            {
                return route.Handle(context, exchange);
            }

            matchedSuffix = route.PathSuffix;
        }

        return matchedSuffix is not null ? methodNotAllowed(context, exchange) : notFound(context, exchange);
    }

    /// <remarks>
    /// A suffix starting with <c>:</c> is a custom method on the last segment (Google's <c>models/{model}:generateContent</c>):
    /// it matches when the last segment ends with it after a non-empty resource name.
    /// </remarks>
    private static bool EndsWithSegments(string path, string suffix) =>
        path.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
        && path.Length > suffix.Length
        && (suffix[0] == ':' ? path[path.Length - suffix.Length - 1] != '/' : path[path.Length - suffix.Length - 1] == '/');
}
