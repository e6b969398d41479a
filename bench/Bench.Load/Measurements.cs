namespace Switchyard.Bench.Load;

/// <summary>A wrk run of one contender, with the CPU it used (cores, over the run) and its peak memory after it.</summary>
internal sealed record ThroughputRow(string Contender, WrkResult Wrk, double? CpuCores, double? PeakRssMB);

/// <summary>The added-latency probe of one contender.</summary>
internal sealed record LatencyRow(string Contender, LatencyResult Result);

/// <summary>A stream probe of one contender.</summary>
internal sealed record StreamRow(string Contender, StreamResult Result);

/// <summary>One side of an interleaved comparison: its turns' requests, CPU and time, summed.</summary>
internal sealed record TurnTotals(long Requests, double CpuSeconds, double Seconds)
{
    public double CpuMicrosPerRequest => CpuSeconds * 1e6 / Requests;

    public double RequestsPerSecond => Requests / Seconds;

    public TurnTotals Add(WrkResult run, double cpuSeconds) => new(Requests + run.Requests, CpuSeconds + cpuSeconds, Seconds + run.Seconds);
}

/// <summary>A build and the one before it, taking turns under the same load (see <see cref="BenchOptions.AbTurns"/>).</summary>
internal sealed record InterleavedRow(string Scenario, string After, string Before, int Turns, TurnTotals AfterTotals, TurnTotals BeforeTotals);

/// <summary>Everything one run measured, in the order the report prints it.</summary>
internal sealed class Measurements
{
    /// <summary>Each contender's median round of the 50-connection chat row.</summary>
    public List<ThroughputRow> Chat { get; } = [];

    /// <summary>Every round of the 50-connection chat row, in the order they ran.</summary>
    public List<ThroughputRow> ChatRounds { get; } = [];

    public List<ThroughputRow> ChatOneConnection { get; } = [];

    public List<ThroughputRow> Streams { get; } = [];

    public List<LatencyRow> AddedLatency { get; } = [];

    public List<StreamRow> FirstToken { get; } = [];

    public List<StreamRow> FirstTokenWithLatency { get; } = [];

    public Dictionary<string, double> PeakRssMB { get; } = [];

    public List<InterleavedRow> Interleaved { get; } = [];
}
