using System.Globalization;

namespace Switchyard.Gateway.Health;

/// <summary>
/// Gateway-wide circuit-breaker defaults, bound from <c>Switchyard:Gateway:CircuitBreaker</c>. A config's
/// <c>cb_config</c> overrides them field by field for its targets.
/// </summary>
public sealed class CircuitBreakerOptions
{
    /// <summary>
    /// Whether targets whose config has no <c>cb_config</c> get a breaker. Default false: breakers run where a config asks
    /// for one (Portkey's opt-in), because a good threshold depends on a target's traffic and a tripped breaker refuses
    /// calls that might have worked. Set true to protect every target with the thresholds below.
    /// </summary>
    public bool Enabled { get; set; }

    /// <summary>Share of failed calls in the sampling window that opens the circuit, above 0 and at most 1. Default 0.5.</summary>
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>Calls the sampling window must hold before the ratio counts; at least 2. Default 10.</summary>
    public int MinimumThroughput { get; set; } = 10;

    /// <summary>The window the failure ratio is measured over; at least 500 ms. Default 30 s.</summary>
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an opened circuit skips its target before one probe is sent; at least 500 ms. Default 30 s (Portkey's minimum cooldown).</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Comma-separated statuses that count as failures; <c>5xx</c> stands for 500 to 599. Default <c>408,429,5xx</c>.
    /// Timeouts and transport errors (refused, reset, broken bodies) always count.
    /// </summary>
    public string FailureStatusCodes { get; set; } = "408,429,5xx";

    /// <summary>
    /// The longest a probe's claim holds (and at most the probe's own request timeout): if the replica sending it dies,
    /// another may probe after this. Default 30 s.
    /// </summary>
    public TimeSpan ProbeLease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Reads <see cref="FailureStatusCodes"/>; false with the offending item when it is not a status or <c>5xx</c>.</summary>
    internal bool TryReadFailureStatusCodes(out IReadOnlySet<int> codes, out string? bad)
    {
        var set = new HashSet<int>();
        bad = null;
        foreach (var item in FailureStatusCodes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (item.Length == 3 && item[1..].Equals("xx", StringComparison.OrdinalIgnoreCase) && item[0] is >= '1' and <= '5')
            {
                var hundred = (item[0] - '0') * 100;
                set.UnionWith(Enumerable.Range(hundred, 100));
            }
            else if (int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var status) && status is >= 100 and <= 599)
            {
                set.Add(status);
            }
            else
            {
                bad ??= item;
            }
        }

        codes = set;
        return bad is null;
    }
}
