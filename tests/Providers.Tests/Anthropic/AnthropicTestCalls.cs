using System.Text;
using Microsoft.Extensions.Time.Testing;
using Switchyard.Providers.Anthropic;
using Switchyard.Providers.Catalog;
using Switchyard.Providers.Streaming;

namespace Switchyard.Providers.Tests.Anthropic;

/// <summary>Calls, clocks and JSON comparison for the Anthropic translation tests.</summary>
internal static class AnthropicTestCalls
{
    /// <summary>2023-11-14T22:13:20Z, the <c>created</c> every translated answer carries in these tests.</summary>
    public const long Created = 1_700_000_000;

    public static AnthropicAdapter Adapter { get; } = new(new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(Created)));

    public static ProviderCall Call(
        string body,
        WireFormat bodyFormat = WireFormat.OpenAi,
        ApiOperation operation = ApiOperation.ChatCompletions,
        bool stream = false,
        string? baseUrl = "https://api.anthropic.com/v1",
        IReadOnlyDictionary<string, string>? options = null,
        IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>>? fields = null,
        IReadOnlyList<KeyValuePair<string, string>>? forwarded = null)
    {
        Assert.True(ProviderCatalog.Default.TryGet("anthropic", out var provider));
        return new ProviderCall(
            provider,
            operation,
            baseUrl is null ? null : new Uri(baseUrl),
            "sk-ant-test",
            Encoding.UTF8.GetBytes(body),
            bodyFormat,
            fields ?? [],
            "claude-test",
            stream,
            options ?? new Dictionary<string, string>(),
            forwarded ?? []);
    }

    public static string Text(ReadOnlyMemory<byte> bytes) => AdapterCalls.Text(bytes);

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>The same JSON written compactly, property order kept, so expectations can be laid out readably and still compared exactly.</summary>
    public static string Compact(string json) => AdapterCalls.Compact(json);

    public static void AssertJson(string expected, ReadOnlyMemory<byte> actual) => Assert.Equal(Compact(expected), Text(actual));

    /// <summary>Runs SSE events (name, data) through a fresh stream translator and returns the OpenAI payloads.</summary>
    public static List<string> Translate(ProviderCall call, params (string Name, string Data)[] events)
    {
        var translator = Adapter.CreateStreamTranslator(call);
        var output = new List<byte[]>();
        foreach (var (name, data) in events)
        {
            translator.Translate(new StreamEvent(name, Bytes(data)), output);
        }

        return output.Select(chunk => Encoding.UTF8.GetString(chunk)).ToList();
    }
}
