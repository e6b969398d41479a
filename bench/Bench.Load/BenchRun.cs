namespace Switchyard.Bench.Load;

/// <summary>
/// The scenarios, each run for every contender in turn against the same upstream: chat at 50 connections and at 1,
/// streams at 50 connections, and the time to the first token over sequential streams (with and without upstream
/// latency).
/// </summary>
internal sealed class BenchRun(Lab lab, BenchOptions options)
{
    /// <summary>The FakeProvider's fixed upstream latency for the second first-token probe, in milliseconds.</summary>
    public const int UpstreamLatencyMs = 20;

    public async Task<Measurements> RunAsync()
    {
        var measurements = new Measurements();
        foreach (var contender in lab.Contenders.Where(c => c.Process is not null))
        {
            Log($"{contender.Name}: warming up for {options.JitWarmupSeconds} s");
            await Wrk.RunAsync(contender.Route(UpstreamKind.Completion), Payloads.ChatRequest, options.Connections, (options.JitWarmupSeconds + 1) / 2, lab.WorkDirectory);
            await Wrk.RunAsync(contender.Route(UpstreamKind.Stream), Payloads.StreamRequest, options.Connections, (options.JitWarmupSeconds + 1) / 2, lab.WorkDirectory);
        }

        for (var round = 1; round <= options.Rounds; round++)
        {
            foreach (var contender in lab.Contenders)
            {
                Log($"{contender.Name}: chat, {options.Connections} connections, round {round} of {options.Rounds}");
                measurements.ChatRounds.Add(await ThroughputAsync(contender, UpstreamKind.Completion, Payloads.ChatRequest, options.Connections));
            }
        }

        foreach (var contender in lab.Contenders)
        {
            var rounds = measurements.ChatRounds.Where(r => r.Contender == contender.Name).OrderBy(r => r.Wrk.RequestsPerSecond).ToList();
            measurements.Chat.Add(rounds[rounds.Count / 2]);
        }

        foreach (var contender in lab.Contenders)
        {
            Log($"{contender.Name}: chat, 1 connection");
            measurements.ChatOneConnection.Add(await ThroughputAsync(contender, UpstreamKind.Completion, Payloads.ChatRequest, 1));
        }

        var direct = lab.Contenders.Single(c => c.Name == "direct").Route(UpstreamKind.Completion);
        foreach (var contender in lab.Contenders.Where(c => c.Process is not null))
        {
            Log($"{contender.Name}: added latency, {options.LatencyPairs} request pairs");
            measurements.AddedLatency.Add(new LatencyRow(contender.Name,
                await LatencyProbe.RunAsync(direct, contender.Route(UpstreamKind.Completion), Payloads.ChatRequest, contender.Name == "portkey" ? options.LatencyPairs / 4 : options.LatencyPairs)));
        }

        foreach (var contender in lab.Contenders)
        {
            Log($"{contender.Name}: streams, {options.Connections} connections");
            measurements.Streams.Add(await ThroughputAsync(contender, UpstreamKind.Stream, Payloads.StreamRequest, options.Connections));
        }

        foreach (var contender in lab.Contenders)
        {
            Log($"{contender.Name}: time to first token");
            measurements.FirstToken.Add(new StreamRow(contender.Name,
                await StreamProbe.RunAsync(contender.Route(UpstreamKind.FakeProvider), Payloads.StreamRequest, options.StreamSamples)));
            Log($"{contender.Name}: time to first token, {UpstreamLatencyMs} ms upstream latency");
            measurements.FirstTokenWithLatency.Add(new StreamRow(contender.Name,
                await StreamProbe.RunAsync(WithUpstreamLatency(contender.Route(UpstreamKind.FakeProvider)), Payloads.StreamRequest, options.StreamSamples / 4)));
        }

        foreach (var (scenario, after, before, upstream, body) in new[]
                 {
                     ("chat, keyless", "switchyard", "switchyard-before", UpstreamKind.Completion, Payloads.ChatRequest),
                     ("chat, with key, budgets, rate limits", "switchyard-governed", "switchyard-governed-before", UpstreamKind.Completion, Payloads.ChatRequest),
                     ("streams, keyless", "switchyard", "switchyard-before", UpstreamKind.Stream, Payloads.StreamRequest),
                     ("chat, with key, budgets, rate limits: request log on (bodies full) against off", "switchyard-governed", "switchyard-governed-unlogged", UpstreamKind.Completion, Payloads.ChatRequest),
                 })
        {
            if (lab.Contenders.FirstOrDefault(c => c.Name == after) is { } a && lab.Contenders.FirstOrDefault(c => c.Name == before) is { } b)
            {
                Log($"{after} against {before}: {scenario}, {options.AbTurns} interleaved turns of {options.AbSeconds} s each");
                measurements.Interleaved.Add(await InterleaveAsync(scenario, a, b, upstream, body));
            }
        }

        foreach (var contender in lab.Contenders.Where(c => c.Process is not null))
        {
            measurements.PeakRssMB[contender.Name] = contender.Process!.PeakRssMiB() * 1024 * 1024 / 1e6;
        }

        return measurements;
    }

    /// <summary>Asks the FakeProvider for a fixed latency; gateways forward the header because the request names it.</summary>
    public static Endpoint WithUpstreamLatency(Endpoint endpoint) => endpoint with
    {
        Headers = [.. endpoint.Headers, new("x-fake-fault", $"latency={UpstreamLatencyMs}"), new("x-portkey-forward-headers", "x-fake-fault")],
    };

    private async Task<ThroughputRow> ThroughputAsync(Contender contender, UpstreamKind upstream, string body, int connections)
    {
        var endpoint = contender.Route(upstream);
        await Wrk.RunAsync(endpoint, body, connections, options.WarmupSeconds, lab.WorkDirectory);
        var cpuBefore = contender.Process?.CpuSeconds();
        var result = await Wrk.RunAsync(endpoint, body, connections, options.DurationSeconds, lab.WorkDirectory);
        var cpu = contender.Process is { } process ? (process.CpuSeconds() - cpuBefore!.Value) / result.Seconds : (double?)null;
        var rss = contender.Process?.PeakRssMiB() * 1024 * 1024 / 1e6;
        if (result.Non2xx > 0 || result.SocketErrors > 0)
        {
            Log($"  {contender.Name}: {result.Non2xx} non-2xx answers and {result.SocketErrors} socket errors");
        }

        await Task.Delay(500);
        return new ThroughputRow(contender.Name, result, cpu, rss);
    }

    /// <summary>The two builds take turns under the same load; each side's requests, CPU and time are summed over its turns.</summary>
    private async Task<InterleavedRow> InterleaveAsync(string scenario, Contender after, Contender before, UpstreamKind upstream, string body)
    {
        var totals = new Dictionary<Contender, TurnTotals> { [after] = new(0, 0, 0), [before] = new(0, 0, 0) };
        for (var turn = 0; turn < options.AbTurns; turn++)
        {
            foreach (var contender in new[] { after, before })
            {
                var cpuBefore = contender.Process!.CpuSeconds();
                var run = await Wrk.RunAsync(contender.Route(upstream), body, options.Connections, options.AbSeconds, lab.WorkDirectory);
                totals[contender] = totals[contender].Add(run, contender.Process.CpuSeconds() - cpuBefore);
            }
        }

        return new InterleavedRow(scenario, after.Name, before.Name, options.AbTurns, totals[after], totals[before]);
    }

    private static void Log(string message) => Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {message}");
}
