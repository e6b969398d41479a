using Switchyard.Gateway.Logging;

namespace Switchyard.Gateway.Tests.Logging;

public sealed class RequestLogOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeed() => Assert.True(new RequestLogOptionsValidator().Validate(null, new RequestLogOptions()).Succeeded);

    [Fact]
    public void Validate_BadValues_NameEachSetting()
    {
        var result = new RequestLogOptionsValidator().Validate(null, new RequestLogOptions
        {
            QueueCapacity = 0,
            BatchSize = 0,
            FlushInterval = TimeSpan.Zero,
            MaxBodyBytes = -1,
            RetentionInterval = TimeSpan.Zero,
        });

        Assert.Equal(
            [
                "Switchyard:Logs:QueueCapacity must be from 1 to 10000000.",
                "Switchyard:Logs:BatchSize must be from 1 to 100000.",
                "Switchyard:Logs:FlushInterval must be greater than zero and at most 1 minute.",
                "Switchyard:Logs:MaxBodyBytes must be from 0 to 67108864.",
                "Switchyard:Logs:RetentionInterval must be at least 1 second.",
            ],
            result.Failures!);
    }
}
