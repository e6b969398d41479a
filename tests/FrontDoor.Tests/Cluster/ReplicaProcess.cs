using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;

namespace Switchyard.FrontDoor.Tests.Cluster;

/// <summary>
/// One process of the cluster as its own operating-system process: a front door (the built
/// <c>Switchyard.FrontDoor.dll</c>) or a silo (<c>src/Silo</c>'s build output), so a test can kill it with SIGKILL, freeze it
/// with SIGSTOP or stop it with SIGTERM like an orchestrator would. Each gets Orleans ports of its own.
/// </summary>
public sealed class ReplicaProcess : IAsyncDisposable
{
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly StringBuilder _output = new();
    private readonly bool _silo;
    private Process? _process;

    public ReplicaProcess(string name, IReadOnlyDictionary<string, string> environment, bool silo = false)
    {
        Name = name;
        _environment = environment;
        _silo = silo;
        Port = ListeningPorts.Next();
        SiloPort = ListeningPorts.Next();
        GatewayPort = ListeningPorts.Next();
        Client = NewClient(Port);
    }

    public string Name { get; }

    public int Port { get; private set; }

    /// <summary>The Orleans silo port (silos and co-hosting front doors listen on it).</summary>
    public int SiloPort { get; private set; }

    private int GatewayPort { get; set; }

    public HttpClient Client { get; private set; }

    public bool HasExited => _process is null || _process.HasExited;

    public int? ExitCode => _process is { HasExited: true } p ? p.ExitCode : null;

    /// <summary>What the process wrote so far (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts the process and waits until it is ready. Should another program bind one of its ports first (the ports are
    /// only checked free when chosen), it starts again once on new ones.
    /// </summary>
    public async Task StartAsync()
    {
        try
        {
            await StartOnceAsync();
        }
        catch (InvalidOperationException) when (HasExited && Output.Contains("address already in use", StringComparison.Ordinal))
        {
            Port = ListeningPorts.Next();
            SiloPort = ListeningPorts.Next();
            GatewayPort = ListeningPorts.Next();
            Client.Dispose();
            Client = NewClient(Port);
            lock (_output)
            {
                _output.Clear();
            }

            _process?.Dispose();
            await StartOnceAsync();
        }
    }

    private async Task StartOnceAsync()
    {
        var folder = _silo ? SiloFolder() : AppContext.BaseDirectory;
        var dll = Path.Combine(folder, _silo ? "Switchyard.Silo.dll" : "Switchyard.FrontDoor.dll");
        var start = new ProcessStartInfo("dotnet", [dll, "--urls", $"http://127.0.0.1:{Port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = folder,
        };
        foreach (var (name, value) in _environment)
        {
            start.Environment[name] = value;
        }

        // Every process on this machine is a silo of its own (co-host mode): each needs its own Orleans ports.
        start.Environment["Switchyard__Cluster__SiloPort"] = SiloPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["Switchyard__Cluster__GatewayPort"] = GatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture);

        _process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitReadyAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>Waits until <c>/ready</c> answers 200, failing with the process's output if it exits or takes too long.</summary>
    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        var ready = await Eventually.TryUntilAsync(
            async () =>
            {
                if (HasExited)
                {
                    throw new InvalidOperationException($"replica {Name} exited with {ExitCode}:\n{Output}");
                }

                try
                {
                    using var answer = await Client.GetAsync("/ready");
                    return answer.StatusCode == HttpStatusCode.OK;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            },
            timeout,
            TimeSpan.FromMilliseconds(50));
        if (!ready)
        {
            throw new TimeoutException($"replica {Name} was not ready in {timeout}:\n{Output}");
        }
    }

    /// <summary>SIGKILL: the process dies at once, nothing is flushed or returned.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill();
            await p.WaitForExitAsync();
        }
    }

    /// <summary>SIGSTOP: the process freezes (a stalled VM, a GC pause without end) with its connections open.</summary>
    public void Freeze() => Signal(19);

    /// <summary>SIGCONT: a frozen process runs on.</summary>
    public void Thaw() => Signal(18);

    private void Signal(int signal)
    {
        if (_process is { HasExited: false } p && SendSignal(p.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({signal}) failed for {Name}");
        }
    }

    /// <summary>SIGTERM, as Kubernetes sends before a pod goes: the replica drains and exits on its own.</summary>
    public void Terminate()
    {
        if (_process is { HasExited: false } p && SendSignal(p.Id, 15) != 0)
        {
            throw new InvalidOperationException($"kill(SIGTERM) failed for replica {Name}");
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process!.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        Client.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    /// <summary>The silo host's build output, beside this test assembly's configuration (test.sh builds the whole solution first).</summary>
    private static string SiloFolder()
    {
        var here = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        var framework = Path.GetFileName(here);
        var configuration = Path.GetFileName(Path.GetDirectoryName(here)!);
        var folder = Path.Combine(Repository.Root, "src", "Silo", "bin", configuration, framework);
        return File.Exists(Path.Combine(folder, "Switchyard.Silo.dll"))
            ? folder
            : throw new InvalidOperationException($"the silo is not built at {folder}: build the solution first (test.sh does)");
    }

    private static HttpClient NewClient(int port) =>
        new() { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
