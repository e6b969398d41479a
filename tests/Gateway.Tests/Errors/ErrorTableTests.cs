using Switchyard.Gateway.Errors;
using Switchyard.Gateway.Upstream;

namespace Switchyard.Gateway.Tests.Errors;

public sealed class ErrorTableTests
{
    [Theory]
    [InlineData(GatewayErrorKind.InvalidRequest, 400, "invalid_request_error")]
    [InlineData(GatewayErrorKind.InvalidConfig, 400, "invalid_request_error")]
    [InlineData(GatewayErrorKind.Unauthenticated, 401, "authentication_error")]
    [InlineData(GatewayErrorKind.Forbidden, 403, "permission_error")]
    [InlineData(GatewayErrorKind.RequestTimeout, 408, "timeout_error")]
    [InlineData(GatewayErrorKind.BudgetExceeded, 412, "budget_exceeded_error")]
    [InlineData(GatewayErrorKind.RequestTooLarge, 413, "request_too_large")]
    [InlineData(GatewayErrorKind.RateLimited, 429, "rate_limit_error")]
    [InlineData(GatewayErrorKind.HostMisconfigured, 500, "api_error")]
    [InlineData(GatewayErrorKind.LimitsUnavailable, 503, "api_error")]
    public void For_EachRefusal_HasItsStatusAndType(GatewayErrorKind kind, int status, string type)
    {
        var shape = ErrorTable.For(kind);

        Assert.Equal(new ErrorShape(status, type, null, type), shape);
        Assert.Equal(status, new GatewayException(kind, "no").StatusCode);
    }

    [Fact]
    public void For_EveryRefusalKind_HasARow()
    {
        foreach (var kind in Enum.GetValues<GatewayErrorKind>())
        {
            Assert.InRange(ErrorTable.For(kind).Status, 400, 599);
        }
    }

    [Theory]
    [InlineData(OutcomeKind.Timeout, 408, "timeout_error", null, "timeout_error")]
    [InlineData(OutcomeKind.Network, 502, "upstream_error", "upstream_unreachable", "api_error")]
    [InlineData(OutcomeKind.InvalidResponse, 502, "upstream_error", "upstream_invalid_response", "api_error")]
    [InlineData(OutcomeKind.CircuitOpen, 503, "upstream_error", "circuit_open", "api_error")]
    internal void For_EachFailedAttempt_HasItsStatusTypeAndCode(OutcomeKind kind, int status, string type, string? code, string anthropicType)
    {
        Assert.Equal(new ErrorShape(status, type, code, anthropicType), ErrorTable.For(kind));
    }

    [Fact]
    internal void For_AProvidersAnswer_HasNoRow()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ErrorTable.For(OutcomeKind.Response));
    }

    [Theory]
    [InlineData(400, "invalid_request_error")]
    [InlineData(404, "not_found_error")]
    [InlineData(422, "invalid_request_error")]
    [InlineData(429, "rate_limit_error")]
    [InlineData(529, "api_error")]
    public void TypeForStatus_AProvidersStatus_IsOpenAisType(int status, string type)
    {
        Assert.Equal(type, ErrorTable.TypeForStatus(status));
    }
}
