using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Switchyard.Providers;
using Switchyard.Providers.Catalog;
using Switchyard.Providers.Cohere;
using Switchyard.Providers.Streaming;

namespace Switchyard.Gateway.Tests.Providers.Cohere;

/// <summary>Calls, a fixed clock and counted ids for the Cohere adapter's tests.</summary>
internal static class CohereCalls
{
    public const long Created = 1_700_000_000;

    public static CohereAdapter Adapter()
    {
        var next = 0;
        return new CohereAdapter(new FixedTime(), () => $"id{++next}");
    }

    public static ProviderCall Call(string body, string model = "command-a-03-2025", bool stream = false, ApiOperation operation = ApiOperation.ChatCompletions, string? baseUrl = null, WireFormat format = WireFormat.OpenAi, IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>>? fields = null)
    {
        ProviderCatalog.Default.TryGet("cohere", out var cohere);
        return new ProviderCall(
            cohere!,
            operation,
            new Uri(baseUrl ?? "https://api.cohere.com/v2"),
            "co-key",
            Encoding.UTF8.GetBytes(body),
            format,
            fields ?? [],
            model,
            stream,
            new Dictionary<string, string>(),
            []);
    }

    public static string Text(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);

    /// <summary>The JSON without insignificant whitespace, escaped as the adapter escapes, so expected bodies can be written readably.</summary>
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

    private sealed class FixedTime : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeSeconds(Created);
    }
}
