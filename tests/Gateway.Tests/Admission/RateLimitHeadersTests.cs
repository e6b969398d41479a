using Switchyard.Gateway.Admission;

namespace Switchyard.Gateway.Tests.Admission;

public sealed class RateLimitHeadersTests
{
    [Theory]
    [InlineData(0.2, "1s")]
    [InlineData(59, "59s")]
    [InlineData(59.01, "1m0s")]
    [InlineData(3723, "1h2m3s")]
    [InlineData(86399.5, "24h0m0s")]
    public void Duration_IsOpenAiFormInWholeSecondsRoundedUp(double seconds, string expected)
    {
        Assert.Equal(expected, RateLimitHeaders.Duration(TimeSpan.FromSeconds(seconds)));
    }

    [Fact]
    public void ForRefusal_CarriesRetryAfterAndTheThreeHeaders()
    {
        var headers = RateLimitHeaders.ForRefusal("requests", 10, 0, TimeSpan.FromSeconds(12.5), 13);

        Assert.Equal(
            [new("retry-after", "13"), new("x-ratelimit-limit-requests", "10"), new("x-ratelimit-remaining-requests", "0"), new("x-ratelimit-reset-requests", "13s")],
            headers);
    }
}
