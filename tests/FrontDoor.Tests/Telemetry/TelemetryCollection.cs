namespace Switchyard.FrontDoor.Tests.Telemetry;

/// <summary>
/// Telemetry tests run alone, after the parallel ones: a meter's and an activity source's listeners see every host in
/// the process, so counts and spans are exact only while no other test's gateway is serving calls.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    public const string Name = "Telemetry";
}
