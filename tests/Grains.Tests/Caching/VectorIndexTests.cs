using System.Numerics.Tensors;
using Switchyard.Grains.Caching;

namespace Switchyard.Grains.Tests.Caching;

public sealed class VectorIndexTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Later = Now.AddHours(1);

    private static float[] Unit(params float[] values)
    {
        var norm = TensorPrimitives.Norm(values);
        return values.Select(v => v / norm).ToArray();
    }

    private static VectorIndex IndexOf(int maxVectors, params (string Hash, float[] Vector)[] vectors)
    {
        var index = new VectorIndex(maxVectors);
        foreach (var (hash, vector) in vectors)
        {
            index.Add(hash, vector, Later, Now);
        }

        return index;
    }

    private static string[] Hashes(SemanticCandidate[] found) => found.Select(c => c.Hash).ToArray();

    [Fact]
    public void Search_SeveralAboveTheThreshold_MostSimilarFirstWithTheirSimilarity()
    {
        var index = IndexOf(10, ("x", Unit(1, 0, 0)), ("xy", Unit(1, 1, 0)), ("y", Unit(0, 1, 0)), ("near-x", Unit(10, 1, 0)));

        var found = index.Search(Unit(1, 0, 0), 0.5f, 10, Now);

        Assert.Equal(["x", "near-x", "xy"], Hashes(found));
        Assert.Equal(1f, found[0].Similarity, 6);
        Assert.Equal(10 / MathF.Sqrt(101), found[1].Similarity, 6);
        Assert.Equal(1 / MathF.Sqrt(2), found[2].Similarity, 6);
    }

    [Fact]
    public void Search_ThresholdIsInclusive_ExactlyAtItMatches()
    {
        var index = IndexOf(10, ("a", [1, 0]), ("b", [0.5f, 0.5f]));

        Assert.Equal(["a", "b"], Hashes(index.Search([1, 0], 0.5f, 10, Now)));
        Assert.Equal(["a"], Hashes(index.Search([1, 0], 0.50001f, 10, Now)));
    }

    [Fact]
    public void Search_Limit_KeepsTheBest()
    {
        var index = IndexOf(10, ("a", Unit(1, 0.4f)), ("b", Unit(1, 0.1f)), ("c", Unit(1, 0.3f)), ("d", Unit(1, 0.2f)));

        Assert.Equal(["b", "d"], Hashes(index.Search(Unit(1, 0), 0, 2, Now)));
        Assert.Equal(["b"], Hashes(index.Search(Unit(1, 0), 0, 1, Now)));
    }

    [Fact]
    public void Search_EqualSimilarity_NewerFirst()
    {
        var index = IndexOf(10, ("old", Unit(1, 1)), ("new", Unit(1, 1)));

        Assert.Equal(["new", "old"], Hashes(index.Search(Unit(1, 1), 0.9f, 10, Now)));
        Assert.Equal(["new"], Hashes(index.Search(Unit(1, 1), 0.9f, 1, Now)));
    }

    [Fact]
    public void Search_ThousandRandomVectors_SameAsComparingEveryOne()
    {
        var random = new Random(7);
        var vectors = Enumerable.Range(0, 1_000).Select(i => ($"h{i}", Unit(Enumerable.Range(0, 384).Select(_ => random.NextSingle() - 0.5f).ToArray()))).ToArray();
        var index = IndexOf(1_000, vectors);
        var query = vectors[123].Item2.Select((v, i) => v + (i % 7 == 0 ? 0.05f : 0)).ToArray();

        var found = index.Search(query, 0.05f, 5, Now);

        var expected = vectors.Select(v => (v.Item1, Similarity: TensorPrimitives.Dot(v.Item2, query)))
            .Where(v => v.Similarity >= 0.05f).OrderByDescending(v => v.Similarity).Take(5).ToArray();
        Assert.Equal(expected.Select(e => e.Item1), Hashes(found));
        Assert.Equal("h123", found[0].Hash);
        Assert.Equal(expected.Select(e => e.Similarity), found.Select(f => f.Similarity));
    }

    [Fact]
    public void Search_Empty_FindsNothingWhateverTheQuery()
    {
        var index = new VectorIndex(10);

        Assert.Empty(index.Search([1, 0, 0], 0, 5, Now));
        Assert.Equal(0, index.Dimensions);
    }

    [Fact]
    public void Search_NotANumber_MatchesNothing()
    {
        var index = IndexOf(10, ("a", [1, 0]));

        Assert.Empty(index.Search([float.NaN, 0], -1, 5, Now));
    }

    [Fact]
    public void Search_WrongDimensionsOrLimit_Throws()
    {
        var index = IndexOf(10, ("a", [1, 0]));

        Assert.Throws<ArgumentException>(() => index.Search([1, 0, 0], 0, 5, Now));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Search([1, 0], 0, 0, Now));
    }

    [Fact]
    public void Add_WrongDimensions_ThrowsAndKeepsTheIndex()
    {
        var index = IndexOf(10, ("a", [1, 0]));

        Assert.Throws<ArgumentException>(() => index.Add("b", [1, 0, 0], Later, Now));
        Assert.Throws<ArgumentException>(() => index.Add("b", [], Later, Now));
        Assert.Equal((1, 2), (index.Count, index.Dimensions));
    }

    [Fact]
    public void Add_EmptiedIndex_TakesNewDimensions()
    {
        var index = IndexOf(10, ("a", [1, 0]));
        index.Forget(["a"]);

        index.Add("b", [0, 0, 1], Later, Now);

        Assert.Equal((1, 3), (index.Count, index.Dimensions));
        Assert.Equal(["b"], Hashes(index.Search([0, 0, 1], 0.9f, 5, Now)));
    }

    [Fact]
    public void Add_SameHash_ReplacesTheVectorAndItsExpiry()
    {
        var index = IndexOf(10, ("a", [1, 0]), ("b", [0, 1]));

        index.Add("a", [0, 1], Now.AddMinutes(5), Now);

        Assert.Equal(2, index.Count);
        Assert.Empty(index.Search([1, 0], 0.5f, 5, Now));
        Assert.Equal(["a", "b"], Hashes(index.Search([0, 1], 0.5f, 5, Now)));
        Assert.Equal(["b"], Hashes(index.Search([0, 1], 0.5f, 5, Now.AddMinutes(5))));
    }

    [Fact]
    public void Add_AlreadyExpired_NotStoredAndTheOldVectorGoes()
    {
        var index = IndexOf(10, ("a", [1, 0]));

        index.Add("b", [1, 0], Now, Now);
        index.Add("a", [1, 0], Now.AddSeconds(-1), Now);

        Assert.Equal(0, index.Count);
    }

    [Fact]
    public void Add_PastTheLimit_ForgetsTheOldestFirst()
    {
        var index = IndexOf(3, ("a", [1, 0]), ("b", [1, 0]), ("c", [1, 0]));

        index.Add("d", [1, 0], Later, Now);
        index.Add("e", [1, 0], Later, Now);

        Assert.Equal(3, index.Count);
        Assert.Equal(["e", "d", "c"], Hashes(index.Search([1, 0], 0.5f, 10, Now)));
    }

    [Fact]
    public void Add_PastTheLimitAfterAReplace_TheReplacedCountsAsNew()
    {
        var index = IndexOf(3, ("a", [1, 0]), ("b", [1, 0]), ("c", [1, 0]));
        index.Add("a", [1, 0], Later, Now);

        index.Add("d", [1, 0], Later, Now);

        Assert.Equal(["d", "a", "c"], Hashes(index.Search([1, 0], 0.5f, 10, Now)));
    }

    [Fact]
    public void Add_PastTheLimitWithExpiredVectors_DropsTheExpiredInstead()
    {
        var index = new VectorIndex(3);
        index.Add("old", [1, 0], Later, Now);
        index.Add("soon", [1, 0], Now.AddMinutes(1), Now);
        index.Add("newer", [1, 0], Later, Now);

        index.Add("newest", [1, 0], Later, Now.AddMinutes(2));

        Assert.Equal(["newest", "newer", "old"], Hashes(index.Search([1, 0], 0.5f, 10, Now.AddMinutes(2))));
    }

    [Fact]
    public void Search_Expired_NeverMatches()
    {
        var index = new VectorIndex(10);
        index.Add("short", [1, 0], Now.AddMinutes(1), Now);
        index.Add("long", [1, 0], Later, Now);

        Assert.Equal(["long", "short"], Hashes(index.Search([1, 0], 0.5f, 10, Now.AddSeconds(59))));
        Assert.Equal(["long"], Hashes(index.Search([1, 0], 0.5f, 10, Now.AddMinutes(1))));
        Assert.Equal(2, index.Count);
    }

    [Fact]
    public void RemoveExpired_SomeExpired_CompactsAndTheRestStaySearchable()
    {
        var index = new VectorIndex(10);
        for (var i = 0; i < 6; i++)
        {
            index.Add($"h{i}", Unit(1, i), i % 2 == 0 ? Now.AddMinutes(1) : Later, Now);
        }

        Assert.Equal(3, index.RemoveExpired(Now.AddMinutes(1)));
        Assert.Equal(0, index.RemoveExpired(Now.AddMinutes(1)));

        Assert.Equal(3, index.Count);
        foreach (var i in new[] { 1, 3, 5 })
        {
            Assert.Equal($"h{i}", index.Search(Unit(1, i), 0.9999f, 1, Now)[0].Hash);
        }
    }

    [Fact]
    public void Forget_SomeHashes_GoneAndTheMovedVectorsKeepTheirHashes()
    {
        var index = IndexOf(10, ("a", Unit(1, 0)), ("b", Unit(1, 1)), ("c", Unit(0, 1)));

        Assert.Equal(1, index.Forget(["a", "unknown"]));

        Assert.Equal(2, index.Count);
        Assert.Empty(index.Search(Unit(1, -1), 0.1f, 5, Now));
        Assert.Equal(["c", "b"], Hashes(index.Search(Unit(0, 1), 0.5f, 5, Now)));
        Assert.Equal(0, index.Forget(["a"]));
    }

    [Fact]
    public void Add_BeyondTheFirstRows_GrowsAndFindsEveryVector()
    {
        var index = new VectorIndex(100);
        for (var i = 0; i < 100; i++)
        {
            index.Add($"h{i}", Unit(1, i * 0.01f, -i * 0.02f), Later, Now);
        }

        Assert.Equal(100, index.Count);
        Assert.All(Enumerable.Range(0, 100), i => Assert.Equal($"h{i}", index.Search(Unit(1, i * 0.01f, -i * 0.02f), 0, 1, Now)[0].Hash));
    }

    [Fact]
    public void ToState_Vectors_OldestFirstAsBytes()
    {
        var index = IndexOf(10, ("a", [1, 0]), ("b", [0, 1]), ("c", [0.6f, 0.8f]));
        index.Forget(["a"]);
        index.Add("b", [0.8f, 0.6f], Now.AddMinutes(5), Now);

        var state = index.ToState();

        Assert.Equal(2, state.Dimensions);
        Assert.Equal(["c", "b"], state.Hashes);
        Assert.Equal([Later.UtcTicks, Now.AddMinutes(5).UtcTicks], state.ExpiresAt);
        Assert.Equal([0.6f, 0.8f, 0.8f, 0.6f], System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(state.Vectors).ToArray());
    }

    [Fact]
    public void FromState_StoredIndex_SameSearchesAndAgeOrderWithoutTheExpired()
    {
        var index = new VectorIndex(10);
        index.Add("a", [1, 0], Later, Now);
        index.Add("gone", [1, 0], Now.AddMinutes(1), Now);
        index.Add("b", Unit(1, 1), Later, Now);

        var restored = VectorIndex.FromState(index.ToState(), 10, Now.AddMinutes(1));

        Assert.Equal((2, 2), (restored.Count, restored.Dimensions));
        Assert.Equal(["a", "b"], Hashes(restored.Search([1, 0], 0.5f, 10, Now.AddMinutes(1))));
        Assert.Equal(["a", "b"], restored.ToState().Hashes);
    }

    [Fact]
    public void FromState_MoreThanTheLimit_KeepsTheNewest()
    {
        var index = IndexOf(10, ("a", [1, 0]), ("b", [1, 0]), ("c", [1, 0]));

        var restored = VectorIndex.FromState(index.ToState(), 2, Now);

        Assert.Equal(["b", "c"], restored.ToState().Hashes);
    }

    [Fact]
    public void FromState_Empty_EmptyIndex() => Assert.Equal(0, VectorIndex.FromState(new SemanticIndexState(), 10, Now).Count);

    [Fact]
    public void FromState_PartsOfDifferentLengths_Throws()
    {
        var state = new SemanticIndexState { Dimensions = 2, Hashes = ["a"], ExpiresAt = [Later.UtcTicks], Vectors = new byte[4] };

        Assert.Throws<InvalidDataException>(() => VectorIndex.FromState(state, 10, Now));
    }
}
