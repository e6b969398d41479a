using Microsoft.Extensions.Time.Testing;
using Switchyard.State;
using Switchyard.State.Orleans.Caching;
using Xunit.Abstractions;

namespace Switchyard.Grains.Tests.Caching;

public sealed class LocalAnswerCacheTests(ITestOutputHelper output)
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Put_PastCapacity_DropsTheLeastRecentlyUsedFirst()
    {
        var cache = new LocalAnswerCache(3 * 1000, _time);
        cache.Put(Answer("ws", "a"));
        cache.Put(Answer("ws", "b"));
        cache.Put(Answer("ws", "c"));
        cache.Get("ws", "a");

        cache.Put(Answer("ws", "d"));
        cache.Get("ws", "c");
        cache.Put(Answer("ws", "e"));

        Assert.Equal([("ws", "e"), ("ws", "c"), ("ws", "d")], cache.Keys());
        Assert.Null(cache.Get("ws", "a"));
        Assert.Null(cache.Get("ws", "b"));
        Assert.Equal(3000, cache.Bytes);
    }

    [Fact]
    public void Put_ManyAnswersOfMixedSizes_BytesNeverPassTheCapacity()
    {
        var cache = new LocalAnswerCache(10_000, _time);
        var most = 0L;
        for (var i = 0; i < 200; i++)
        {
            cache.Put(Answer("ws", $"h{i}", size: 300 + (i * 37 % 2000)));
            most = Math.Max(most, cache.Bytes);
        }

        Assert.True(most <= 10_000, $"held {most} bytes");
        Assert.Equal(cache.Keys().Sum(k => cache.Get(k.WorkspaceId, k.Hash)!.Size), cache.Bytes);
    }

    [Fact]
    public void Put_SameKeyAgain_ReplacesTheCopyAndItsBytes()
    {
        var cache = new LocalAnswerCache(10_000, _time);
        cache.Put(Answer("ws", "a", size: 1000));

        cache.Put(Answer("ws", "a", size: 2000));

        Assert.Equal(2000, cache.Get("ws", "a")!.Size);
        Assert.Equal((1, 2000L), (cache.Count, cache.Bytes));
    }

    [Fact]
    public void Put_BiggerThanTheCapacity_NotKeptAndTheOldCopyOfItsKeyGone()
    {
        var cache = new LocalAnswerCache(1000, _time);
        cache.Put(Answer("ws", "a", size: 1000));

        var kept = cache.Put(Answer("ws", "a", size: 1001));

        Assert.False(kept);
        Assert.Equal((0, 0L), (cache.Count, cache.Bytes));
    }

    [Fact]
    public void Get_AtExpiry_NullAndTheCopyRemoved()
    {
        var cache = new LocalAnswerCache(10_000, _time);
        cache.Put(Answer("ws", "a", lifetime: TimeSpan.FromSeconds(10)));
        _time.Advance(TimeSpan.FromSeconds(9));
        var before = cache.Get("ws", "a");

        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.NotNull(before);
        Assert.Null(cache.Get("ws", "a"));
        Assert.Equal((0, 0L), (cache.Count, cache.Bytes));
    }

    [Fact]
    public void Get_SameHashOfAnotherWorkspace_Null()
    {
        var cache = new LocalAnswerCache(10_000, _time);
        cache.Put(Answer("ws-1", "a"));

        Assert.Null(cache.Get("ws-2", "a"));
        Assert.NotNull(cache.Get("ws-1", "a"));
    }

    [Fact]
    public void Drop_ByFilter_DropsOnlyWhatMatches()
    {
        var cache = new LocalAnswerCache(10_000, _time);
        cache.Put(Answer("ws-1", "a", @namespace: "docs"));
        cache.Put(Answer("ws-1", "b"));
        cache.Put(Answer("ws-2", "c", @namespace: "docs"));

        var inOne = cache.Drop(new CacheInvalidation("ws-1", Namespace: "docs"));
        var everywhere = cache.Drop(new CacheInvalidation(null, Namespace: "docs"));

        Assert.Equal((1, 1), (inOne, everywhere));
        Assert.Equal([("ws-1", "b")], cache.Keys());
    }

    [Fact]
    public void Drop_OneHashCreatedBefore_KeepsACopyAsNewAsTheRefresh()
    {
        var cache = new LocalAnswerCache(10_000, _time);
        var refreshed = Answer("ws", "a");
        cache.Put(refreshed);

        var dropped = cache.Drop(new CacheInvalidation("ws", Hash: "a", CreatedBefore: refreshed.CreatedAt));

        Assert.Equal(0, dropped);
        Assert.Same(refreshed, cache.Get("ws", "a"));
    }

    [Fact]
    public void Put_ReadBeforeADrop_NotKept()
    {
        var cache = new LocalAnswerCache(10_000, _time);
        var seen = cache.Drops;
        cache.Drop(new CacheInvalidation("ws", Hash: "a"));

        var kept = cache.Put(Answer("ws", "a"), seen);

        Assert.False(kept);
        Assert.True(cache.Put(Answer("ws", "a"), cache.Drops));
    }

    /// <summary>Measured, not asserted: what 10,000 copies of about 1 KB answers cost in the process's memory.</summary>
    [Fact]
    public void Put_TenThousandAnswersOfOneKilobyte_MemoryMeasured()
    {
        const int count = 10_000;
        var answers = new CachedAnswer[count];
        var before = GC.GetTotalMemory(forceFullCollection: true);
        for (var i = 0; i < count; i++)
        {
            // As a request makes them: its own strings for the key, shared ones for the rest.
            answers[i] = Answer("ws-0123456789abcdef", Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i))), size: 1024 + 256);
        }

        var answersOnly = GC.GetTotalMemory(forceFullCollection: true);
        var cache = new LocalAnswerCache(long.MaxValue, _time);
        foreach (var answer in answers)
        {
            cache.Put(answer);
        }

        var withCache = GC.GetTotalMemory(forceFullCollection: true);
        output.WriteLine(
            $"10,000 answers (1 KiB body, 64-char hash): answers {(answersOnly - before) / 1024.0 / 1024:F2} MiB, " +
            $"cache structure {(withCache - answersOnly) / 1024.0 / 1024:F2} MiB, total {(withCache - before) / 1024.0 / 1024:F2} MiB " +
            $"({(withCache - before) / count} B per entry); counted {cache.Bytes / 1024.0 / 1024:F2} MiB ({cache.Bytes / count} B per entry)");
        GC.KeepAlive(answers);
        Assert.Equal(count, cache.Count);
    }

    private CachedAnswer Answer(string workspaceId, string hash, long size = 1000, TimeSpan? lifetime = null, string @namespace = "") =>
        new(workspaceId, hash, @namespace, "chat/completions", "openai", "gpt-4o", CachedAnswerShape.Json, new byte[size - 256],
            _time.GetUtcNow(), _time.GetUtcNow() + (lifetime ?? TimeSpan.FromHours(1)));
}
