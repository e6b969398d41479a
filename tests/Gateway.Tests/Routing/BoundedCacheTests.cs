using Switchyard.Gateway.Routing;


namespace Switchyard.Gateway.Tests.Routing;

public sealed class BoundedCacheTests
{
    [Fact]
    public void GetOrAdd_SameKey_ComputesOnce()
    {
        var cache = new BoundedCache<string, object>(4);
        var calls = 0;

        var first = cache.GetOrAdd("a", (_, _) => { calls++; return new object(); }, 0);
        var second = cache.GetOrAdd("a", (_, _) => { calls++; return new object(); }, 0);

        Assert.Same(first, second);
        Assert.Equal(1, calls);
    }

    [Fact]
    public void GetOrAdd_Full_StartsOverInsteadOfGrowing()
    {
        var cache = new BoundedCache<int, int>(3);
        var calls = 0;
        int Create(int key, int _) { calls++; return key * 10; }

        foreach (var key in new[] { 1, 2, 3, 4 })
        {
            cache.GetOrAdd(key, Create, 0);
        }

        Assert.Equal(4, calls);
        Assert.Equal(40, cache.GetOrAdd(4, Create, 0));
        Assert.Equal(4, calls);
        Assert.Equal(10, cache.GetOrAdd(1, Create, 0));
        Assert.Equal(5, calls);
    }
}
