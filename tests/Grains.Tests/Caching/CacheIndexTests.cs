using System.Runtime.CompilerServices;
using Switchyard.Grains.Caching;
using Xunit.Abstractions;

namespace Switchyard.Grains.Tests.Caching;

public sealed class CacheIndexTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void EvictOver_SameCreationTime_OldestByTimeThenByHash()
    {
        var index = new CacheIndex([Entry("b", 0), Entry("a", 0), Entry("c", -1), Entry("d", 1)]);

        var evicted = index.EvictOver(100);

        Assert.Equal(["c", "a", "b"], evicted.Select(e => e.Hash));
        Assert.Equal((1, 100L), (index.Count, index.Bytes));
    }

    [Fact]
    public void Put_SameHashAgain_ReplacesItsSizeAndAge()
    {
        var index = new CacheIndex([Entry("a", 0, size: 100), Entry("b", 1, size: 100)]);

        index.Put(Entry("a", 2, size: 300));
        var evicted = index.EvictOver(300);

        Assert.Equal(["b"], evicted.Select(e => e.Hash));
        Assert.Equal((1, 300L), (index.Count, index.Bytes));
    }

    [Fact]
    public void Put_EqualNamesFromSeparateMessages_OneCopyKept()
    {
        var index = new CacheIndex([]);

        index.Put(Entry("a", 0) with { Model = new string("gpt-4o") });
        index.Put(Entry("b", 0) with { Model = new string("gpt-4o") });

        var models = index.Entries.Select(e => e.Model).ToArray();
        Assert.Same(models[0], models[1]);
    }

    /// <summary>Measured, not asserted: an index's memory per 10,000 entries as messages bring them (a string per field each).</summary>
    [Fact]
    public void Put_TenThousandEntries_MemoryMeasured()
    {
        const int count = 10_000;
        var before = GC.GetTotalMemory(forceFullCollection: true);

        var index = Build(count);
        var after = GC.GetTotalMemory(forceFullCollection: true);

        output.WriteLine($"10,000 index entries (64-char hash, 80-char partition): {(after - before) / 1024.0 / 1024:F2} MiB ({(after - before) / count} B per entry)");
        Assert.Equal(count, index.Count);
    }

    /// <summary>The messages die here, so what is measured after is the index alone.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static CacheIndex Build(int count) => new(Enumerable.Range(0, count).Select(i => new CacheIndexEntry(
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i))),
        new string("docs"), new string("gpt-4o-mini"), 1280, Now.AddSeconds(i), Now.AddHours(1), new string('p', 80))));

    private static CacheIndexEntry Entry(string hash, int seconds, long size = 100) =>
        new(hash, "", "gpt-4o", size, Now.AddSeconds(seconds), Now.AddHours(1), null);
}
