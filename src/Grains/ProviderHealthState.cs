using Switchyard.State;

namespace Switchyard.Grains;

/// <summary>
/// What <see cref="ProviderHealthGrain"/> stores of a circuit: its state and version. Outcome counts are not stored
/// (a new activation starts a fresh sample, as a restarted breaker would).
/// </summary>
[GenerateSerializer, Alias("Switchyard.ProviderHealthState")]
internal sealed class ProviderHealthState
{
    [Id(0)]
    public CircuitState State { get; set; }

    [Id(1)]
    public DateTimeOffset? OpenUntil { get; set; }

    [Id(2)]
    public string? ProbeOwner { get; set; }

    [Id(3)]
    public DateTimeOffset? ProbeExpiresAt { get; set; }

    [Id(4)]
    public long Version { get; set; }
}
