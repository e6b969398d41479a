using Microsoft.AspNetCore.Http.Features;

namespace Switchyard.FakeProvider.Hosting;

/// <summary>
/// Picks the route whose path suffix is the longest match, so <c>chat/completions</c> wins over
/// <c>completions</c>. A new wire format adds its routes here; nothing else needs to know.
/// A suffix segment in braces (<c>model/{model}/converse</c>) matches any one segment, whose
/// value the handler finds in <see cref="HttpRequest.RouteValues"/>.
/// </summary>
internal sealed class RouteTable
{
    private readonly WireRoute[] _routes;
    private readonly ExchangeHandler _notFound;
    private readonly ExchangeHandler _methodNotAllowed;

    public RouteTable(IEnumerable<WireRoute> routes, ExchangeHandler notFound, ExchangeHandler methodNotAllowed)
    {
        _routes = [.. routes.OrderByDescending(route => route.PathSuffix.Length)];
        _notFound = notFound;
        _methodNotAllowed = methodNotAllowed;
    }

    public Task DispatchAsync(HttpContext context)
    {
        var exchange = context.Features.GetRequiredFeature<FakeExchange>();
        var path = (context.Request.Path.Value ?? "").TrimEnd('/');
        string? matchedSuffix = null;
        foreach (var route in _routes)
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
                CaptureSegments(context.Request, path, route.PathSuffix);
                return route.Handle(context, exchange);
            }

            matchedSuffix = route.PathSuffix;
        }

        return matchedSuffix is not null ? _methodNotAllowed(context, exchange) : _notFound(context, exchange);
    }

    private static bool EndsWithSegments(string path, string suffix)
    {
        if (!suffix.Contains('{', StringComparison.Ordinal))
        {
            // A suffix starting with ':' is a custom method on the last segment (Google's models/{model}:generateContent):
            // it matches when the last segment ends with it after a non-empty resource name.
            return path.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && path.Length > suffix.Length
                && (suffix[0] == ':' ? path[path.Length - suffix.Length - 1] != '/' : path[path.Length - suffix.Length - 1] == '/');
        }

        var pathSegments = path.Split('/');
        var suffixSegments = suffix.Split('/');
        if (pathSegments.Length <= suffixSegments.Length)
        {
            return false;
        }

        var offset = pathSegments.Length - suffixSegments.Length;
        for (var i = 0; i < suffixSegments.Length; i++)
        {
            var matches = IsPlaceholder(suffixSegments[i])
                ? pathSegments[offset + i].Length > 0
                : pathSegments[offset + i].Equals(suffixSegments[i], StringComparison.OrdinalIgnoreCase);
            if (!matches)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Kestrel decodes the path except for <c>%2F</c>, so a placeholder's value (an ARN-style
    /// Bedrock model id, say) gets its slashes back here.
    /// </summary>
    private static void CaptureSegments(HttpRequest request, string path, string suffix)
    {
        if (!suffix.Contains('{', StringComparison.Ordinal))
        {
            return;
        }

        var pathSegments = path.Split('/');
        var suffixSegments = suffix.Split('/');
        var offset = pathSegments.Length - suffixSegments.Length;
        for (var i = 0; i < suffixSegments.Length; i++)
        {
            if (IsPlaceholder(suffixSegments[i]))
            {
                request.RouteValues[suffixSegments[i][1..^1]] = pathSegments[offset + i].Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
            }
        }
    }

    private static bool IsPlaceholder(string segment) => segment.Length > 2 && segment[0] == '{' && segment[^1] == '}';
}
