namespace Switchyard.Bench.Load;

/// <summary>What one run of the harness measures, from its command line.</summary>
internal sealed record BenchOptions
{
    /// <summary>Length of each measured wrk run. Default 10 s.</summary>
    public int DurationSeconds { get; init; } = 10;

    /// <summary>Length of the warm-up before each measured run (results discarded). Default 3 s.</summary>
    public int WarmupSeconds { get; init; } = 3;

    /// <summary>
    /// Load each contender gets before anything is measured (half chat, half streams): .NET's tiered compilation and
    /// V8 need about that long under load to reach their steady code. Default 20 s.
    /// </summary>
    public int JitWarmupSeconds { get; init; } = 20;

    /// <summary>
    /// Rounds of the 50-connection chat row, every contender once per round; the report shows each contender's median
    /// round, because this VM's speed drifts by 10–30% between minutes; the throughput targets use the median of the
    /// per-round ratios. Default 5.
    /// </summary>
    public int Rounds { get; init; } = 5;

    /// <summary>Connections for the throughput scenarios. Default 50.</summary>
    public int Connections { get; init; } = 50;

    /// <summary>Streams per contender in the time-to-first-token probe (after a warm-up of a tenth as many). Default 400.</summary>
    public int StreamSamples { get; init; } = 400;

    /// <summary>Request pairs (direct, then through the contender) in the added-latency probe. Default 2000.</summary>
    public int LatencyPairs { get; init; } = 2000;

    /// <summary>Contenders to run (names); empty runs all of them.</summary>
    public IReadOnlyList<string> Only { get; init; } = [];

    /// <summary>
    /// Another build's FrontDoor output folder (e.g. of the commit before a change), run as the extra contender
    /// <c>switchyard-before</c> (and, with the governed contender, <c>switchyard-governed-before</c>) so a change is
    /// measured side by side with what it replaces. Default none.
    /// </summary>
    public string? BeforeBuild { get; init; }

    /// <summary>
    /// With <see cref="BeforeBuild"/>: turns in the interleaved comparison, where this build and the one before take
    /// turns of <see cref="AbSeconds"/> under the same load and each side's CPU and requests are summed over its turns.
    /// Both sides see the same minutes of the VM, so a difference of a few percent shows, which the rows above (each
    /// contender measured once, up to a minute apart) cannot show. Default 8.
    /// </summary>
    public int AbTurns { get; init; } = 8;

    /// <summary>Length of one turn of the interleaved comparison. Default 3 s.</summary>
    public int AbSeconds { get; init; } = 3;

    /// <summary>
    /// Start the contenders, print how to load each one (a wrk command) and its process id, and wait for Ctrl-C
    /// instead of measuring: for profiling one contender by hand (perf, dotnet-counters) under the harness's load.
    /// </summary>
    public bool Hold { get; init; }

    /// <summary>Where the results (markdown and JSON) are written. Default <c>bench/results</c>.</summary>
    public string ResultsDirectory { get; init; } = "bench/results";

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--duration" => options with { DurationSeconds = int.Parse(Next()) },
                "--warmup" => options with { WarmupSeconds = int.Parse(Next()) },
                "--jit-warmup" => options with { JitWarmupSeconds = int.Parse(Next()) },
                "--connections" => options with { Connections = int.Parse(Next()) },
                "--stream-samples" => options with { StreamSamples = int.Parse(Next()) },
                "--latency-pairs" => options with { LatencyPairs = int.Parse(Next()) },
                "--rounds" => options with { Rounds = int.Parse(Next()) },
                "--only" => options with { Only = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
                "--results" => options with { ResultsDirectory = Next() },
                "--before" => options with { BeforeBuild = Path.GetFullPath(Next()) },
                "--hold" => options with { Hold = true },
                "--ab-turns" => options with { AbTurns = int.Parse(Next()) },
                "--ab-seconds" => options with { AbSeconds = int.Parse(Next()) },
                "--quick" => options with { DurationSeconds = 3, WarmupSeconds = 1, JitWarmupSeconds = 4, StreamSamples = 100, LatencyPairs = 300, Rounds = 1, AbTurns = 2 },
                _ => throw new ArgumentException(
                    $"unknown option {args[i]}; known: --duration S, --warmup S, --jit-warmup S, --connections N, --stream-samples N, --latency-pairs N, --rounds N, --only a,b, --results DIR, --before BUILD_DIR, --ab-turns N, --ab-seconds S, --hold, --quick"),
            };
        }

        return options;
    }

    public bool Runs(string contender) => Only.Count == 0 || Only.Contains(contender, StringComparer.OrdinalIgnoreCase);
}
