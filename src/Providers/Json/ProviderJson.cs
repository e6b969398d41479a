using System.Text.Json;
using Switchyard.Providers.Streaming;

namespace Switchyard.Providers.Json;

/// <summary>
/// Parsing JSON that must be an object: a client's request body, which otherwise is a 400, and what a provider sent back
/// (answers and stream events), which otherwise means the provider broke its protocol (a 502, or a broken stream), named
/// so operators know which one. Every translation parses through here; only the words of the failure differ.
/// </summary>
internal static class ProviderJson
{
    private static readonly ParseFailureMessages Answer = new("{0} sent JSON that could not be read: {1}", "{0} sent a JSON value that is not an object");
    private static readonly ParseFailureMessages Event = new("{0} sent a stream event that is not valid JSON: {1}", "{0} sent a stream event that is not a JSON object");

    /// <summary>A client's request body.</summary>
    /// <param name="quoteReason">Whether the message for a body that is not JSON gives the parser's reason.</param>
    /// <exception cref="ProviderRequestException">the body is not a JSON object.</exception>
    public static JsonDocument ParseRequest(ReadOnlyMemory<byte> body, JsonDocumentOptions options = default, bool quoteReason = true)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, options);
        }
        catch (JsonException ex)
        {
            throw NotJsonRequest(ex, quoteReason);
        }

        return RequestObject(document);
    }

    /// <summary>A client's request body in a span: its first JSON value, which the parser copies once into pooled memory.</summary>
    /// <exception cref="ProviderRequestException">the body is not a JSON object.</exception>
    public static JsonDocument ParseRequest(ReadOnlySpan<byte> body, int maxDepth)
    {
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = maxDepth });
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException ex)
        {
            throw NotJsonRequest(ex, quoteReason: true);
        }

        return RequestObject(document);
    }

    /// <param name="provider">The provider's name as the messages give it ("Cohere", "Google Gemini").</param>
    /// <exception cref="StreamProtocolException">the answer is not a JSON object.</exception>
    public static JsonDocument ParseAnswer(ReadOnlySpan<byte> body, string provider) => ParseObject(body.ToArray(), default, Answer, provider);

    /// <exception cref="StreamProtocolException">the event's data is not a JSON object.</exception>
    public static JsonDocument ParseEvent(StreamEvent upstream, string provider) => ParseObject(upstream.Data, default, Event, provider);

    /// <summary>JSON a provider sent, which its protocol makes an object, with the provider's own words for the failure.</summary>
    /// <param name="subject">What <paramref name="messages"/> name as <c>{0}</c>.</param>
    /// <exception cref="StreamProtocolException">the JSON is not an object.</exception>
    public static JsonDocument ParseObject(ReadOnlyMemory<byte> json, JsonDocumentOptions options, ParseFailureMessages messages, string? subject)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, options);
        }
        catch (JsonException ex)
        {
            throw new StreamProtocolException(messages.NotJson(subject, ex.Message));
        }

        return IsObject(document) ? document : throw new StreamProtocolException(messages.NotObject(subject));
    }

    private static ProviderRequestException NotJsonRequest(JsonException ex, bool quoteReason) =>
        new(quoteReason ? $"The request body is not valid JSON: {ex.Message}" : "The request body is not valid JSON.");

    private static JsonDocument RequestObject(JsonDocument document) =>
        IsObject(document) ? document : throw new ProviderRequestException("The request body must be a JSON object.");

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
