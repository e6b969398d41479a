using System.Globalization;
using System.Text.Json;

namespace Switchyard.Gateway.Routing;

/// <summary>
/// What conditional routing can look at for one request: <c>metadata.*</c> (the x-portkey-metadata header),
/// <c>params.*</c> (the request body) and <c>url.pathname</c>. One instance per request; not thread-safe.
/// </summary>
public sealed class RoutingFacts
{
    private readonly JsonElement? _metadata;
    private readonly Func<JsonElement?> _requestParams;
    private readonly string _urlPathname;
    private JsonElement? _params;
    private bool _paramsRead;
    private JsonElement? _pathname;

    /// <param name="metadata">The parsed metadata header, or null when absent.</param>
    /// <param name="requestParams">Parses the request body on first use; conditions that never read <c>params</c> never pay for it. May return null (e.g. multipart).</param>
    /// <param name="urlPathname">The request path, e.g. <c>/v1/chat/completions</c>.</param>
    public RoutingFacts(JsonElement? metadata, Func<JsonElement?> requestParams, string urlPathname)
    {
        ArgumentNullException.ThrowIfNull(requestParams);
        ArgumentNullException.ThrowIfNull(urlPathname);
        _metadata = metadata;
        _requestParams = requestParams;
        _urlPathname = urlPathname;
    }

    /// <summary>
    /// Reads a dotted path: <c>metadata.a.b</c>, <c>params.a.b.c.d</c> (any depth, where Portkey stops at two
    /// levels), array indexes such as <c>params.messages.0.role</c>, and <c>url.pathname</c>.
    /// </summary>
    /// <returns>False when the fact is missing; a JSON null that is present is returned as a value.</returns>
    public bool TryGet(string path, out JsonElement value)
    {
        ArgumentNullException.ThrowIfNull(path);
        return TryGet(path.Split('.'), out value);
    }

    internal bool TryGet(string[] segments, out JsonElement value)
    {
        value = default;
        if (segments.Length == 0)
        {
            return false;
        }

        JsonElement current;
        switch (segments[0])
        {
            case "metadata" when _metadata is { ValueKind: not JsonValueKind.Undefined } metadata:
                current = metadata;
                break;
            case "params" when ReadParams() is { ValueKind: not JsonValueKind.Undefined } body:
                current = body;
                break;
            case "url" when segments is [_, "pathname"]:
                value = _pathname ??= StringElement(_urlPathname);
                return true;
            default:
                return false;
        }

        for (var i = 1; i < segments.Length; i++)
        {
            if (!TryStep(current, segments[i], out current))
            {
                return false;
            }
        }

        value = current;
        return true;
    }

    private JsonElement? ReadParams()
    {
        if (!_paramsRead)
        {
            _params = _requestParams();
            _paramsRead = true;
        }

        return _params;
    }

    private static bool TryStep(JsonElement current, string segment, out JsonElement next)
    {
        next = default;
        switch (current.ValueKind)
        {
            case JsonValueKind.Object:
                return current.TryGetProperty(segment, out next);
            case JsonValueKind.Array:
                // JavaScript indexes arrays by canonical integer strings only: "01" or "+1" are missing.
                if (segment.Length == 0 || (segment.Length > 1 && segment[0] == '0') ||
                    !int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index) ||
                    index >= current.GetArrayLength())
                {
                    return false;
                }

                next = current[index];
                return true;
            default:
                return false;
        }
    }

    private static JsonElement StringElement(string text)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStringValue(text);
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }
}
