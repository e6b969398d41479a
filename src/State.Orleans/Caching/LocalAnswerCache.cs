using Switchyard.Grains.Caching;

namespace Switchyard.State.Orleans.Caching;

/// <summary>
/// A front door's copies of cached answers in memory, keyed by workspace and hash (so no workspace ever reads another's),
/// bounded by the sum of their <see cref="CachedAnswer.Size"/>: past <see cref="Capacity"/> the least recently used go
/// first. An expired copy is never returned. One lock guards it; every operation but a drop by filter is constant time.
/// </summary>
internal sealed class LocalAnswerCache(long capacity, TimeProvider time)
{
    private readonly Dictionary<(string WorkspaceId, string Hash), Node> _nodes = [];
    private readonly Lock _gate = new();
    private Node? _newest;
    private Node? _oldest;
    private long _bytes;
    private long _drops;

    /// <summary>The most bytes held (<see cref="ResponseCacheOptions.LocalBytes"/>).</summary>
    public long Capacity => capacity;

    public long Bytes
    {
        get
        {
            lock (_gate)
            {
                return _bytes;
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _nodes.Count;
            }
        }
    }

    /// <summary>
    /// Counts the drops (removals by key or filter, clears): a reader that fetched an answer from the grains puts it here
    /// only if no drop happened since it started, so an invalidation racing the read is never undone.
    /// </summary>
    public long Drops => Volatile.Read(ref _drops);

    /// <summary>The live copy, now the most recently used; null when there is none or it expired (then it is removed).</summary>
    public CachedAnswer? Get(string workspaceId, string hash)
    {
        lock (_gate)
        {
            if (!_nodes.TryGetValue((workspaceId, hash), out var node))
            {
                return null;
            }

            if (node.Answer.ExpiresAt <= time.GetUtcNow())
            {
                Unlink(node);
                return null;
            }

            if (node != _newest)
            {
                Detach(node);
                AttachNewest(node);
            }

            return node.Answer;
        }
    }

    /// <summary>
    /// Keeps <paramref name="answer"/> as the most recently used (replacing the copy of its key), then drops the least
    /// recently used while over capacity. Nothing is kept when the answer expired, is bigger than the capacity, or a
    /// drop happened since <paramref name="dropsSeen"/> was read from <see cref="Drops"/>; a copy of the key is removed then.
    /// </summary>
    public bool Put(CachedAnswer answer, long? dropsSeen = null)
    {
        var key = (answer.WorkspaceId, answer.Hash);
        var size = answer.Size;
        lock (_gate)
        {
            if (dropsSeen is { } seen && seen != _drops)
            {
                return false;
            }

            if (_nodes.TryGetValue(key, out var old))
            {
                Unlink(old);
            }

            if (size > capacity || answer.ExpiresAt <= time.GetUtcNow())
            {
                return false;
            }

            var node = new Node(key, answer, size);
            _nodes.Add(key, node);
            AttachNewest(node);
            _bytes += size;
            while (_bytes > capacity && _oldest is { } oldest)
            {
                Unlink(oldest);
            }

            return true;
        }
    }

    /// <summary>Drops every copy <paramref name="what"/> matches; returns how many.</summary>
    public int Drop(CacheInvalidation what)
    {
        lock (_gate)
        {
            _drops++;
            if (what is { WorkspaceId: { } workspaceId, Hash: { } hash })
            {
                if (_nodes.TryGetValue((workspaceId, hash), out var one) && Matches(what, one.Answer))
                {
                    Unlink(one);
                    return 1;
                }

                return 0;
            }

            var dropped = 0;
            for (var node = _newest; node is not null;)
            {
                var next = node.Older;
                if (Matches(what, node.Answer))
                {
                    Unlink(node);
                    dropped++;
                }

                node = next;
            }

            return dropped;
        }
    }

    /// <summary>Drops every copy (this front door may have missed drops).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _drops++;
            _nodes.Clear();
            _newest = _oldest = null;
            _bytes = 0;
        }
    }

    /// <summary>The keys from most to least recently used (tests).</summary>
    internal IReadOnlyList<(string WorkspaceId, string Hash)> Keys()
    {
        lock (_gate)
        {
            var keys = new List<(string, string)>(_nodes.Count);
            for (var node = _newest; node is not null; node = node.Older)
            {
                keys.Add(node.Key);
            }

            return keys;
        }
    }

    private static bool Matches(CacheInvalidation what, CachedAnswer answer) =>
        what.Matches(answer.WorkspaceId, answer.Namespace, answer.Model, answer.CreatedAt, answer.Hash);

    private void Unlink(Node node)
    {
        Detach(node);
        _nodes.Remove(node.Key);
        _bytes -= node.Size;
    }

    private void Detach(Node node)
    {
        if (node.Newer is { } newer)
        {
            newer.Older = node.Older;
        }
        else
        {
            _newest = node.Older;
        }

        if (node.Older is { } older)
        {
            older.Newer = node.Newer;
        }
        else
        {
            _oldest = node.Newer;
        }

        node.Newer = node.Older = null;
    }

    private void AttachNewest(Node node)
    {
        node.Older = _newest;
        _newest?.Newer = node;
        _newest = node;
        _oldest ??= node;
    }

    private sealed class Node((string WorkspaceId, string Hash) key, CachedAnswer answer, long size)
    {
        public (string WorkspaceId, string Hash) Key { get; } = key;

        public CachedAnswer Answer { get; } = answer;

        public long Size { get; } = size;

        public Node? Newer { get; set; }

        public Node? Older { get; set; }
    }
}
