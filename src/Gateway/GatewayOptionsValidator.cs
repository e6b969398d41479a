using Microsoft.Extensions.Options;
using Switchyard.Gateway.Health;

namespace Switchyard.Gateway;

/// <summary>Checks <see cref="GatewayOptions"/> at start-up; each failure names the setting.</summary>
internal sealed class GatewayOptionsValidator : IValidateOptions<GatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        var failures = new List<string>();
        Positive(failures, nameof(options.MaxRequestBodyBytes), options.MaxRequestBodyBytes);
        if (options.MaxJsonDepth is < 1 or > 1000)
        {
            failures.Add($"{GatewayOptions.Section}:{nameof(options.MaxJsonDepth)} must be from 1 to 1000.");
        }

        if (options.MaxRetryAttempts is < 0 or > 100)
        {
            failures.Add($"{GatewayOptions.Section}:{nameof(options.MaxRetryAttempts)} must be from 0 to 100.");
        }

        Positive(failures, nameof(options.RetryMaxDelay), options.RetryMaxDelay.Ticks);
        Positive(failures, nameof(options.DefaultRequestTimeout), options.DefaultRequestTimeout.Ticks);
        Positive(failures, nameof(options.StreamIdleTimeout), options.StreamIdleTimeout.Ticks);
        if (options.RetryBaseDelay < TimeSpan.Zero)
        {
            failures.Add($"{GatewayOptions.Section}:{nameof(options.RetryBaseDelay)} must not be negative.");
        }

        ValidateCircuitBreaker(failures, options.CircuitBreaker);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateCircuitBreaker(List<string> failures, CircuitBreakerOptions circuit)
    {
        const string prefix = GatewayOptions.Section + ":" + nameof(GatewayOptions.CircuitBreaker) + ":";
        var minimum = TimeSpan.FromMilliseconds(Routing.RoutingConfigParser.MinimumCircuitDurationMs);
        if (!(circuit.FailureRatio > 0 && circuit.FailureRatio <= 1))
        {
            failures.Add($"{prefix}{nameof(circuit.FailureRatio)} must be greater than 0 and at most 1.");
        }

        if (circuit.MinimumThroughput < 2)
        {
            failures.Add($"{prefix}{nameof(circuit.MinimumThroughput)} must be at least 2.");
        }

        if (circuit.SamplingDuration < minimum)
        {
            failures.Add($"{prefix}{nameof(circuit.SamplingDuration)} must be at least 500 ms.");
        }

        if (circuit.BreakDuration < minimum)
        {
            failures.Add($"{prefix}{nameof(circuit.BreakDuration)} must be at least 500 ms.");
        }

        if (circuit.ProbeLease <= TimeSpan.Zero)
        {
            failures.Add($"{prefix}{nameof(circuit.ProbeLease)} must be greater than zero.");
        }

        if (!circuit.TryReadFailureStatusCodes(out _, out var bad))
        {
            failures.Add($"{prefix}{nameof(circuit.FailureStatusCodes)} has '{bad}', which is neither a status from 100 to 599 nor 1xx to 5xx.");
        }
    }

    private static void Positive(List<string> failures, string setting, long value)
    {
        if (value <= 0)
        {
            failures.Add($"{GatewayOptions.Section}:{setting} must be greater than zero.");
        }
    }
}
