using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Switchyard.Bench.Load;

/// <summary>What one wrk run measured. Latencies in microseconds.</summary>
internal sealed record WrkResult(long Requests, double Seconds, long Non2xx, long SocketErrors, double P50, double P90, double P99, double Mean)
{
    public double RequestsPerSecond => Requests / Seconds;
}

/// <summary>
/// Drives a contender with wrk (one thread, as ENVIRONMENT.md measured it), POSTing the same body with the same
/// headers; a Lua <c>done</c> hook prints the summary as one JSON line, latencies exact to the microsecond.
/// </summary>
internal static class Wrk
{
    public static async Task<WrkResult> RunAsync(Endpoint endpoint, string body, int connections, int seconds, string workDirectory)
    {
        var script = await WriteScriptAsync(endpoint, body, workDirectory);
        var info = new ProcessStartInfo("wrk")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-t1", $"-c{connections}", $"-d{seconds}s", "--timeout", "10s", "-s", script, endpoint.Url })
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start wrk");
        var output = await process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        File.Delete(script);
        var line = output.Split('\n').LastOrDefault(l => l.StartsWith("{\"requests\"", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"wrk printed no summary (exit {process.ExitCode}): {output}{errors}");
        var json = JsonDocument.Parse(line).RootElement;
        return new WrkResult(
            json.GetProperty("requests").GetInt64(),
            json.GetProperty("duration_us").GetDouble() / 1e6,
            json.GetProperty("status").GetInt64(),
            json.GetProperty("connect").GetInt64() + json.GetProperty("read").GetInt64() + json.GetProperty("write").GetInt64() + json.GetProperty("timeout").GetInt64(),
            json.GetProperty("p50").GetDouble(),
            json.GetProperty("p90").GetDouble(),
            json.GetProperty("p99").GetDouble(),
            json.GetProperty("mean").GetDouble());
    }

    /// <summary>The Lua script that makes wrk send <paramref name="body"/> to <paramref name="endpoint"/>; returns its path.</summary>
    public static async Task<string> WriteScriptAsync(Endpoint endpoint, string body, string workDirectory)
    {
        var script = Path.Combine(workDirectory, $"wrk-{Guid.NewGuid():N}.lua");
        await File.WriteAllTextAsync(script, Script(endpoint, body));
        return script;
    }

    private static string Script(Endpoint endpoint, string body)
    {
        var lua = new StringBuilder();
        lua.AppendLine("wrk.method = \"POST\"");
        lua.Append("wrk.body = [==[").Append(body).AppendLine("]==]");
        lua.AppendLine("wrk.headers[\"Content-Type\"] = \"application/json\"");
        foreach (var (name, value) in endpoint.Headers)
        {
            lua.Append(CultureInfo.InvariantCulture, $"wrk.headers[\"{name}\"] = [==[{value}]==]").AppendLine();
        }

        lua.AppendLine("""
            done = function(summary, latency, requests)
              local e = summary.errors
              io.write(string.format('{"requests":%d,"duration_us":%d,"status":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,"p50":%d,"p90":%d,"p99":%d,"mean":%.2f}\n',
                summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
                latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean))
            end
            """);
        return lua.ToString();
    }
}
