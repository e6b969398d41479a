using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Switchyard.Bench.Load;

/// <summary>Writes one run's tables and where each target stands, as markdown (and the raw numbers as JSON).</summary>
internal static class Report
{
    public static (string Markdown, string Path) Write(Measurements m, BenchOptions options, Lab lab)
    {
        var md = new StringBuilder();
        var now = DateTime.UtcNow;
        md.AppendLine(CultureInfo.InvariantCulture, $"# Load benchmark, {now:yyyy-MM-dd HH:mm} UTC");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"- Commit: {Command("git", "-C", lab.Repository, "describe", "--always", "--dirty")}");
        md.AppendLine(CultureInfo.InvariantCulture, $"- Machine: {Environment.ProcessorCount} cores ({CpuModel()}), {RuntimeInformation.OSDescription}; everything on the same cores");
        md.AppendLine(CultureInfo.InvariantCulture, $"- .NET {Environment.Version}, {Command(Nginx.Binary, "-v")}, {Command("wrk", "-v").Split('\n')[0]}, Node {Command("node", "-v")}");
        md.AppendLine(CultureInfo.InvariantCulture, $"- wrk: 1 thread, {options.WarmupSeconds} s warm-up then {options.DurationSeconds} s measured per row; streams probed {options.StreamSamples} times one after another");
        md.AppendLine("- Contenders:");
        foreach (var contender in lab.Contenders)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"  - `{contender.Name}`: {contender.Description}");
        }

        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"## Chat completions, {options.Connections} connections (upstream: nginx `return 200`, {Encoding.UTF8.GetByteCount(Payloads.Completion)} B)");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Each contender's median of {options.Rounds} rounds; every round ran every contender once, in turn. All rounds (req/s):");
        md.AppendLine();
        foreach (var name in m.Chat.Select(r => r.Contender))
        {
            var rounds = m.ChatRounds.Where(r => r.Contender == name).Select(r => r.Wrk.RequestsPerSecond.ToString("N0", CultureInfo.InvariantCulture));
            md.AppendLine(CultureInfo.InvariantCulture, $"- `{name}`: {string.Join(", ", rounds)}");
        }

        ThroughputTable(md, m.Chat, "req/s");
        md.AppendLine("## Chat completions, 1 connection (wrk)");
        LatencyTable(md, m.ChatOneConnection);
        md.AppendLine("## Added latency, 1 connection (requests alternate: direct, then through the contender)");
        AddedLatencyTable(md, m.AddedLatency);
        md.AppendLine(CultureInfo.InvariantCulture, $"## Streams, {options.Connections} connections (upstream: nginx, {Payloads.StreamWords + 3} events per stream)");
        ThroughputTable(md, m.Streams, "streams/s");
        md.AppendLine("## Time to first token, 1 connection (upstream: FakeProvider, no latency)");
        FirstTokenTable(md, m.FirstToken);
        md.AppendLine(CultureInfo.InvariantCulture, $"## Time to first token, 1 connection (upstream: FakeProvider, {BenchRun.UpstreamLatencyMs} ms latency)");
        FirstTokenTable(md, m.FirstTokenWithLatency);
        md.AppendLine("## Targets");
        Targets(md, m);
        if (lab.Contenders.Any(c => c.Name == "switchyard-before"))
        {
            md.AppendLine("## This build against the one before (`switchyard` / `switchyard-before`)");
            BeforeAndAfter(md, m);
        }

        Interleaved(md, m);

        var directory = System.IO.Path.Combine(lab.Repository, options.ResultsDirectory);
        Directory.CreateDirectory(directory);
        var stem = System.IO.Path.Combine(directory, $"{now:yyyyMMdd-HHmmss}");
        File.WriteAllText(stem + ".md", md.ToString());
        File.WriteAllText(stem + ".json", JsonSerializer.Serialize(m, new JsonSerializerOptions { WriteIndented = true }));
        return (md.ToString(), stem + ".md");
    }

    private static void ThroughputTable(StringBuilder md, List<ThroughputRow> rows, string unit)
    {
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"| contender | {unit} | p50 ms | p90 ms | p99 ms | errors | CPU (cores) | CPU µs per request | peak RSS MB |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var row in rows)
        {
            var w = row.Wrk;
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {row.Contender} | {w.RequestsPerSecond:N0} | {Ms(w.P50)} | {Ms(w.P90)} | {Ms(w.P99)} | {w.Non2xx + w.SocketErrors} | {Opt(row.CpuCores, "0.00")} | {Opt(row.CpuCores * 1e6 / w.RequestsPerSecond, "0")} | {Opt(row.PeakRssMB, "0")} |");
        }

        md.AppendLine();
    }

    private static void LatencyTable(StringBuilder md, List<ThroughputRow> rows)
    {
        md.AppendLine();
        md.AppendLine("| contender | req/s | p50 ms | p90 ms | p99 ms |");
        md.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var row in rows)
        {
            var w = row.Wrk;
            md.AppendLine(CultureInfo.InvariantCulture, $"| {row.Contender} | {w.RequestsPerSecond:N0} | {Ms(w.P50)} | {Ms(w.P90)} | {Ms(w.P99)} |");
        }

        md.AppendLine();
    }

    private static void AddedLatencyTable(StringBuilder md, List<LatencyRow> rows)
    {
        md.AppendLine();
        md.AppendLine("| contender | pairs | direct p50 ms | direct p99 ms | through it p50 ms | p99 ms | added p50 ms | added p99 ms | own overhead p50 ms | p99 ms |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (name, r) in rows.Select(r => (r.Contender, r.Result)))
        {
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {name} | {r.Pairs} | {r.DirectP50:0.000} | {r.DirectP99:0.000} | {r.P50:0.000} | {r.P99:0.000} | {r.AddedP50:0.000} | {r.AddedP99:0.000} | {Opt(r.OverheadP50, "0.000")} | {Opt(r.OverheadP99, "0.000")} |");
        }

        md.AppendLine();
    }

    private static void FirstTokenTable(StringBuilder md, List<StreamRow> rows)
    {
        var direct = rows.FirstOrDefault(r => r.Contender == "direct")?.Result;
        md.AppendLine();
        md.AppendLine("| contender | streams | TTFT p50 ms | p90 ms | p99 ms | added p50 ms | added p99 ms | whole stream p50 ms | failures |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (name, r) in rows.Select(r => (r.Contender, r.Result)))
        {
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {name} | {r.Streams} | {r.TtftP50:0.000} | {r.TtftP90:0.000} | {r.TtftP99:0.000} | {(direct is null ? "" : (r.TtftP50 - direct.TtftP50).ToString("0.000", CultureInfo.InvariantCulture))} | {(direct is null ? "" : (r.TtftP99 - direct.TtftP99).ToString("0.000", CultureInfo.InvariantCulture))} | {r.TotalP50:0.000} | {r.Failures} |");
        }

        md.AppendLine();
    }

    private static void Targets(StringBuilder md, Measurements m)
    {
        LatencyResult? Paired(string name) => m.AddedLatency.FirstOrDefault(r => r.Contender == name)?.Result;
        StreamResult? FirstToken(string name) => m.FirstToken.FirstOrDefault(r => r.Contender == name)?.Result;

        md.AppendLine();
        md.AppendLine("| target | measured | met |");
        md.AppendLine("|---|---:|:---:|");
        Ratio(md, "chat throughput ≥ 25× the Portkey gateway's", m, "switchyard", "portkey", 25);
        Ratio(md, "chat throughput ≥ 0.5× nginx's", m, "switchyard", "nginx", 0.5);
        Ratio(md, "chat throughput with key, budgets, rate limits ≥ 0.4× nginx's", m, "switchyard-governed", "nginx", 0.4);
        Added(md, "added latency at 1 connection, p50 ≤ 0.2 ms", Paired("switchyard")?.P50, Paired("switchyard")?.DirectP50, 0.2);
        Added(md, "added latency at 1 connection, p99 ≤ 1 ms", Paired("switchyard")?.P99, Paired("switchyard")?.DirectP99, 1);
        Added(md, "time to first token within 1 ms of direct (p50)", FirstToken("switchyard")?.TtftP50, FirstToken("direct")?.TtftP50, 1);
        var rss = m.PeakRssMB.TryGetValue("switchyard", out var value) ? value : (double?)null;
        md.AppendLine(CultureInfo.InvariantCulture, $"| peak memory at {50} connections ≤ 200 MB RSS | {Opt(rss, "0")} MB | {Met(rss <= 200)} |");
        if (m.PeakRssMB.TryGetValue("switchyard-governed", out var governed))
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| (with key, budgets, rate limits) | {governed:0} MB | {Met(governed <= 200)} |");
        }

        md.AppendLine();
    }

    private static void Interleaved(StringBuilder md, Measurements m)
    {
        if (m.Interleaved.Count == 0)
        {
            return;
        }

        md.AppendLine("## Interleaved pairs");
        md.AppendLine();
        md.AppendLine("The two contenders of each pair (\"after\" is this build, or the request log on; \"before\" the build before, or");
        md.AppendLine("the log off) took turns under the same load, and each side's CPU and requests are summed over its turns, so both");
        md.AppendLine("saw the same minutes of the machine (trust these over the rows above for differences under about 10%):");
        md.AppendLine();
        md.AppendLine("| scenario | turns | before, CPU µs per request | after | after / before | req/s after / before |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var row in m.Interleaved)
        {
            var (after, before) = (row.AfterTotals, row.BeforeTotals);
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {row.Scenario} | {row.Turns} × {after.Seconds / row.Turns:0} s | {before.CpuMicrosPerRequest:0} | {after.CpuMicrosPerRequest:0} | {after.CpuMicrosPerRequest / before.CpuMicrosPerRequest:0.00}× | {after.RequestsPerSecond / before.RequestsPerSecond:0.00}× |");
        }

        md.AppendLine();
    }

    private static void BeforeAndAfter(StringBuilder md, Measurements m)
    {
        static string Row(string what, double? after, double? before, string format) =>
            $"| {what} | {Opt(before, format)} | {Opt(after, format)} | {Opt(after / before, "0.00")}× |";

        double? Rps(List<ThroughputRow> rows, string name) => rows.FirstOrDefault(r => r.Contender == name)?.Wrk.RequestsPerSecond;
        double? Cpu(List<ThroughputRow> rows, string name) => rows.FirstOrDefault(r => r.Contender == name) is { CpuCores: { } cores } row
            ? cores * 1e6 / row.Wrk.RequestsPerSecond
            : null;
        LatencyResult? Paired(string name) => m.AddedLatency.FirstOrDefault(r => r.Contender == name)?.Result;
        double? Ttft(string name) => m.FirstToken.FirstOrDefault(r => r.Contender == name)?.Result.TtftP50;

        md.AppendLine();
        md.AppendLine("| measure | before | after | after / before |");
        md.AppendLine("|---|---:|---:|---:|");
        md.AppendLine(CultureInfo.InvariantCulture, $"{Row("chat req/s, 50 connections", Rps(m.Chat, "switchyard"), Rps(m.Chat, "switchyard-before"), "N0")}");
        md.AppendLine(CultureInfo.InvariantCulture, $"{Row("CPU µs per chat request, 50 connections", Cpu(m.Chat, "switchyard"), Cpu(m.Chat, "switchyard-before"), "0")}");
        md.AppendLine(CultureInfo.InvariantCulture, $"{Row("chat req/s, 50 connections, with key, budgets, rate limits", Rps(m.Chat, "switchyard-governed"), Rps(m.Chat, "switchyard-governed-before"), "N0")}");
        md.AppendLine(CultureInfo.InvariantCulture, $"{Row("CPU µs per chat request, the same", Cpu(m.Chat, "switchyard-governed"), Cpu(m.Chat, "switchyard-governed-before"), "0")}");
        md.AppendLine(CultureInfo.InvariantCulture, $"{Row("added latency p50 ms, 1 connection", Paired("switchyard")?.AddedP50, Paired("switchyard-before")?.AddedP50, "0.000")}");
        md.AppendLine(CultureInfo.InvariantCulture, $"{Row("added latency p99 ms, 1 connection", Paired("switchyard")?.AddedP99, Paired("switchyard-before")?.AddedP99, "0.000")}");
        md.AppendLine(CultureInfo.InvariantCulture, $"{Row("own overhead p50 ms (x-switchyard-overhead-ms)", Paired("switchyard")?.OverheadP50, Paired("switchyard-before")?.OverheadP50, "0.000")}");
        md.AppendLine(CultureInfo.InvariantCulture, $"{Row("streams/s, 50 connections", Rps(m.Streams, "switchyard"), Rps(m.Streams, "switchyard-before"), "N0")}");
        md.AppendLine(CultureInfo.InvariantCulture, $"{Row("TTFT p50 ms", Ttft("switchyard"), Ttft("switchyard-before"), "0.000")}");
        var after = m.PeakRssMB.TryGetValue("switchyard", out var a) ? a : (double?)null;
        var before = m.PeakRssMB.TryGetValue("switchyard-before", out var b) ? b : (double?)null;
        md.AppendLine(CultureInfo.InvariantCulture, $"{Row("peak RSS MB", after, before, "0")}");
        md.AppendLine();
    }

    /// <summary>
    /// A throughput target: the median over rounds of the two contenders' ratio within each round (they ran seconds
    /// apart, so they saw the same state of the VM), with every round's ratio shown.
    /// </summary>
    private static void Ratio(StringBuilder md, string target, Measurements m, string contender, string baseline, double goal)
    {
        var ratios = RoundRatios(m, contender, baseline);
        double? median = ratios.Count == 0 ? null : ratios.Order().ElementAt(ratios.Count / 2);
        var rounds = ratios.Count > 1 ? $" (rounds: {string.Join(", ", ratios.Select(r => r.ToString("0.00", CultureInfo.InvariantCulture)))})" : "";
        md.AppendLine(CultureInfo.InvariantCulture, $"| {target} | {Opt(median, "0.00")}×{rounds} | {Met(median >= goal)} |");
    }

    /// <summary>The contender's throughput over the baseline's, round by round.</summary>
    internal static List<double> RoundRatios(Measurements m, string contender, string baseline)
    {
        double[] Rounds(string name) => [.. m.ChatRounds.Where(r => r.Contender == name).Select(r => r.Wrk.RequestsPerSecond)];
        return [.. Rounds(contender).Zip(Rounds(baseline), (a, b) => a / b)];
    }

    private static void Added(StringBuilder md, string target, double? value, double? baseline, double goal)
    {
        var added = value - baseline;
        md.AppendLine(CultureInfo.InvariantCulture, $"| {target} | {Opt(added, "0.000")} ms | {Met(added <= goal)} |");
    }

    private static string Met(bool? met) => met switch { true => "yes", false => "**no**", null => "not run" };

    private static string Ms(double microseconds) => (microseconds / 1000).ToString("0.000", CultureInfo.InvariantCulture);

    private static string Opt(double? value, string format) => value?.ToString(format, CultureInfo.InvariantCulture) ?? "";

    private static string CpuModel()
    {
        var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
        return line is null ? "unknown CPU" : line[(line.IndexOf(':') + 1)..].Trim();
    }

    private static string Command(string file, params string[] arguments)
    {
        try
        {
            var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in arguments)
            {
                info.ArgumentList.Add(argument);
            }

            using var process = Process.Start(info)!;
            var text = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            return text.Trim();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return $"{file} not found";
        }
    }
}
