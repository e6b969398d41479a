using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Switchyard.Providers.Catalog;
using Switchyard.Providers.Streaming;

namespace Switchyard.Providers.Tests;

/// <summary>What every adapter's tests need: calls, a fixed clock, compact expected JSON and translated stream chunks.</summary>
internal static class AdapterCalls
{
    public const long Created = 1_700_000_000;

    public static TimeProvider FixedTime { get; } = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(Created));

    public static ProviderCall Call(string provider, string baseUrl, string credential, string body, string model, bool stream, ApiOperation operation, WireFormat format, IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>>? fields)
    {
        ProviderCatalog.Default.TryGet(provider, out var descriptor);
        return new ProviderCall(
            descriptor!,
            operation,
            new Uri(baseUrl),
            credential,
            Encoding.UTF8.GetBytes(body),
            format,
            fields ?? [],
            model,
            stream,
            new Dictionary<string, string>(),
            []);
    }

    public static string Text(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);

    /// <summary>The JSON without insignificant whitespace, escaped as the adapters escape, so expected bodies can be written readably.</summary>
    public static string Compact(string json)
    {
        using var document = JsonDocument.Parse(json);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            document.RootElement.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static List<string> Translate(IStreamTranslator translator, params string[] events)
    {
        var output = new List<byte[]>();
        foreach (var data in events)
        {
            translator.Translate(new StreamEvent(null, Encoding.UTF8.GetBytes(data)), output);
        }

        return [.. output.Select(chunk => Encoding.UTF8.GetString(chunk))];
    }
}
