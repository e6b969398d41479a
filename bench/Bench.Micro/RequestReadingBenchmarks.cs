using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Switchyard.Bench.Micro.Payloads;
using Switchyard.Gateway.Intake;

namespace Switchyard.Bench.Micro;

/// <summary>
/// The intake of every call: reading the fields routing needs (model, stream, max_tokens, stream_options) from the body.
/// The baseline is what a gateway that reads the body as a document pays: a whole DOM for a handful of fields.
/// </summary>
[MemoryDiagnoser]
public class RequestReadingBenchmarks
{
    private byte[] _body = [];

    [Params(ChatSize.Small, ChatSize.Large)]
    public ChatSize Size { get; set; }

    [GlobalSetup]
    public void Setup() => _body = ChatBodies.OpenAi(Size);

    [Benchmark(Baseline = true)]
    public string? JsonDocumentParse()
    {
        using var document = JsonDocument.Parse(_body);
        var root = document.RootElement;
        return root.TryGetProperty("stream", out var stream) && stream.ValueKind == JsonValueKind.True
            ? null
            : root.GetProperty("model").GetString();
    }

    [Benchmark]
    public string? RequestBodyReader_Read() => RequestBodyReader.Read(_body, maxDepth: 64).Model;
}
