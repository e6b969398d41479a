using Switchyard.Providers.Catalog;
using Switchyard.Providers.Gemini;

namespace Switchyard.Providers.Tests.Gemini;

/// <summary>Calls, a fixed clock and counted ids for the Gemini adapter's tests (the shared parts are in <see cref="AdapterCalls"/>).</summary>
internal static class GeminiCalls
{
    public const long Created = AdapterCalls.Created;

    public static GeminiAdapter Adapter()
    {
        var next = 0;
        return new GeminiAdapter(AdapterCalls.FixedTime, () => $"id{++next}");
    }

    public static ProviderCall Call(string body, string model = "gemini-2.0-flash", bool stream = false, ApiOperation operation = ApiOperation.ChatCompletions, string? baseUrl = null, WireFormat format = WireFormat.OpenAi, IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>>? fields = null) =>
        AdapterCalls.Call("google", baseUrl ?? "https://generativelanguage.googleapis.com/v1beta", "g-key", body, model, stream, operation, format, fields);

    public static string Text(ReadOnlyMemory<byte> bytes) => AdapterCalls.Text(bytes);

    public static string Compact(string json) => AdapterCalls.Compact(json);

    public static List<string> Translate(IStreamTranslator translator, params string[] events) => AdapterCalls.Translate(translator, events);
}
