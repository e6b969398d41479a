using System.Text.Json;

namespace Switchyard.Gateway.Upstream;

/// <summary>Cheap checks on JSON bytes without building a document.</summary>
internal static class JsonShape
{
    public static bool IsValid(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 256 });
        try
        {
            if (!reader.Read())
            {
                return false;
            }

            reader.Skip();
            return !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
