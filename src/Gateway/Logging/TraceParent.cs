namespace Switchyard.Gateway.Logging;

/// <summary>
/// Reads a W3C <c>traceparent</c> (<c>00-{32 hex trace id}-{16 hex parent id}-{2 hex flags}</c>). Anything else, and
/// the all-zero ids the specification calls invalid, is ignored: the header is the client's, and a log does not refuse.
/// </summary>
internal static class TraceParent
{
    public static bool TryParse(string? header, out string traceId, out string parentSpanId)
    {
        traceId = parentSpanId = "";
        if (header is null)
        {
            return false;
        }

        var text = header.AsSpan().Trim();
        if (text.Length < 55 || text[2] != '-' || text[35] != '-' || text[52] != '-' || (text.Length > 55 && text[55] != '-'))
        {
            return false;
        }

        var version = text[..2];
        var trace = text.Slice(3, 32);
        var parent = text.Slice(36, 16);
        var flags = text.Slice(53, 2);
        if (!IsLowerHex(version) || version.SequenceEqual("ff") || (version.SequenceEqual("00") && text.Length != 55)
            || !IsLowerHex(trace) || !IsLowerHex(parent) || !IsLowerHex(flags)
            || trace.IndexOfAnyExcept('0') < 0 || parent.IndexOfAnyExcept('0') < 0)
        {
            return false;
        }

        traceId = trace.ToString();
        parentSpanId = parent.ToString();
        return true;
    }

    private static bool IsLowerHex(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }
        }

        return true;
    }
}
