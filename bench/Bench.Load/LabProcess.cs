using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Switchyard.Bench.Load;

/// <summary>
/// A server the harness started (an upstream or a contender): its output goes to a log file, and its CPU time and
/// peak memory are read from /proc, summed over the process and its children (nginx's worker, for one).
/// </summary>
internal sealed class LabProcess : IAsyncDisposable
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux
    private readonly Process _process;

    private LabProcess(string name, Process process, string logPath)
    {
        Name = name;
        _process = process;
        LogPath = logPath;
    }

    public string Name { get; }

    public string LogPath { get; }

    public int Pid => _process.Id;

    public static LabProcess Start(string name, string fileName, IEnumerable<string> arguments, string workDirectory, string logDirectory,
        IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? workDirectory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var logPath = Path.Combine(logDirectory, name + ".log");
        var log = new StreamWriter(logPath) { AutoFlush = true };
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {fileName}");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new LabProcess(name, process, logPath);
    }

    /// <summary>Waits until the port accepts connections; a process that exits first fails with its log's tail.</summary>
    public async Task WaitForPortAsync(int port, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with {_process.ExitCode} before listening; see {LogPath}:\n{Tail()}");
            }

            try
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new TimeoutException($"{Name} did not listen on {port} within {timeout.TotalSeconds} s; see {LogPath}:\n{Tail()}");
    }

    /// <summary>User plus system CPU seconds used so far by the process and its descendants.</summary>
    public double CpuSeconds() => Family().Sum(pid => ReadCpuTicks(pid)) / TicksPerSecond;

    /// <summary>Peak resident memory (VmHWM) in MiB, summed over the process and its descendants.</summary>
    public double PeakRssMiB() => Family().Sum(pid => ReadStatusKiB(pid, "VmHWM:")) / 1024.0;

    /// <summary>Resident memory now (VmRSS) in MiB, summed over the process and its descendants.</summary>
    public double RssMiB() => Family().Sum(pid => ReadStatusKiB(pid, "VmRSS:")) / 1024.0;

    private IEnumerable<int> Family()
    {
        var pending = new Stack<int>([_process.Id]);
        while (pending.Count > 0)
        {
            var pid = pending.Pop();
            yield return pid;
            foreach (var child in Children(pid))
            {
                pending.Push(child);
            }
        }
    }

    private static IEnumerable<int> Children(int pid)
    {
        var children = new List<int>();
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                var text = File.ReadAllText(Path.Combine(task, "children"));
                children.AddRange(text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse));
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return children;
    }

    private static long ReadCpuTicks(int pid)
    {
        try
        {
            // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11]) + long.Parse(fields[12]);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static long ReadStatusKiB(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    return long.Parse(line[field.Length..].Trim().Split(' ')[0]);
                }
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }

    private string Tail() => File.Exists(LogPath) ? string.Join('\n', File.ReadLines(LogPath).TakeLast(20)) : "";

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process.HasExited)
        {
            _process.Dispose();
            return;
        }

        // SIGTERM first (Kestrel and nginx shut down cleanly), then kill what is left.
        Process.Start("kill", ["-TERM", _process.Id.ToString()])?.WaitForExit();
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
