using BenchmarkDotNet.Attributes;
using Switchyard.Bench.Micro.Payloads;
using Switchyard.Embeddings;
using Switchyard.Gateway.Caching;
using Switchyard.Providers;

namespace Switchyard.Bench.Micro;

/// <summary>
/// What a semantic lookup adds to an exact one, for a one-message chat of about 200 bytes: reading what to embed and
/// the partition's fingerprint (<see cref="SemanticRequest.Read"/>), and embedding the question with the local model
/// (<see cref="LocalTextEmbedder"/>, one thread). The baseline is the exact cache key's hash of the same body.
/// </summary>
[MemoryDiagnoser]
public class TextEmbeddingBenchmarks
{
    private static readonly CacheKey Key = new("ws-a", "", "chat/completions", "openai", "https://api.openai.com/v1/chat/completions", ChatBodies.Model);
    private static readonly SemanticCacheOptions Options = new();

    private readonly LocalTextEmbedder _embedder = new();
    private byte[] _body = [];
    private string _question = "";

    [GlobalSetup]
    public void Setup()
    {
        _body = ChatBodies.OpenAi(ChatSize.Small);
        _question = SemanticRequest.Read(ApiOperation.ChatCompletions, _body, Options)?.Text
            ?? throw new InvalidOperationException("The benchmark's body is not eligible for the semantic cache.");

        // Loads the model (about 1.5 s) outside the measurement.
        _embedder.EmbedAsync(_question, CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => _embedder.Dispose();

    [Benchmark(Baseline = true)]
    public string CacheKey_Hash() => Key.Hash(_body);

    [Benchmark]
    public string? SemanticRequest_Read() => SemanticRequest.Read(ApiOperation.ChatCompletions, _body, Options)?.Fingerprint;

    [Benchmark]
    public float[] LocalTextEmbedder_Embed() => _embedder.EmbedAsync(_question, CancellationToken.None).AsTask().GetAwaiter().GetResult();
}
