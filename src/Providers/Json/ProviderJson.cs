using System.Text.Json;
using Switchyard.Providers.Streaming;

namespace Switchyard.Providers.Json;

/// <summary>
/// Reading what a provider sent back, answers and stream events, which must be JSON objects. A provider that breaks
/// that is reported as breaking its protocol (a 502, or a broken stream), named so operators know which one.
/// </summary>
internal static class ProviderJson
{
    /// <param name="provider">The provider's name as the messages give it ("Cohere", "Google Gemini").</param>
    /// <exception cref="StreamProtocolException">the answer is not a JSON object.</exception>
    public static JsonDocument ParseAnswer(ReadOnlySpan<byte> body, string provider)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.ToArray());
        }
        catch (JsonException ex)
        {
            throw new StreamProtocolException($"{provider} sent JSON that could not be read: {ex.Message}");
        }

        return IsObject(document) ? document : throw new StreamProtocolException($"{provider} sent a JSON value that is not an object");
    }

    /// <exception cref="StreamProtocolException">the event's data is not a JSON object.</exception>
    public static JsonDocument ParseEvent(StreamEvent upstream, string provider)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(upstream.Data);
        }
        catch (JsonException ex)
        {
            throw new StreamProtocolException($"{provider} sent a stream event that is not valid JSON: {ex.Message}");
        }

        return IsObject(document) ? document : throw new StreamProtocolException($"{provider} sent a stream event that is not a JSON object");
    }

    private static bool IsObject(JsonDocument document)
    {
        if (document.RootElement.ValueKind == JsonValueKind.Object)
        {
            return true;
        }

        document.Dispose();
        return false;
    }
}
