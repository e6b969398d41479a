using Switchyard.Gateway.Errors;
using Switchyard.Gateway.Pipeline;
using Switchyard.Gateway.Tests.Pipeline;
using Switchyard.State;
using static Switchyard.Gateway.Tests.Admission.QuotaWorld;

namespace Switchyard.Gateway.Tests.Admission;

/// <summary>The request's rate limits and concurrency at the workspace and API key, reserved before routing.</summary>
public sealed class RateAdmissionTests
{
    private readonly QuotaWorld _world = new();

    private static readonly RateLimit TwoPerMinute = new(RateLimitKind.Requests, RateLimitUnit.PerMinute, 2);

    [Fact]
    public async Task AdmitAsync_NoLimitsAnywhere_HoldsNothing()
    {
        var keyless = Call(workspace: null);
        var unlimited = Call(Workspace(Limits.None), ApiKey(Limits.None));

        await _world.Admission.AdmitAsync(keyless);
        await _world.Admission.AdmitAsync(unlimited);

        Assert.Empty(keyless.Holds);
        Assert.Empty(unlimited.Holds);
    }

    [Fact]
    public async Task AdmitAsync_FullRequestWindow_Is429WithRetryAfterToTheWindowsEnd()
    {
        var workspace = Workspace(Rates(TwoPerMinute));
        await _world.Admission.AdmitAsync(Call(workspace));
        await _world.Admission.AdmitAsync(Call(workspace));

        var refusal = await Assert.ThrowsAsync<GatewayException>(() => _world.Admission.AdmitAsync(Call(workspace)).AsTask());

        Assert.Equal(GatewayErrorKind.RateLimited, refusal.Kind);
        Assert.Equal(429, refusal.StatusCode);
        Assert.Contains(new KeyValuePair<string, string>(GatewayHeaders.RetryAfter, "30"), refusal.Headers); // 12:00:30 → 12:01:00
        Assert.Contains("workspace 'team'", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdmitAsync_Admitted_WritesTheRateLimitHeaders()
    {
        var response = new RecordingResponse();
        var call = Call(Workspace(Rates(new RateLimit(RateLimitKind.Requests, RateLimitUnit.PerMinute, 5))), response: response);

        await _world.Admission.AdmitAsync(call);

        Assert.Single(call.Holds);
        Assert.Equal("5", response.Headers["x-ratelimit-limit-requests"]);
        Assert.Equal("4", response.Headers["x-ratelimit-remaining-requests"]);
        Assert.Equal("30s", response.Headers["x-ratelimit-reset-requests"]);
    }

    [Fact]
    public async Task AdmitAsync_KeysOwnLimit_RefusesNamingTheKey()
    {
        var key = ApiKey(Rates(new RateLimit(RateLimitKind.Requests, RateLimitUnit.PerHour, 1)));
        await _world.Admission.AdmitAsync(Call(Workspace(Limits.None), key));

        var refusal = await Assert.ThrowsAsync<GatewayException>(() => _world.Admission.AdmitAsync(Call(Workspace(Limits.None), key)).AsTask());

        Assert.Equal(429, refusal.StatusCode);
        Assert.Contains("API key 'app'", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdmitAsync_ConcurrencyCap_RefusesWhileInFlightAndAdmitsOnceSettled()
    {
        var workspace = Workspace(new Limits(null, [], 1));
        var first = Call(workspace);
        await _world.Admission.AdmitAsync(first);

        var refusal = await Assert.ThrowsAsync<GatewayException>(() => _world.Admission.AdmitAsync(Call(workspace)).AsTask());
        Assert.Equal(429, refusal.StatusCode);
        Assert.Equal("Too many concurrent requests for the workspace 'team': at most 1 may be in flight at once.", refusal.Message);
        Assert.Contains(new KeyValuePair<string, string>(GatewayHeaders.RetryAfter, "1"), refusal.Headers);

        _world.Settlement.Settle(first);
        var third = Call(workspace);
        await _world.Admission.AdmitAsync(third);
        Assert.Single(third.Holds);
    }

    [Fact]
    public async Task AdmitAsync_TokenWindow_ClaimsThePromptEstimatePlusMaxTokens()
    {
        var workspace = Workspace(Rates(new RateLimit(RateLimitKind.Tokens, RateLimitUnit.PerMinute, 10_000)));
        var call = Call(workspace, maxTokens: 300);

        await _world.Admission.AdmitAsync(call);

        var claim = Assert.Single(Assert.Single(call.Holds).Claims).Claim;
        Assert.Equal(QuotaMeter.Tokens, claim.Window.Meter);
        Assert.Equal(call.PromptTokens.Estimate + 300, claim.Amount);
    }

    [Fact]
    public async Task AdmitAsync_BankUnreachable_Is503AndFailsClosed()
    {
        _world.Bank.Unavailable = true;

        var refusal = await Assert.ThrowsAsync<GatewayException>(() => _world.Admission.AdmitAsync(Call(Workspace(Rates(TwoPerMinute)))).AsTask());

        Assert.Equal(GatewayErrorKind.LimitsUnavailable, refusal.Kind);
        Assert.Equal(503, refusal.StatusCode);
        Assert.Contains(new KeyValuePair<string, string>(GatewayHeaders.RetryAfter, "1"), refusal.Headers);
    }
}
