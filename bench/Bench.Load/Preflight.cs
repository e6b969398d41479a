using System.Net;
using System.Text;

namespace Switchyard.Bench.Load;

/// <summary>
/// One request per contender and upstream before anything is timed: a contender that answers with an error would
/// otherwise post an excellent (and meaningless) number.
/// </summary>
internal static class Preflight
{
    public static async Task CheckAsync(Lab lab)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        foreach (var contender in lab.Contenders)
        {
            await ExpectAsync(client, contender, contender.Route(UpstreamKind.Completion), Payloads.ChatRequest, "\"chat.completion\"");
            await ExpectAsync(client, contender, contender.Route(UpstreamKind.Stream), Payloads.StreamRequest, "data: [DONE]");
            await ExpectAsync(client, contender, contender.Route(UpstreamKind.FakeProvider), Payloads.StreamRequest, "data: [DONE]");
            await ExpectAsync(client, contender, BenchRun.WithUpstreamLatency(contender.Route(UpstreamKind.FakeProvider)), Payloads.StreamRequest, "data: [DONE]");
        }
    }

    private static async Task ExpectAsync(HttpClient client, Contender contender, Endpoint endpoint, string body, string expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in endpoint.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK || !text.Contains(expected, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"preflight: {contender.Name} answered {(int)response.StatusCode} from {endpoint.Url} without '{expected}':\n{text[..Math.Min(text.Length, 2000)]}");
        }
    }
}
