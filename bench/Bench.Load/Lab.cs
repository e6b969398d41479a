using System.Security.Cryptography;

namespace Switchyard.Bench.Load;

/// <summary>
/// Everything one run starts on loopback: the upstreams (nginx's fixed answers and the FakeProvider) and the contenders
/// (nginx as a proxy, the Portkey gateway, Switchyard plain, cached and governed). Stopped again however the run ends.
/// </summary>
internal sealed class Lab : IAsyncDisposable
{
    private readonly List<LabProcess> _processes = [];

    private Lab(string repository, string workDirectory)
    {
        Repository = repository;
        WorkDirectory = workDirectory;
    }

    public string Repository { get; }

    public string WorkDirectory { get; }

    public Upstreams Upstreams { get; private set; } = new(0, 0, 0);

    public List<Contender> Contenders { get; } = [];

    public static async Task<Lab> StartAsync(string repository, BenchOptions options)
    {
        var work = Directory.CreateTempSubdirectory("switchyard-bench-").FullName;
        var lab = new Lab(repository, work);
        try
        {
            await lab.StartAllAsync(options);
            return lab;
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    private async Task StartAllAsync(BenchOptions options)
    {
        var completion = LabProcess.FreePort();
        var stream = LabProcess.FreePort();
        _processes.Add(await Nginx.StartUpstreamAsync(WorkDirectory, completion, stream));
        var fakePort = LabProcess.FreePort();
        var fake = Track(LabProcess.Start("fakeprovider", "dotnet",
            [Path.Combine(Repository, "tests/FakeProvider/bin/Release/net10.0/Switchyard.FakeProvider.dll"), "--urls", $"http://127.0.0.1:{fakePort}"],
            WorkDirectory, WorkDirectory));
        await fake.WaitForPortAsync(fakePort, TimeSpan.FromSeconds(30));
        Upstreams = new Upstreams(completion, stream, fakePort);

        Contenders.Add(Contender.Direct(Upstreams));

        if (options.Runs("nginx"))
        {
            var ports = Enum.GetValues<UpstreamKind>().ToDictionary(kind => kind, _ => LabProcess.FreePort());
            var proxy = Track(await Nginx.StartProxyAsync(WorkDirectory,
                [.. ports.Select(p => (p.Value, Upstreams.Port(p.Key), p.Key != UpstreamKind.Completion))]));
            Contenders.Add(Contender.NginxProxy(proxy, ports));
        }

        if (options.Runs("portkey"))
        {
            Contenders.Add(await StartPortkeyAsync());
        }

        if (options.Runs("switchyard"))
        {
            Contenders.Add(await StartSwitchyardAsync("switchyard", "Switchyard, keyless (embedded default)", governed: false));
        }

        if (options.BeforeBuild is { } before)
        {
            Contenders.Add(await StartSwitchyardAsync("switchyard-before", $"Switchyard built from {before}, keyless", governed: false, bin: before));
        }

        if (options.Runs("switchyard-cached"))
        {
            Contenders.Add(await StartSwitchyardAsync(
                "switchyard-cached", "Switchyard, keyless, with the simple cache on: every request after the first is a hit", governed: false, cached: true));
        }

        if (options.Runs("switchyard-governed"))
        {
            Contenders.Add(await StartSwitchyardAsync("switchyard-governed", "Switchyard with an API key, budgets and rate limits", governed: true));
            if (options.Runs("switchyard-governed-unlogged"))
            {
                Contenders.Add(await StartSwitchyardAsync(
                    "switchyard-governed-unlogged", "Switchyard with an API key, budgets and rate limits, and the request log off", governed: true, logged: false));
            }

            if (options.BeforeBuild is { } beforeGoverned)
            {
                Contenders.Add(await StartSwitchyardAsync("switchyard-governed-before", $"Switchyard built from {beforeGoverned}, with an API key, budgets and rate limits", governed: true, bin: beforeGoverned));
            }
        }
    }

    private async Task<Contender> StartPortkeyAsync()
    {
        var package = Path.Combine(Repository, "bench/portkey");
        var port = LabProcess.FreePort();
        var portkey = Track(LabProcess.Start("portkey", "node",
            ["--require", Path.Combine(package, "loopback.cjs"), "build/start-server.js", $"--port={port}", "--headless"],
            WorkDirectory, WorkDirectory,
            new Dictionary<string, string> { ["NODE_ENV"] = "production" },
            workingDirectory: Path.Combine(package, "node_modules/@portkey-ai/gateway")));
        await portkey.WaitForPortAsync(port, TimeSpan.FromSeconds(60));
        return Contender.Gateway("portkey", "Portkey gateway 1.15.2 (npm, Node " + Environment.GetEnvironmentVariable("BENCH_NODE_VERSION") + ")", portkey, port, Upstreams);
    }

    private async Task<Contender> StartSwitchyardAsync(string name, string description, bool governed, string? bin = null, bool cached = false, bool logged = true)
    {
        var port = LabProcess.FreePort();
        bin ??= Path.Combine(Repository, "src/FrontDoor/bin/Release/net10.0");
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Switchyard__State__DataPath"] = Path.Combine(WorkDirectory, name, "switchyard.db"),
        };
        if (!logged)
        {
            environment["Switchyard__Logs__Enabled"] = "false";
        }

        KeyValuePair<string, string>[] headers = [];
        if (governed)
        {
            var apiKey = "sk-sy-" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            var bootstrap = Path.Combine(WorkDirectory, name + "-bootstrap.yaml");
            await File.WriteAllTextAsync(bootstrap, GovernedBootstrap);
            environment["SWITCHYARD_BOOTSTRAP_FILE"] = bootstrap;
            environment["BENCH_API_KEY"] = apiKey;
            headers = [new("x-portkey-api-key", apiKey)];
        }

        if (cached)
        {
            headers = [.. headers, new("x-portkey-config", """{"cache":{"mode":"simple","max_age":3600}}""")];
        }

        var process = Track(LabProcess.Start(name, "dotnet", [Path.Combine(bin, "Switchyard.FrontDoor.dll"), "--urls", $"http://127.0.0.1:{port}"],
            WorkDirectory, WorkDirectory, environment, workingDirectory: bin));
        await process.WaitForPortAsync(port, TimeSpan.FromSeconds(60));
        return Contender.Gateway(name, description, process, port, Upstreams, headers);
    }

    /// <summary>
    /// Limits at two levels, as a team runs it: the workspace and the key each have a monthly USD budget and request
    /// rate limits, the key a token rate limit too. They are high enough never to refuse, so every call pays for the
    /// checks and the settlement but none is turned away.
    /// </summary>
    private const string GovernedBootstrap = """
        workspaces:
          - slug: bench
            name: Benchmark
            usage_limits: {credit_limit: 1000000, periodic_reset: monthly}
            rate_limits: [{type: requests, unit: rpm, value: 1000000000}]
            api_keys:
              - name: bench
                key: ${BENCH_API_KEY}
                scopes: [completions.write]
                usage_limits: {credit_limit: 1000000, periodic_reset: monthly}
                rate_limits:
                  - {type: requests, unit: rpm, value: 1000000000}
                  - {type: tokens, unit: rpm, value: 1000000000000}
        """;

    private LabProcess Track(LabProcess process)
    {
        _processes.Add(process);
        return process;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in Enumerable.Reverse(_processes))
        {
            await process.DisposeAsync();
        }

        try
        {
            Directory.Delete(WorkDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
