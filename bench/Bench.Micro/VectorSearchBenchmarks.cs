using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using Switchyard.Grains.Caching;

namespace Switchyard.Bench.Micro;

/// <summary>
/// One semantic-cache lookup in a partition: <see cref="VectorIndex.Search"/> over 10,000 and 100,000 vectors of the
/// local model's 384 dimensions, with a query nothing is near (the common miss: every vector is compared). The
/// baseline is the same scan with a scalar dot product, over the same contiguous floats.
/// </summary>
[MemoryDiagnoser]
public class VectorSearchBenchmarks
{
    private const int Dimensions = 384;
    private const float Threshold = 0.87f;

    private VectorIndex _index = null!;
    private float[] _vectors = [];
    private float[] _query = [];

    [Params(10_000, 100_000)]
    public int Vectors { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        var now = DateTimeOffset.UnixEpoch;
        _index = new VectorIndex(Vectors);
        _vectors = new float[Vectors * Dimensions];
        for (var i = 0; i < Vectors; i++)
        {
            var vector = RandomUnit(random);
            vector.CopyTo(_vectors, i * Dimensions);
            _index.Add($"{i:x64}", vector, now.AddDays(1), now);
        }

        _query = RandomUnit(random);
    }

    [Benchmark(Baseline = true)]
    public int ScalarScan()
    {
        var found = 0;
        for (var row = 0; row < Vectors; row++)
        {
            var offset = row * Dimensions;
            var dot = 0f;
            for (var i = 0; i < Dimensions; i++)
            {
                dot += _vectors[offset + i] * _query[i];
            }

            if (dot >= Threshold)
            {
                found++;
            }
        }

        return found;
    }

    [Benchmark]
    public int VectorIndex_Search() => _index.Search(_query, Threshold, 1, DateTimeOffset.UnixEpoch).Length;

    private static float[] RandomUnit(Random random)
    {
        var vector = new float[Dimensions];
        for (var i = 0; i < Dimensions; i++)
        {
            vector[i] = random.NextSingle() - 0.5f;
        }

        TensorPrimitives.Divide(vector, TensorPrimitives.Norm(vector), vector);
        return vector;
    }
}
