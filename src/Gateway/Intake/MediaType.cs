namespace Switchyard.Gateway.Intake;

/// <summary>A Content-Type header read as sent, without parsing it into a header value object.</summary>
internal static class MediaType
{
    /// <summary>The media type without its parameters: <c>application/json; charset=utf-8</c> is <c>application/json</c>.</summary>
    public static ReadOnlySpan<char> Essence(string? contentType)
    {
        var text = contentType.AsSpan();
        var semicolon = text.IndexOf(';');
        return (semicolon >= 0 ? text[..semicolon] : text).Trim();
    }

    /// <summary>Exactly <c>application/json</c>, with any parameters: what a request body must be.</summary>
    public static bool IsJson(string? contentType) =>
        contentType is not null && Essence(contentType).Equals("application/json", StringComparison.OrdinalIgnoreCase);

    /// <summary>Any JSON media type, including structured suffixes such as <c>application/problem+json</c>.</summary>
    public static bool IsAnyJson(string? contentType) => Essence(contentType).EndsWith("json", StringComparison.OrdinalIgnoreCase);
}
