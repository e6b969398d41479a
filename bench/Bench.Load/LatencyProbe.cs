using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

namespace Switchyard.Bench.Load;

/// <summary>
/// Latency a contender adds at one connection, in milliseconds: the same request sent to the upstream directly and
/// through the contender, alternately, so both see the same moment of a machine whose speed drifts; and, for
/// Switchyard, its own <c>x-switchyard-overhead-ms</c> (time in the gateway outside the upstream call).
/// </summary>
internal sealed record LatencyResult(int Pairs, double DirectP50, double DirectP99, double P50, double P99, double? OverheadP50, double? OverheadP99)
{
    public double AddedP50 => P50 - DirectP50;

    public double AddedP99 => P99 - DirectP99;
}

internal static class LatencyProbe
{
    public static async Task<LatencyResult> RunAsync(Endpoint direct, Endpoint contender, string body, int pairs)
    {
        using var directClient = Client();
        using var contenderClient = Client();
        var directTimes = new List<double>(pairs);
        var times = new List<double>(pairs);
        var overheads = new List<double>(pairs);
        var warmup = Math.Max(20, pairs / 10);
        for (var i = 0; i < warmup + pairs; i++)
        {
            var (directMs, _) = await TimeAsync(directClient, direct, body);
            var (ms, overhead) = await TimeAsync(contenderClient, contender, body);
            if (i < warmup)
            {
                continue;
            }

            directTimes.Add(directMs);
            times.Add(ms);
            if (overhead is { } value)
            {
                overheads.Add(value);
            }
        }

        return new LatencyResult(pairs,
            StreamProbe.Percentile(directTimes, 50), StreamProbe.Percentile(directTimes, 99),
            StreamProbe.Percentile(times, 50), StreamProbe.Percentile(times, 99),
            overheads.Count > 0 ? StreamProbe.Percentile(overheads, 50) : null,
            overheads.Count > 0 ? StreamProbe.Percentile(overheads, 99) : null);
    }

    private static HttpClient Client() => new(new SocketsHttpHandler
    {
        UseProxy = false,
        AutomaticDecompression = DecompressionMethods.None,
        MaxConnectionsPerServer = 1,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
    })
    { Timeout = TimeSpan.FromSeconds(30) };

    private static async Task<(double Ms, double? Overhead)> TimeAsync(HttpClient client, Endpoint endpoint, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in endpoint.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var clock = Stopwatch.StartNew();
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead);
        var ms = clock.Elapsed.TotalMilliseconds;
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"latency probe: {endpoint.Url} answered {(int)response.StatusCode}");
        }

        double? overhead = response.Headers.TryGetValues("x-switchyard-overhead-ms", out var values)
            && double.TryParse(values.First(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
        return (ms, overhead);
    }
}
