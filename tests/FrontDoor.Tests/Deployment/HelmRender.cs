using System.Diagnostics;
using System.Text.RegularExpressions;
using YamlDotNet.Serialization;

namespace Switchyard.FrontDoor.Tests.Deployment;

/// <summary>
/// Builds tools/helm-render once (Go, from Debian's packages, offline: GOPATH mode over /usr/share/gocode) and runs it
/// on helm/switchyard, returning the rendered manifests parsed as YAML.
/// </summary>
internal static partial class HelmRender
{
    public static readonly string ChartDir = Path.Combine(Repository.Root, "helm", "switchyard");

    /// <summary>A valid master key (32 bytes of base64) used by the tests; never a real one.</summary>
    public const string MasterKey = "q0mXl0V7Yl0zQ2b1cY8mW6b4XWd3a0ZkS1pXbTJ5N3M=";
    public const string DatabaseUrl = "postgres://switchyard:db-pass-7f3a9c@db.example:5432/switchyard?sslmode=require";
    public const string AdminToken = "admin-token-5d1e8b2c9a";

    private static readonly Lazy<string?> GoPath = new(() => FindGo());
    private static readonly Lazy<Task<string>> Binary = new(BuildAsync);

    /// <summary>Why the renderer cannot run here (no go: test.sh installs it), or null when it can.</summary>
    public static string? Unavailable => GoPath.Value is null
        ? "go is not installed (test.sh installs golang-go golang-github-masterminds-sprig-dev golang-gopkg-yaml.v3-dev)"
        : null;

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public IReadOnlyList<Manifest> Manifests => ParseManifests(Stdout);
    }

    /// <summary>Runs the renderer with the arguments (flags; the chart directory is added) and asserts success.</summary>
    public static async Task<IReadOnlyList<Manifest>> RenderAsync(params string[] args)
    {
        var result = await RunAsync(args);
        Assert.True(result.ExitCode == 0, $"helm-render failed ({result.ExitCode}):\n{result.Stderr}");
        return result.Manifests;
    }

    /// <summary>The usual secret values on the command line.</summary>
    public static string[] WithSecrets(params string[] args) =>
    [
        "--set-string", "secret.databaseUrl=" + DatabaseUrl.Replace(",", "\\,", StringComparison.Ordinal),
        "--set-string", "secret.masterKey=" + MasterKey,
        "--set-string", "secret.adminToken=" + AdminToken,
        .. args,
    ];

    public static async Task<Result> RunAsync(params string[] args)
    {
        var binary = await Binary.Value;
        var start = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        start.ArgumentList.Add(ChartDir);
        return await RunProcessAsync(start);
    }

    private static async Task<string> BuildAsync()
    {
        var go = GoPath.Value ?? throw new InvalidOperationException(Unavailable);
        var work = Path.Combine(Path.GetTempPath(), "switchyard-helm-render");
        Directory.CreateDirectory(work);
        var output = Path.Combine(work, $"helm-render-{Environment.ProcessId}");
        var start = new ProcessStartInfo(go) { WorkingDirectory = Path.Combine(Repository.Root, "tools", "helm-render"), RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "build", "-o", output, "." })
        {
            start.ArgumentList.Add(a);
        }

        // Offline: GOPATH mode over Debian's Go sources (no module download), pure Go.
        start.Environment["GO111MODULE"] = "off";
        start.Environment["GOPATH"] = Path.Combine(work, "gopath") + ":/usr/share/gocode";
        start.Environment["GOCACHE"] = Path.Combine(work, "gocache");
        start.Environment["GOFLAGS"] = "";
        start.Environment["GOPROXY"] = "off";
        start.Environment["CGO_ENABLED"] = "0";
        var result = await RunProcessAsync(start);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"go build of tools/helm-render failed:\n{result.Stderr}{result.Stdout}");
        }

        // The binary is per test process; the Go build cache beside it is kept, so the next build is quick.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(output);
        return output;
    }

    private static async Task<Result> RunProcessAsync(ProcessStartInfo start)
    {
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    private static string? FindGo()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/lib/go/bin").Append("/usr/local/go/bin"))
        {
            var candidate = Path.Combine(dir, "go");
            if (dir.Length > 0 && File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static IReadOnlyList<Manifest> ParseManifests(string output)
    {
        var deserializer = new DeserializerBuilder().Build();
        var manifests = new List<Manifest>();
        foreach (var doc in DocumentSeparator().Split(output))
        {
            var source = SourceLine().Match(doc);
            if (!source.Success)
            {
                continue;
            }

            var root = deserializer.Deserialize<Dictionary<object, object?>>(doc);
            manifests.Add(new Manifest(source.Groups[1].Value, new Node(root), doc));
        }

        return manifests;
    }

    [GeneratedRegex(@"^---\s*$", RegexOptions.Multiline)]
    private static partial Regex DocumentSeparator();

    [GeneratedRegex(@"^# Source: (\S+)$", RegexOptions.Multiline)]
    private static partial Regex SourceLine();
}

/// <summary>One rendered document: its template, parsed YAML and text.</summary>
internal sealed record Manifest(string Source, Node Root, string Text)
{
    public string Kind => Root["kind"].String;
    public string ApiVersion => Root["apiVersion"].String;
    public string Name => Root["metadata"]["name"].String;
    public Node Annotations => Root["metadata"]["annotations"];
    public bool IsHook => Annotations.Has("helm.sh/hook");

    public override string ToString() => $"{Kind}/{Name} ({Source})";
}

/// <summary>A YAML node with terse navigation; a missing key gives a missing node (<see cref="Exists"/> false).</summary>
internal sealed class Node(object? value)
{
    public object? Value { get; } = value;
    public bool Exists => Value is not null;

    public Node this[string key] => Value is IDictionary<object, object?> map && map.TryGetValue(key, out var v) ? new Node(v) : new Node(null);

    public bool Has(string key) => Value is IDictionary<object, object?> map && map.ContainsKey(key);

    public string String => Value as string ?? throw new InvalidOperationException($"not a scalar: {Value ?? "(missing)"}");

    public int Int => int.Parse(String, System.Globalization.CultureInfo.InvariantCulture);

    public IReadOnlyList<Node> Items => Value is IList<object?> list ? [.. list.Select(v => new Node(v))] : [];

    public IReadOnlyDictionary<string, string> StringMap => Value is IDictionary<object, object?> map
        ? map.ToDictionary(kv => (string)kv.Key, kv => kv.Value as string ?? "")
        : [];

    public IEnumerable<string> Keys => Value is IDictionary<object, object?> map ? map.Keys.Cast<string>() : [];

    public override string ToString() => Value?.ToString() ?? "(missing)";
}

/// <summary>A fact that runs only where the renderer can be built (Go installed; test.sh installs it).</summary>
internal sealed class HelmFactAttribute : FactAttribute
{
    public HelmFactAttribute()
    {
        if (HelmRender.Unavailable is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>A theory that runs only where the renderer can be built.</summary>
internal sealed class HelmTheoryAttribute : TheoryAttribute
{
    public HelmTheoryAttribute()
    {
        if (HelmRender.Unavailable is { } reason)
        {
            Skip = reason;
        }
    }
}
