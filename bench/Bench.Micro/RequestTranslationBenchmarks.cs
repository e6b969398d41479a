using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Switchyard.Bench.Micro.Payloads;
using Switchyard.Providers;
using Switchyard.Providers.Catalog;
using Switchyard.Providers.Dialects.Anthropic;

namespace Switchyard.Bench.Micro;

/// <summary>
/// Building the provider request from the client's body: OpenAI's adapter passes the bytes through, Anthropic's
/// translates them, and the Anthropic client dialect turns a <c>/v1/messages</c> body into OpenAI's shape for other
/// providers. Baseline: a JsonNode parse and write of the same body, what a naive translator starts from.
/// </summary>
[MemoryDiagnoser]
public class RequestTranslationBenchmarks
{
    private byte[] _openAiBody = [];
    private byte[] _anthropicBody = [];
    private IProviderAdapter _openAi = null!;
    private IProviderAdapter _anthropic = null!;
    private ProviderCall _toOpenAi = null!;
    private ProviderCall _toAnthropic = null!;

    [Params(ChatSize.Small, ChatSize.Large)]
    public ChatSize Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _openAiBody = ChatBodies.OpenAi(Size);
        _openAi = ProviderCalls.Adapter(WireFormat.OpenAi);
        _anthropic = ProviderCalls.Adapter(WireFormat.Anthropic);
        _toOpenAi = ProviderCalls.Chat("openai", _openAiBody, ChatBodies.Model);
        _toAnthropic = ProviderCalls.Chat("anthropic", _openAiBody, ChatBodies.Model);

        // The same conversation as an Anthropic SDK would send it to /v1/messages.
        _anthropicBody = _anthropic.CreateRequest(_toAnthropic).Body.ToArray();
    }

    [Benchmark(Baseline = true)]
    public byte[] JsonNodeRoundTrip()
    {
        var node = JsonNode.Parse(_openAiBody);
        var buffer = new ArrayBufferWriter<byte>(_openAiBody.Length);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            node!.WriteTo(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    [Benchmark]
    public ProviderHttpRequest OpenAiAdapter_CreateRequest() => _openAi.CreateRequest(_toOpenAi);

    [Benchmark]
    public ProviderHttpRequest AnthropicAdapter_CreateRequest() => _anthropic.CreateRequest(_toAnthropic);

    [Benchmark]
    public byte[] AnthropicDialect_RequestToOpenAi() => AnthropicDialect.Instance.RequestToOpenAi(_anthropicBody);
}
