using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Switchyard.FakeProvider.Transport;

/// <summary>Builds JSON bodies with <see cref="Utf8JsonWriter"/> and sends them whole.</summary>
internal static class JsonReply
{
    public const string ContentType = "application/json";

    /// <summary>
    /// Escapes only what JSON requires, as real providers do: the default encoder would turn
    /// '+' in base64 embeddings and quotes in messages into \u escapes no provider sends.
    /// </summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static ReadOnlyMemory<byte> Build(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(json);
        }

        return buffer.WrittenMemory;
    }

    /// <param name="malformed">
    /// Send only the first half of the body, with a matching Content-Length: the client gets a
    /// complete 200 response whose JSON does not parse, rather than a connection error.
    /// </param>
    public static async Task WriteAsync(HttpContext context, int statusCode, ReadOnlyMemory<byte> json, bool malformed, CancellationToken cancellationToken)
    {
        var body = malformed ? json[..(json.Length / 2)] : json;
        var response = context.Response;
        response.StatusCode = statusCode;
        response.ContentType = ContentType;
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, cancellationToken);
    }
}
