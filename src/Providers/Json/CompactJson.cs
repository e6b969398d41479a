using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Switchyard.Providers.Json;

/// <summary>How the gateway writes the JSON it sends: to providers, and back to clients in their shapes.</summary>
internal static class CompactJson
{
    /// <summary>
    /// Escapes only what JSON requires. Bodies go to APIs and SDKs, never into HTML, and the default encoder would turn
    /// every quote, apostrophe and non-ASCII letter of a prompt, and every <c>+</c> of a base64 image, into <c>\u</c> escapes.
    /// </summary>
    public static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] Write(Action<Utf8JsonWriter> write, int sizeHint = 512)
    {
        var buffer = new ArrayBufferWriter<byte>(sizeHint);
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
