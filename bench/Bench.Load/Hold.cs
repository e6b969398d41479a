using System.Runtime.InteropServices;

namespace Switchyard.Bench.Load;

/// <summary>
/// <c>--hold</c>: the lab keeps running with nothing measured, and prints for each contender its process id and the
/// wrk commands that load it exactly as the harness does, so one contender can be profiled by hand (e.g.
/// <c>perf record -g -p PID</c> with <c>DOTNET_PerfMapEnabled=1</c> set before <c>bench/run.sh</c>). Ctrl-C or SIGTERM
/// stops it all (a background job ignores SIGINT, so stop one with <c>kill -TERM</c>).
/// </summary>
internal static class Hold
{
    public static async Task UntilStoppedAsync(Lab lab, BenchOptions options)
    {
        foreach (var contender in lab.Contenders)
        {
            Console.WriteLine($"{contender.Name} ({contender.Description}){(contender.Process is { } process ? $", pid {process.Pid}" : "")}");
            foreach (var (kind, body) in new[] { (UpstreamKind.Completion, Payloads.ChatRequest), (UpstreamKind.Stream, Payloads.StreamRequest) })
            {
                var endpoint = contender.Route(kind);
                var script = await Wrk.WriteScriptAsync(endpoint, body, lab.WorkDirectory);
                Console.WriteLine($"  {kind.ToString().ToLowerInvariant(),-10} wrk -t1 -c{options.Connections} -d10s -s {script} {endpoint.Url}");
            }
        }

        Console.WriteLine("holding: Ctrl-C (or SIGTERM) stops every process");
        var stopped = new TaskCompletionSource();
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true; // let the lab stop its processes
            stopped.TrySetResult();
        }

        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        await stopped.Task;
    }
}
