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
/// A non-streamed answer on its way back: OpenAI's passes through, Anthropic's message becomes a
/// <c>chat.completion</c>, and the Anthropic client dialect turns a <c>chat.completion</c> into an Anthropic message.
/// Baseline: a JsonNode parse and write of the Anthropic answer, what a naive translator starts from.
/// </summary>
[MemoryDiagnoser]
public class ResponseTranslationBenchmarks
{
    private byte[] _anthropicMessage = [];
    private byte[] _openAiCompletion = [];
    private IProviderAdapter _openAi = null!;
    private IProviderAdapter _anthropic = null!;
    private ProviderCall _toOpenAi = null!;
    private ProviderCall _toAnthropic = null!;

    [GlobalSetup]
    public void Setup()
    {
        _anthropicMessage = ProviderAnswers.AnthropicMessage();
        _openAiCompletion = ProviderAnswers.OpenAiCompletion();
        var request = ChatBodies.OpenAi(ChatSize.Small);
        _openAi = ProviderCalls.Adapter(WireFormat.OpenAi);
        _anthropic = ProviderCalls.Adapter(WireFormat.Anthropic);
        _toOpenAi = ProviderCalls.Chat("openai", request, ChatBodies.Model);
        _toAnthropic = ProviderCalls.Chat("anthropic", request, ChatBodies.Model);
    }

    [Benchmark(Baseline = true)]
    public byte[] JsonNodeRoundTrip()
    {
        var node = JsonNode.Parse(_anthropicMessage);
        var buffer = new ArrayBufferWriter<byte>(_anthropicMessage.Length);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            node!.WriteTo(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    [Benchmark]
    public byte[] OpenAiAdapter_TranslateResponse() => _openAi.TranslateResponse(_toOpenAi, _openAiCompletion, default);

    [Benchmark]
    public byte[] AnthropicAdapter_TranslateResponse() => _anthropic.TranslateResponse(_toAnthropic, _anthropicMessage, default);

    [Benchmark]
    public byte[] AnthropicDialect_ResponseFromOpenAi() => AnthropicDialect.Instance.ResponseFromOpenAi(_openAiCompletion);
}
