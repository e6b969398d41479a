using System.Net;
using Switchyard.FrontDoor.Tests.Infrastructure;

namespace Switchyard.FrontDoor.Tests.DataPath;

public sealed class RetryTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private HttpRequestMessage WithRetry(string model, string retry, string extra = "") =>
        Requests.Chat("ignored").WithConfig(Requests.Target(fixture, model, $",\"retry\":{retry}{extra}"));

    [Fact]
    public async Task Retry_TransientFailures_RetriesUntilSuccess()
    {
        var scenario = Requests.NewScenario();
        using var response = await fixture.Client.SendAsync(WithRetry($"fake-gpt|scenario={scenario}|times=2|status=503", """{"attempts":3}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("2", response.Header("x-portkey-retry-attempt-count"));
        Assert.Equal([503, 503, 200], fixture.Fake.Journal.ForScenario(scenario).Select(e => e.StatusCode ?? 0));
    }

    [Fact]
    public async Task Retry_Exhausted_ReturnsTheLastAnswerWithCountMinusOne()
    {
        var scenario = Requests.NewScenario();
        using var response = await fixture.Client.SendAsync(WithRetry($"fake-gpt|scenario={scenario}|status=500", """{"attempts":2}"""));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("-1", response.Header("x-portkey-retry-attempt-count"));
        Assert.Equal(3, fixture.Fake.Journal.ForScenario(scenario).Count);
    }

    [Fact]
    public async Task Retry_StatusNotListed_IsNotRetried()
    {
        var scenario = Requests.NewScenario();
        using var response = await fixture.Client.SendAsync(WithRetry($"fake-gpt|scenario={scenario}|status=400", """{"attempts":3}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("0", response.Header("x-portkey-retry-attempt-count"));
        Assert.Single(fixture.Fake.Journal.ForScenario(scenario));
    }

    [Fact]
    public async Task Retry_CustomOnStatusCodes_RetriesOnlyThose()
    {
        var scenario = Requests.NewScenario();
        using var response = await fixture.Client.SendAsync(WithRetry($"fake-gpt|scenario={scenario}|times=1|status=409", """{"attempts":2,"on_status_codes":[409]}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("1", response.Header("x-portkey-retry-attempt-count"));
    }

    [Theory]
    [InlineData("use_retry_after_header")]
    [InlineData("use_retry_after_headers")]
    public async Task Retry_RetryAfterMs_IsHonoured(string flag)
    {
        var scenario = Requests.NewScenario();
        using var response = await fixture.Client.SendAsync(WithRetry($"fake-gpt|scenario={scenario}|times=1|status=429|retry-after-ms=400", $$"""{"attempts":2,"{{flag}}":true}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var entries = fixture.Fake.Journal.ForScenario(scenario);
        Assert.Equal(2, entries.Count);
        AssertWaited(entries[1].ReceivedAt - entries[0].ReceivedAt, TimeSpan.FromMilliseconds(400));
    }

    [Fact]
    public async Task Retry_RetryAfterSeconds_IsHonoured()
    {
        var scenario = Requests.NewScenario();
        using var response = await fixture.Client.SendAsync(WithRetry($"fake-gpt|scenario={scenario}|times=1|status=503|retry-after=1", """{"attempts":1,"use_retry_after_header":true}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var entries = fixture.Fake.Journal.ForScenario(scenario);
        AssertWaited(entries[1].ReceivedAt - entries[0].ReceivedAt, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Retry_RetryAfterLongerThanTheLimit_ReturnsThe429AtOnce()
    {
        var scenario = Requests.NewScenario();
        using var response = await fixture.Client.SendAsync(WithRetry($"fake-gpt|scenario={scenario}|status=429|retry-after=30", """{"attempts":3,"use_retry_after_header":true}"""));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("-1", response.Header("x-portkey-retry-attempt-count"));
        Assert.Equal("30", response.Header("Retry-After"));
        Assert.Single(fixture.Fake.Journal.ForScenario(scenario));
    }

    [Fact]
    public async Task Timeout_PerAttempt_Is408TimeoutErrorAndNotRetriedByDefault()
    {
        var scenario = Requests.NewScenario();
        using var response = await fixture.Client.SendAsync(WithRetry($"fake-gpt|scenario={scenario}|latency=5000", """{"attempts":2}""", ",\"request_timeout\":200"));

        Assert.Equal(HttpStatusCode.RequestTimeout, response.StatusCode);
        var error = (await response.JsonAsync()).GetProperty("error");
        Assert.Equal("timeout_error", error.GetProperty("type").GetString());
        Assert.Equal("Request exceeded the timeout sent in the request: 200ms", error.GetProperty("message").GetString());
        Assert.Single(fixture.Fake.Journal.ForScenario(scenario));
    }

    [Fact]
    public async Task Timeout_RequestTimeoutHeader_OverridesTheConfig()
    {
        var scenario = Requests.NewScenario();
        var request = WithRetry($"fake-gpt|scenario={scenario}|latency=5000", """{"attempts":0}""", ",\"request_timeout\":60000").WithHeader("x-portkey-request-timeout", "150");
        using var response = await fixture.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestTimeout, response.StatusCode);
        Assert.Equal("Request exceeded the timeout sent in the request: 150ms", (await response.JsonAsync()).GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task Timeout_408Listed_IsRetried()
    {
        var scenario = Requests.NewScenario();
        using var response = await fixture.Client.SendAsync(WithRetry($"fake-gpt|scenario={scenario}|times=1|latency=5000", """{"attempts":1,"on_status_codes":[408]}""", ",\"request_timeout\":200"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("1", response.Header("x-portkey-retry-attempt-count"));
        Assert.Equal(2, fixture.Fake.Journal.ForScenario(scenario).Count);
    }

    [Fact]
    public async Task Retry_ConnectionRefused_IsRetriedThen502()
    {
        var config = $$$"""{"provider":"openai","custom_host":"{{{ClosedPort.Url()}}}","retry":{"attempts":2}}""";
        using var response = await fixture.Client.SendAsync(Requests.Chat("fake-gpt").WithConfig(config));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("-1", response.Header("x-portkey-retry-attempt-count"));
        var error = (await response.JsonAsync()).GetProperty("error");
        Assert.Equal("upstream_unreachable", error.GetProperty("code").GetString());
        Assert.StartsWith("could not reach openai at 127.0.0.1:", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retry_AttemptsOverTheCap_Is400()
    {
        using var response = await fixture.Client.SendAsync(WithRetry("fake-gpt", """{"attempts":11}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("config.retry.attempts: must be an integer from 0 to 10", (await response.JsonAsync()).GetProperty("errors")[0].GetString());
    }

    /// <summary>
    /// The retry may not come before the provider allowed it. Timers and the wall clock the journal stamps with
    /// can disagree by a few milliseconds, so the bound allows 15 ms of clock granularity, far below any back-off.
    /// </summary>
    private static void AssertWaited(TimeSpan gap, TimeSpan retryAfter) =>
        Assert.True(gap >= retryAfter - TimeSpan.FromMilliseconds(15), $"the retry came {gap.TotalMilliseconds} ms after the 429; Retry-After allowed it after {retryAfter.TotalMilliseconds} ms");
}
