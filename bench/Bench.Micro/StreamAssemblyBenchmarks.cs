using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Switchyard.Bench.Micro.Payloads;
using Switchyard.Gateway.Answer;
using Switchyard.Gateway.Caching;
using Switchyard.Providers.Streaming;

namespace Switchyard.Bench.Micro;

/// <summary>
/// <c>StreamAssembly</c>: a streamed answer's OpenAI chunks joined into the one completion they add up to. The relay adds
/// each chunk of a logged stream as it passes, in the same read that checks the chunk, so what logging adds to a stream
/// is <c>StreamAssembly_AddEachAndWrite</c> less the baseline, <c>UsageReader.Scan</c> of each chunk (the relay's check
/// when nothing is logged). <c>JsonDocumentParseEach</c> is what reading each chunk as a document would cost.
/// </summary>
[MemoryDiagnoser]
public class StreamAssemblyBenchmarks
{
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
    public int UsageReader_ScanEach()
    {
        var json = 0;
        foreach (var chunk in _chunks)
        {
            json += UsageReader.Scan(chunk).IsJson ? 1 : 0;
        }

        return json;
    }

    [Benchmark]
    public int StreamAssembly_AddEachAndWrite()
    {
        var assembly = new StreamAssembly(chat: true);
        foreach (var chunk in _chunks)
        {
            assembly.Add(chunk);
        }

        return assembly.Write(assembly.FirstStamp, markCached: false).Length;
    }

    [Benchmark]
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
}
