using Switchyard.Gateway.Upstream;

namespace Switchyard.Gateway.Errors;

/// <summary>
/// The one table of the gateway's own errors: for each refusal (<see cref="GatewayErrorKind"/>) and each failed attempt
/// at a provider (<see cref="OutcomeKind"/>), the status the client sees and the error type each dialect carries.
/// </summary>
/// <remarks>
/// OpenAI clients get a refusal in Portkey's gateway shape (<c>{"status":"failure","message":…}</c>, no type) and a
/// failed attempt in OpenAI's error shape with <see cref="ErrorShape.Type"/> and <see cref="ErrorShape.Code"/>;
/// Anthropic clients get Anthropic's error shape with <see cref="ErrorShape.AnthropicType"/> for both.
/// </remarks>
public static class ErrorTable
{
    public static ErrorShape For(GatewayErrorKind kind) => kind switch
    {
        GatewayErrorKind.InvalidRequest or GatewayErrorKind.InvalidConfig => new(400, "invalid_request_error", null, "invalid_request_error"),
        GatewayErrorKind.Unauthenticated => new(401, "authentication_error", null, "authentication_error"),
        GatewayErrorKind.Forbidden => new(403, "permission_error", null, "permission_error"),
        GatewayErrorKind.RequestTimeout => new(408, "timeout_error", null, "timeout_error"),
        GatewayErrorKind.BudgetExceeded => new(412, "budget_exceeded_error", null, "budget_exceeded_error"),
        GatewayErrorKind.RequestTooLarge => new(413, "request_too_large", null, "request_too_large"),
        GatewayErrorKind.RateLimited => new(429, "rate_limit_error", null, "rate_limit_error"),
        GatewayErrorKind.HostMisconfigured => new(500, "api_error", null, "api_error"),
        GatewayErrorKind.LimitsUnavailable => new(503, "api_error", null, "api_error"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>A failed attempt the gateway detected itself; <see cref="OutcomeKind.Response"/> is the provider's own answer and has no row.</summary>
    internal static ErrorShape For(OutcomeKind kind) => kind switch
    {
        OutcomeKind.Timeout => new(408, "timeout_error", null, "timeout_error"),
        OutcomeKind.Network => new(502, "upstream_error", "upstream_unreachable", "api_error"),
        OutcomeKind.InvalidResponse => new(502, "upstream_error", "upstream_invalid_response", "api_error"),
        OutcomeKind.CircuitOpen => new(503, "upstream_error", "circuit_open", "api_error"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>OpenAI's error type for a provider's status, when its error body names none.</summary>
    public static string TypeForStatus(int status) => status switch
    {
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        408 => "timeout_error",
        412 => "budget_exceeded_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        >= 500 => "api_error",
        _ => "invalid_request_error",
    };
}

/// <summary>One row of the <see cref="ErrorTable"/>.</summary>
/// <param name="Type">OpenAI's <c>error.type</c>.</param>
/// <param name="Code">OpenAI's <c>error.code</c>, when the gateway sets one.</param>
/// <param name="AnthropicType">Anthropic's <c>error.type</c>.</param>
public readonly record struct ErrorShape(int Status, string Type, string? Code, string AnthropicType);
