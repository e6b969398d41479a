using Microsoft.Extensions.Options;

namespace Switchyard.Gateway.Logging;

/// <summary>Checks <see cref="RequestLogOptions"/> at start-up; each failure names the setting.</summary>
internal sealed class RequestLogOptionsValidator : IValidateOptions<RequestLogOptions>
{
    public ValidateOptionsResult Validate(string? name, RequestLogOptions options)
    {
        var failures = new List<string>();
        if (options.QueueCapacity is < 1 or > 10_000_000)
        {
            failures.Add($"{RequestLogOptions.Section}:{nameof(options.QueueCapacity)} must be from 1 to 10000000.");
        }

        if (options.MaxQueuedBodyBytes < 0)
        {
            failures.Add($"{RequestLogOptions.Section}:{nameof(options.MaxQueuedBodyBytes)} must be 0 or more.");
        }

        if (options.BatchSize is < 1 or > 100_000)
        {
            failures.Add($"{RequestLogOptions.Section}:{nameof(options.BatchSize)} must be from 1 to 100000.");
        }

        if (options.FlushInterval <= TimeSpan.Zero || options.FlushInterval > TimeSpan.FromMinutes(1))
        {
            failures.Add($"{RequestLogOptions.Section}:{nameof(options.FlushInterval)} must be greater than zero and at most 1 minute.");
        }

        if (options.MaxBodyBytes is < 0 or > 64 * 1024 * 1024)
        {
            failures.Add($"{RequestLogOptions.Section}:{nameof(options.MaxBodyBytes)} must be from 0 to 67108864.");
        }

        if (options.RetentionInterval < TimeSpan.FromSeconds(1))
        {
            failures.Add($"{RequestLogOptions.Section}:{nameof(options.RetentionInterval)} must be at least 1 second.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
