using Switchyard.Gateway.Routing;
using Switchyard.Gateway.Tests.Routing;

namespace Switchyard.Gateway.Tests.Health;

public sealed class CircuitConfigTests
{
    [Fact]
    public void Parse_PortkeyFieldsOnTheStrategy_MapToOurs()
    {
        var root = TestConfigs.Root("""
            {"strategy": {"mode": "fallback", "cb_config": {"failure_threshold_percentage": 20, "minimum_requests": 10, "cooldown_interval": 60000, "failure_status_codes": [401, 429, 500]}},
             "targets": [{"provider": "openai"}, {"provider": "groq"}]}
            """);

        Assert.Equal(new CircuitSettings(null, 0.2, 10, null, 60_000, null), root.Circuit! with { FailureStatusCodes = null });
        Assert.Equal([401, 429, 500], root.Circuit!.FailureStatusCodes);
        var leaf = TargetSettings.Empty.InheritInto(root).InheritInto(root.Targets[1]);
        Assert.Same(root.Circuit, leaf.Circuit);
    }

    [Fact]
    public void Parse_OurFieldsOnATarget_WinOverTheStrategys()
    {
        var root = TestConfigs.Root("""
            {"strategy": {"mode": "fallback", "cb_config": {"failure_ratio": 0.9}},
             "targets": [{"provider": "openai", "cb_config": {"enabled": true, "failure_ratio": 0.3, "minimum_throughput": 4, "sampling_duration_ms": 5000, "break_duration_ms": 2000}}, {"provider": "groq"}]}
            """);

        var first = TargetSettings.Empty.InheritInto(root).InheritInto(root.Targets[0]);
        var second = TargetSettings.Empty.InheritInto(root).InheritInto(root.Targets[1]);

        Assert.Equal(new CircuitSettings(true, 0.3, 4, 5000, 2000, null), first.Circuit);
        Assert.Equal(0.9, second.Circuit!.FailureRatio);
    }

    [Fact]
    public void Parse_PortkeyFailureThreshold_IsThatManyCallsAllFailing()
    {
        var root = TestConfigs.Root("""{"provider": "openai", "cb_config": {"failure_threshold": 5}}""");

        Assert.Equal(new CircuitSettings(null, 1, 5, null, null, null), root.Circuit);
    }

    [Theory]
    [InlineData("""{"failure_ratio": 1.5}""", "config.cb_config.failure_ratio: must be a number greater than 0 and at most 1")]
    [InlineData("""{"failure_threshold_percentage": 0}""", "config.cb_config.failure_threshold_percentage: must be a number greater than 0 and at most 100")]
    [InlineData("""{"minimum_throughput": 1}""", "config.cb_config.minimum_throughput: must be an integer of at least 2")]
    [InlineData("""{"break_duration_ms": 100}""", "config.cb_config.break_duration_ms: must be an integer of at least 500 (milliseconds)")]
    [InlineData("""{"failure_status_codes": [700]}""", "config.cb_config.failure_status_codes[0]: must be an integer from 100 to 599")]
    [InlineData("""[]""", "config.cb_config: must be an object")]
    public void Parse_BadCbConfig_NamesTheField(string cbConfig, string error)
    {
        Assert.Equal(error, TestConfigs.SingleError($$"""{"provider": "openai", "cb_config": {{cbConfig}}}"""));
    }

    [Fact]
    public void Validate_BadCircuitBreakerOptions_NameTheSetting()
    {
        var options = new GatewayOptions { CircuitBreaker = { FailureRatio = 0, MinimumThroughput = 1, FailureStatusCodes = "408,6xx" } };

        var result = new GatewayOptionsValidator().Validate(null, options);

        Assert.Equal(
            [
                "Switchyard:Gateway:CircuitBreaker:FailureRatio must be greater than 0 and at most 1.",
                "Switchyard:Gateway:CircuitBreaker:MinimumThroughput must be at least 2.",
                "Switchyard:Gateway:CircuitBreaker:FailureStatusCodes has '6xx', which is neither a status from 100 to 599 nor 1xx to 5xx.",
            ],
            result.Failures);
    }
}
