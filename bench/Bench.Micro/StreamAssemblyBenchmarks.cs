using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Switchyard.Bench.Micro.Payloads;
using Switchyard.Gateway.Caching;
using Switchyard.Providers.Streaming;

namespace Switchyard.Bench.Micro;

/// <summary>
/// <c>StreamAssembly.Assemble</c>: a streamed answer's OpenAI chunks joined into the one completion they add up to, as the
/// request log does for every stream it keeps and the cache does to serve a stored stream as JSON. Baseline: parsing
/// each chunk into a JsonDocument, what an assembler that reads chunks as documents pays before it merges anything.
/// </summary>
[MemoryDiagnoser]
public class StreamAssemblyBenchmarks
{
    private static readonly ReplayStamp Stamp = new("chatcmpl-bench", 1_700_000_000);
    private byte[][] _chunks = [];

    [GlobalSetup]
    public void Setup()
    {
        var events = new List<byte[]>();
        var reader = new SseEventReader(new MemoryStream(ChatStreams.OpenAi()));
        while (reader.ReadAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult() is { } next)
        {
            if (!next.IsDone)
            {
                events.Add(next.Data);
            }
        }

        reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _chunks = [.. events];
    }

    [Benchmark(Baseline = true)]
    public int JsonDocumentParseEach()
    {
        var objects = 0;
        foreach (var chunk in _chunks)
        {
            using var document = JsonDocument.Parse(chunk);
            objects += document.RootElement.ValueKind == JsonValueKind.Object ? 1 : 0;
        }

        return objects;
    }

    [Benchmark]
    public int StreamAssembly_Assemble() => StreamAssembly.Assemble(_chunks, chat: true, Stamp, markCached: false).Length;
}
