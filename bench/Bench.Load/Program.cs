using System.Globalization;
using Switchyard.Bench.Load;

// bench/run.sh builds everything and calls this with the repository root as the working directory.
var options = BenchOptions.Parse(args);
var repository = Directory.GetCurrentDirectory();
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;

await using var lab = await Lab.StartAsync(repository, options);
await Preflight.CheckAsync(lab);
if (options.Hold)
{
    await Hold.UntilStoppedAsync(lab, options);
    return;
}

var measurements = await new BenchRun(lab, options).RunAsync();
var report = Report.Write(measurements, options, lab);
Console.WriteLine(report.Markdown);
Console.WriteLine($"results written to {report.Path}");
