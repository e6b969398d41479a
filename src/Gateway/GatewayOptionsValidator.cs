using Microsoft.Extensions.Options;

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

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Positive(List<string> failures, string setting, long value)
    {
        if (value <= 0)
        {
            failures.Add($"{GatewayOptions.Section}:{setting} must be greater than zero.");
        }
    }
}
