using Switchyard.Providers.Catalog;
using Switchyard.Providers.Cohere;

namespace Switchyard.Providers.Tests.Cohere;

/// <summary>Calls, a fixed clock and counted ids for the Cohere adapter's tests (the shared parts are in <see cref="AdapterCalls"/>).</summary>
internal static class CohereCalls
{
    public const long Created = AdapterCalls.Created;

    public static CohereAdapter Adapter()
    {
        var next = 0;
        return new CohereAdapter(AdapterCalls.FixedTime, () => $"id{++next}");
    }

    public static ProviderCall Call(string body, string model = "command-a-03-2025", bool stream = false, ApiOperation operation = ApiOperation.ChatCompletions, string? baseUrl = null, WireFormat format = WireFormat.OpenAi, IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>>? fields = null) =>
        AdapterCalls.Call("cohere", baseUrl ?? "https://api.cohere.com/v2", "co-key", body, model, stream, operation, format, fields);

    public static string Text(ReadOnlyMemory<byte> bytes) => AdapterCalls.Text(bytes);

    public static string Compact(string json) => AdapterCalls.Compact(json);

    public static List<string> Translate(IStreamTranslator translator, params string[] events) => AdapterCalls.Translate(translator, events);
}
