using System.Net;
using System.Text;
using System.Text.Json;
using Switchyard.Gateway.Pipeline;
using Switchyard.Gateway.Tests.Pipeline;
using Switchyard.Gateway.Tests.Security;
using Switchyard.Gateway.Upstream;

namespace Switchyard.Gateway.Tests.Answer;

/// <summary>Providers' answers built in memory, and the requests of the providers that gave them.</summary>
internal static class AnswerKit
{
    private static readonly KeyWorld World = new();

    /// <summary>The request the factory builds for <paramref name="provider"/>: its adapter reads the answer.</summary>
    public static UpstreamRequest RequestTo(string provider, bool stream = false, string model = "gpt-4o") =>
        World.FirstRequest(World.Call(TestCalls.ChatBody(model, maxTokens: 100, stream: stream), (GatewayHeaders.Provider, provider), (GatewayHeaders.Authorization, "Bearer sk-test")));

    public static HttpResponseMessage Upstream(int status, string body, string contentType = "application/json")
    {
        var response = new HttpResponseMessage((HttpStatusCode)status) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        response.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return response;
    }

    public static UpstreamOutcome Answered(int status, string body) => UpstreamOutcome.Answered(Upstream(status, body), Encoding.UTF8.GetBytes(body));

    /// <summary>A stream answer as the upstream client leaves it: the reader opened by the adapter, past its first event.</summary>
    public static async Task<UpstreamOutcome> StreamingAsync(UpstreamRequest request, string eventStream)
    {
        var response = Upstream(200, eventStream, "text/event-stream");
        var events = request.Adapter.OpenStream(new MemoryStream(Encoding.UTF8.GetBytes(eventStream)));
        var first = await events.ReadAsync(default) ?? throw new InvalidOperationException("the test stream has no event");
        return UpstreamOutcome.Streaming(response, events, first);
    }

    public static JsonElement Json(string body) => JsonDocument.Parse(body).RootElement;
}
