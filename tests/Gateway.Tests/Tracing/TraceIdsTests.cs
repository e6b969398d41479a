using System.Text.RegularExpressions;
using Switchyard.Gateway.Tracing;

namespace Switchyard.Gateway.Tests.Tracing;

public sealed class TraceIdsTests
{
    [Fact]
    public void New_IsVersion4UuidText()
    {
        for (var i = 0; i < 1000; i++)
        {
            Assert.Matches(new Regex("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"), TraceIds.New());
        }
    }

    [Fact]
    public void New_DoesNotRepeat()
    {
        var seen = new HashSet<string>();
        for (var i = 0; i < 100_000; i++)
        {
            Assert.True(seen.Add(TraceIds.New()));
        }
    }
}
