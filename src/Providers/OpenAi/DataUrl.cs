namespace Switchyard.Providers.OpenAi;

/// <summary>
/// A base64 <c>data:</c> URL, <c>data:&lt;media type&gt;;base64,&lt;data&gt;</c>: how OpenAI requests carry images, audio
/// and files inline. Providers that take the bytes (Gemini's <c>inlineData</c>, Anthropic's base64 sources, Bedrock's
/// image bytes) want the media type and the base64 apart.
/// </summary>
/// <param name="MediaType">What stands between <c>data:</c> and <c>;base64</c>, as sent (may be empty).</param>
/// <param name="Base64">The data after the comma, still base64; a slice of the URL, not a copy, since images run to megabytes.</param>
internal readonly record struct DataUrl(string MediaType, ReadOnlyMemory<char> Base64)
{
    public static bool IsDataUrl(string url) => url.StartsWith("data:", StringComparison.OrdinalIgnoreCase);

    /// <summary>False when <paramref name="url"/> is not a data URL, or is one that is not base64.</summary>
    public static bool TryParse(string url, out DataUrl dataUrl)
    {
        const string Base64Marker = ";base64";
        dataUrl = default;
        var comma = url.IndexOf(',', StringComparison.Ordinal);
        if (!IsDataUrl(url) || comma < 0 || !url.AsSpan(5, comma - 5).EndsWith(Base64Marker, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        dataUrl = new DataUrl(url[5..(comma - Base64Marker.Length)], url.AsMemory(comma + 1));
        return true;
    }
}
