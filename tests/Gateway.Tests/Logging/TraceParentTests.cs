using Switchyard.Gateway.Logging;

namespace Switchyard.Gateway.Tests.Logging;

public sealed class TraceParentTests
{
    [Fact]
    public void TryParse_ValidHeader_GivesTraceAndParent()
    {
        Assert.True(TraceParent.TryParse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", out var trace, out var parent));
        Assert.Equal(("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"), (trace, parent));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01")]
    [InlineData("00-00000000000000000000000000000000-00f067aa0ba902b7-01")]
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01")]
    [InlineData("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")]
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra")]
    [InlineData("00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")]
    public void TryParse_MalformedHeader_IsIgnored(string? header) => Assert.False(TraceParent.TryParse(header, out _, out _));

    [Fact]
    public void TryParse_LaterVersionWithMoreFields_ReadsTheKnownOnes() =>
        Assert.True(TraceParent.TryParse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future", out _, out _));
}
