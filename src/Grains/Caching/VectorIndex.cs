using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Switchyard.Grains.Caching;

/// <summary>
/// The vectors of one semantic partition in memory, searched exhaustively: every vector in one contiguous array (row
/// after row), compared with SIMD dot products (the vectors are unit length, so the dot product is the cosine
/// similarity). A vector expires at its entry's expiry: an expired one never matches and is dropped at the next
/// <see cref="RemoveExpired"/>, or when room is needed. At <see cref="MaxVectors"/> the oldest vector makes room.
/// </summary>
/// <remarks>Not thread-safe: its grain calls it one turn at a time.</remarks>
internal sealed class VectorIndex
{
    private const int InitialRows = 16;

    private readonly Dictionary<string, int> _rows = new(StringComparer.Ordinal);
    private float[] _vectors = [];
    private string[] _hashes = [];
    private long[] _expires = [];
    private long[] _arrivals = [];
    private long _nextArrival;

    /// <param name="maxVectors">The most vectors kept; at least 1.</param>
    public VectorIndex(int maxVectors)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxVectors, 1);
        MaxVectors = maxVectors;
    }

    public int MaxVectors { get; }

    public int Count { get; private set; }

    /// <summary>The length of every vector; set by the first vector added to an empty index (0 before).</summary>
    public int Dimensions { get; private set; }

    /// <summary>
    /// Stores the vector of <paramref name="hash"/>, replacing the one it had (the entry was stored again: it counts as
    /// new). A vector already expired is not stored. When the index is full, expired vectors go first, then the oldest.
    /// </summary>
    /// <exception cref="ArgumentException">the vector is empty, or its length is not <see cref="Dimensions"/>.</exception>
    public void Add(string hash, ReadOnlySpan<float> vector, DateTimeOffset expiresAt, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(hash);
        if (vector.IsEmpty || (Count > 0 && vector.Length != Dimensions))
        {
            throw new ArgumentException($"The vector has {vector.Length} dimensions; this index holds vectors of {Dimensions}.", nameof(vector));
        }

        if (expiresAt <= now)
        {
            Forget([hash]);
            return;
        }

        if (!_rows.TryGetValue(hash, out var row))
        {
            if (Count == 0 && vector.Length != Dimensions)
            {
                Dimensions = vector.Length;
                _vectors = new float[_hashes.Length * Dimensions];
            }

            if (Count == MaxVectors && RemoveExpired(now) == 0)
            {
                RemoveAt(Oldest());
            }

            if (Count == _hashes.Length)
            {
                Grow();
            }

            row = Count++;
            _rows.Add(hash, row);
            _hashes[row] = hash;
        }

        vector.CopyTo(Row(row));
        _expires[row] = expiresAt.UtcTicks;
        _arrivals[row] = _nextArrival++;
    }

    /// <summary>
    /// The live vectors whose similarity to <paramref name="query"/> is at or above <paramref name="threshold"/>, most
    /// similar first (the newer first on a tie), at most <paramref name="limit"/>. An empty index finds nothing.
    /// </summary>
    /// <exception cref="ArgumentException">the query's length is not <see cref="Dimensions"/>.</exception>
    public SemanticCandidate[] Search(ReadOnlySpan<float> query, float threshold, int limit, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        if (Count == 0)
        {
            return [];
        }

        if (query.Length != Dimensions)
        {
            throw new ArgumentException($"The query has {query.Length} dimensions; this index holds vectors of {Dimensions}.", nameof(query));
        }

        var nowTicks = now.UtcTicks;
        var best = new PriorityQueue<int, (float Similarity, long Arrival)>(Math.Min(limit, 16));
        var vectors = _vectors.AsSpan(0, Count * Dimensions);
        for (var row = 0; row < Count; row++)
        {
            var similarity = TensorPrimitives.Dot(vectors.Slice(row * Dimensions, Dimensions), query);

            // Written so that NaN (a query that is not a vector) matches nothing; expiry is read only for matches.
            if (!(similarity >= threshold) || _expires[row] <= nowTicks)
            {
                continue;
            }

            var rank = (similarity, _arrivals[row]);
            if (best.Count < limit)
            {
                best.Enqueue(row, rank);
            }
            else if (best.TryPeek(out _, out var worst) && rank.CompareTo(worst) > 0)
            {
                best.EnqueueDequeue(row, rank);
            }
        }

        var found = new SemanticCandidate[best.Count];
        for (var i = found.Length - 1; i >= 0; i--)
        {
            best.TryDequeue(out var row, out var rank);
            found[i] = new SemanticCandidate(_hashes[row], rank.Similarity);
        }

        return found;
    }

    /// <summary>Drops the vectors of these entries; returns how many there were.</summary>
    public int Forget(IEnumerable<string> hashes)
    {
        var removed = 0;
        foreach (var hash in hashes)
        {
            if (_rows.TryGetValue(hash, out var row))
            {
                RemoveAt(row);
                removed++;
            }
        }

        return removed;
    }

    /// <summary>Drops every vector expired at <paramref name="now"/>; returns how many.</summary>
    public int RemoveExpired(DateTimeOffset now)
    {
        var nowTicks = now.UtcTicks;
        var removed = 0;
        for (var row = Count - 1; row >= 0; row--)
        {
            if (_expires[row] <= nowTicks)
            {
                RemoveAt(row);
                removed++;
            }
        }

        return removed;
    }

    /// <summary>What is stored of the index: every vector, oldest first, the floats as bytes (little-endian, as every platform .NET runs the silo on).</summary>
    public SemanticIndexState ToState()
    {
        var order = Enumerable.Range(0, Count).OrderBy(row => _arrivals[row]).ToArray();
        var state = new SemanticIndexState
        {
            Dimensions = Dimensions,
            Hashes = new string[Count],
            ExpiresAt = new long[Count],
            Vectors = new byte[Count * Dimensions * sizeof(float)],
        };
        var vectors = MemoryMarshal.Cast<byte, float>(state.Vectors.AsSpan());
        for (var i = 0; i < order.Length; i++)
        {
            state.Hashes[i] = _hashes[order[i]];
            state.ExpiresAt[i] = _expires[order[i]];
            Row(order[i]).CopyTo(vectors.Slice(i * Dimensions, Dimensions));
        }

        return state;
    }

    /// <summary>
    /// The index a stored state describes, without what expired meanwhile; when it holds more than
    /// <paramref name="maxVectors"/> (the limit was lowered), the newest.
    /// </summary>
    /// <exception cref="InvalidDataException">the state's parts do not agree in length.</exception>
    public static VectorIndex FromState(SemanticIndexState state, int maxVectors, DateTimeOffset now)
    {
        var index = new VectorIndex(maxVectors);
        var count = state.Hashes.Length;
        if (count == 0)
        {
            return index;
        }

        if (state.Dimensions < 1 || state.ExpiresAt.Length != count || state.Vectors.Length != (long)count * state.Dimensions * sizeof(float))
        {
            throw new InvalidDataException(
                $"A stored semantic index is inconsistent: {count} hashes, {state.ExpiresAt.Length} expiries, {state.Vectors.Length} bytes of vectors of {state.Dimensions} dimensions.");
        }

        var vectors = MemoryMarshal.Cast<byte, float>(state.Vectors.AsSpan());
        for (var i = Math.Max(0, count - maxVectors); i < count; i++)
        {
            index.Add(state.Hashes[i], vectors.Slice(i * state.Dimensions, state.Dimensions), new DateTimeOffset(state.ExpiresAt[i], TimeSpan.Zero), now);
        }

        return index;
    }

    private Span<float> Row(int row) => _vectors.AsSpan(row * Dimensions, Dimensions);

    private int Oldest()
    {
        var oldest = 0;
        for (var row = 1; row < Count; row++)
        {
            if (_arrivals[row] < _arrivals[oldest])
            {
                oldest = row;
            }
        }

        return oldest;
    }

    /// <summary>Removes a row by moving the last row into its place.</summary>
    private void RemoveAt(int row)
    {
        var last = Count - 1;
        _rows.Remove(_hashes[row]);
        if (row != last)
        {
            Row(last).CopyTo(Row(row));
            _hashes[row] = _hashes[last];
            _expires[row] = _expires[last];
            _arrivals[row] = _arrivals[last];
            _rows[_hashes[row]] = row;
        }

        _hashes[last] = null!;
        Count = last;
    }

    private void Grow()
    {
        var rows = (int)Math.Min(MaxVectors, Math.Max(InitialRows, _hashes.Length * 2L));
        if ((long)rows * Dimensions > Array.MaxLength)
        {
            throw new InvalidOperationException($"{rows} vectors of {Dimensions} dimensions do not fit one array: lower the partition's size limit.");
        }

        Array.Resize(ref _hashes, rows);
        Array.Resize(ref _expires, rows);
        Array.Resize(ref _arrivals, rows);
        Array.Resize(ref _vectors, rows * Dimensions);
    }
}
