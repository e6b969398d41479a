using System.Buffers;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Switchyard.Bench.Micro.Payloads;
using Switchyard.Providers;
using Switchyard.Providers.Catalog;
using Switchyard.Providers.Dialects;
using Switchyard.Providers.Dialects.Anthropic;
using Switchyard.Providers.Dialects.OpenAi;
using Switchyard.Providers.Streaming;

namespace Switchyard.Bench.Micro;

/// <summary>
/// The per-event pieces of the relay on their own, over events already framed: Anthropic's stream translator (events to
/// OpenAI chunks) and the client stream writers (OpenAI chunks to the client's SSE). Baseline: parsing each Anthropic
/// event into a JsonDocument, the least a translator that reads events as documents does.
/// </summary>
[MemoryDiagnoser]
public class StreamTranslationBenchmarks
{
    private readonly List<byte[]> _chunks = new(4);
    private readonly ArrayBufferWriter<byte> _output = new(4096);
    private StreamEvent[] _anthropicEvents = [];
    private byte[][] _openAiChunks = [];
    private IProviderAdapter _anthropic = null!;
    private ProviderCall _toAnthropic = null!;

    [GlobalSetup]
    public void Setup()
    {
        _anthropicEvents = ReadAll(ChatStreams.Anthropic());
        _openAiChunks = ReadAll(ChatStreams.OpenAi()).Select(e => e.Data).ToArray();
        _anthropic = ProviderCalls.Adapter(WireFormat.Anthropic);
        _toAnthropic = ProviderCalls.Chat("anthropic", ChatBodies.OpenAi(ChatSize.Small, stream: true), ChatBodies.Model, stream: true);
    }

    [Benchmark(Baseline = true)]
    public int JsonDocumentParseEach()
    {
        var objects = 0;
        foreach (var upstream in _anthropicEvents)
        {
            using var document = JsonDocument.Parse(upstream.Data);
            objects += document.RootElement.ValueKind == JsonValueKind.Object ? 1 : 0;
        }

        return objects;
    }

    [Benchmark]
    public int AnthropicStreamTranslator_Translate()
    {
        var translator = _anthropic.CreateStreamTranslator(_toAnthropic);
        var chunks = 0;
        foreach (var upstream in _anthropicEvents)
        {
            _chunks.Clear();
            translator.Translate(upstream, _chunks);
            chunks += _chunks.Count;
        }

        return chunks;
    }

    [Benchmark]
    public int OpenAiDialect_StreamWriter() => WriteAll(OpenAiDialect.Instance.CreateStreamWriter());

    [Benchmark]
    public int AnthropicDialect_StreamWriter() => WriteAll(AnthropicDialect.Instance.CreateStreamWriter());

    private int WriteAll(IClientStreamWriter writer)
    {
        var written = 0;
        foreach (var chunk in _openAiChunks)
        {
            _output.ResetWrittenCount();
            writer.Write(chunk, _output);
            written += _output.WrittenCount;
        }

        return written;
    }

    private static StreamEvent[] ReadAll(byte[] sse)
    {
        var events = new List<StreamEvent>();
        var reader = new SseEventReader(new MemoryStream(sse));
        while (reader.ReadAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult() is { } next)
        {
            events.Add(next);
        }

        reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return [.. events];
    }
}
