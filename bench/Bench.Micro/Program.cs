using BenchmarkDotNet.Running;

// BenchmarkDotNet's default toolchain looks for "<assembly name>.csproj", but Directory.Build.props names this
// project's assembly Switchyard.Bench.Micro, so benchmarks run in this process (its InProcessEmit toolchain) instead.
var arguments = args.Contains("--inProcess", StringComparer.OrdinalIgnoreCase) ? args : [.. args, "--inProcess"];
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(arguments);
