using System.Diagnostics;
using Npgsql;

namespace Switchyard.Testing;

/// <summary>
/// A PostgreSQL server of a test's own (tests/start-postgres.sh on the first free port), so the test can stop and
/// start it under load without disturbing the server every other test shares.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private readonly Dictionary<string, string> _exports;

    private PrivatePostgres(Dictionary<string, string> exports) => _exports = exports;

    public string ConnectionString => _exports[PostgresTestDatabase.ServerVariable];

    private string DataDir => Path.Combine(_exports["SWITCHYARD_TEST_PGDIR"], "data");

    private int Port => new NpgsqlConnectionStringBuilder(ConnectionString).Port;

    public static async Task<PrivatePostgres> StartAsync()
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(Repository.Root, "tests", "start-postgres.sh")]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment.Remove("SWITCHYARD_TEST_PG_PORT");
        var output = await RunAsync(start);
        var exports = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => line.StartsWith("export ", StringComparison.Ordinal))
            .Select(line => line["export ".Length..].Split('=', 2))
            .ToDictionary(parts => parts[0], parts => parts[1].Trim('\''));
        // The shared test server trades durability for speed (fsync and synchronous commit off); this one is crashed on
        // purpose, so it runs durable: a commit it acknowledged survives the crash, as in production.
        var server = new PrivatePostgres(exports);
        await server.PgCtlAsync("-D", server.DataDir, "-m", "fast", "-w", "stop");
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Stops the server at once, without a shutdown checkpoint (connections are cut, as in a crash or a failover).</summary>
    public Task StopAsync() => PgCtlAsync("-D", DataDir, "-m", "immediate", "-w", "stop");

    public Task StartAgainAsync() => PgCtlAsync(
        "-D", DataDir, "-l", Path.Combine(_exports["SWITCHYARD_TEST_PGDIR"], "log"), "-w",
        "-o", $"-p {Port} -k {_exports["SWITCHYARD_TEST_PGDIR"]} -c listen_addresses=127.0.0.1 -c max_connections=300",
        "start");

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }

        Directory.Delete(_exports["SWITCHYARD_TEST_PGDIR"], recursive: true);
    }

    private Task PgCtlAsync(params string[] arguments)
    {
        var pgCtl = Path.Combine(_exports["SWITCHYARD_TEST_PGBIN"], "pg_ctl");
        var asRoot = Environment.UserName == "root";
        var start = asRoot
            ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", pgCtl, .. arguments])
            : new ProcessStartInfo(pgCtl, arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        return RunAsync(start);
    }

    private static async Task<string> RunAsync(ProcessStartInfo start)
    {
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{start.FileName} {string.Join(' ', start.ArgumentList)} exited {process.ExitCode}: {await stderr}");
        }

        return await stdout;
    }
}
