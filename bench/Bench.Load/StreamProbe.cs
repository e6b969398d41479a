using System.Diagnostics;
using System.Net;
using System.Text;

namespace Switchyard.Bench.Load;

/// <summary>Time to the first token and to the end of a stream, over many sequential streams. Milliseconds.</summary>
internal sealed record StreamResult(int Streams, double TtftP50, double TtftP90, double TtftP99, double TotalP50, int Failures);

/// <summary>
/// One client, one connection, one stream at a time: the first token is the first event whose delta carries non-empty
/// content (the role event before it does not count), timed from just before the request is sent.
/// </summary>
internal static class StreamProbe
{
    private static readonly byte[] ContentMarker = "\"content\":\""u8.ToArray();

    public static async Task<StreamResult> RunAsync(Endpoint endpoint, string body, int samples)
    {
        using var client = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            MaxConnectionsPerServer = 1,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        })
        { Timeout = TimeSpan.FromSeconds(30) };

        var ttft = new List<double>();
        var total = new List<double>();
        var failures = 0;
        var buffer = new byte[64 * 1024];
        var warmup = Math.Max(10, samples / 10);
        for (var i = 0; i < warmup + samples; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            foreach (var (name, value) in endpoint.Headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            var clock = Stopwatch.StartNew();
            double? first = null;
            try
            {
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    failures++;
                    continue;
                }

                await using var stream = await response.Content.ReadAsStreamAsync();
                var seen = new List<byte>();
                int read;
                while ((read = await stream.ReadAsync(buffer)) > 0)
                {
                    if (first is null)
                    {
                        seen.AddRange(buffer.AsSpan(0, read));
                        if (HasFirstToken(seen))
                        {
                            first = clock.Elapsed.TotalMilliseconds;
                        }
                    }
                }
            }
            catch (HttpRequestException)
            {
                failures++;
                continue;
            }

            if (first is null)
            {
                failures++;
                continue;
            }

            if (i >= warmup)
            {
                ttft.Add(first.Value);
                total.Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        return new StreamResult(ttft.Count, Percentile(ttft, 50), Percentile(ttft, 90), Percentile(ttft, 99), Percentile(total, 50), failures);
    }

    private static bool HasFirstToken(List<byte> seen)
    {
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(seen);
        var offset = 0;
        while (true)
        {
            var at = span[offset..].IndexOf(ContentMarker);
            if (at < 0)
            {
                return false;
            }

            var next = offset + at + ContentMarker.Length;
            if (next < span.Length && span[next] != (byte)'"')
            {
                return true;
            }

            offset = next;
        }
    }

    public static double Percentile(List<double> values, double percentile)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }
}
