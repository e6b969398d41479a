using System.Text.RegularExpressions;
using Switchyard.Gateway.Tracing;

namespace Switchyard.Gateway.Tests.Tracing;

public sealed class TraceIdsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 8, 3, 4, 5, 678, TimeSpan.Zero);

    [Fact]
    public void New_IsVersion7UuidTextOfTheTime()
    {
        for (var i = 0; i < 1000; i++)
        {
            var id = TraceIds.New(Now);
            Assert.Matches(new Regex("^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"), id);
            Assert.StartsWith(Now.ToUnixTimeMilliseconds().ToString("x12")[..8] + "-" + Now.ToUnixTimeMilliseconds().ToString("x12")[8..], id, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void New_SortsByTime()
    {
        var earlier = TraceIds.New(Now);
        var later = TraceIds.New(Now.AddMilliseconds(1));

        Assert.True(string.CompareOrdinal(earlier, later) < 0);
    }

    [Fact]
    public void New_DoesNotRepeatWithinOneMillisecond()
    {
        var seen = new HashSet<string>();
        for (var i = 0; i < 100_000; i++)
        {
            Assert.True(seen.Add(TraceIds.New(Now)));
        }
    }
}
