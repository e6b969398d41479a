using System.Net;
using System.Text;
using System.Text.Json;
using Switchyard.FakeProvider;
using Switchyard.Providers.Bedrock;
using Switchyard.Providers.Streaming;

namespace Switchyard.FrontDoor.Tests.FakeProvider;

/// <summary>The fake's Bedrock runtime: signature checks, Converse, converse-stream framing and faults, InvokeModel.</summary>
public sealed class BedrockFakeTests : IAsyncLifetime
{
    private static readonly AwsCredentials TestKeys = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", null);

    private const string Hello = """{"system":[{"text":"Be brief."}],"messages":[{"role":"user","content":[{"text":"hello bedrock"}]}]}""";

    private FakeProviderServer server = null!;
    private HttpClient http = null!;

    public async Task InitializeAsync()
    {
        server = await FakeProviderServer.StartAsync();
        http = new HttpClient { BaseAddress = server.BaseAddress };
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        await server.DisposeAsync();
    }

    private Uri Url(string model, string action) => new(server.BaseAddress, $"v1/model/{Uri.EscapeDataString(model)}/{action}");

    private Task<HttpResponseMessage> SendAsync(string model, string action, string body, AwsCredentials? keys = null, string? bearer = null, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        var uri = Url(model, action);
        var bytes = Encoding.UTF8.GetBytes(body);
        var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new("application/json");
        if (bearer is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + bearer);
        }
        else if (keys is not null)
        {
            foreach (var (name, value) in AwsSigV4.Sign(keys, "us-east-1", "bedrock", HttpMethod.Post, uri, bytes, DateTimeOffset.UtcNow))
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return http.SendAsync(request, completion);
    }

    private static async Task<JsonElement> JsonOf(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    private static async Task<List<StreamEvent>> EventsOf(HttpResponseMessage response)
    {
        await using var reader = new AwsEventStreamReader(await response.Content.ReadAsStreamAsync());
        var events = new List<StreamEvent>();
        while (await reader.ReadAsync(CancellationToken.None) is { } message)
        {
            events.Add(message);
        }

        return events;
    }

    [Fact]
    public async Task Converse_SignedWithTheTestKeys_AnswersInConverseShape()
    {
        using var response = await SendAsync("anthropic.claude-3-haiku-20240307-v1:0", "converse", Hello, TestKeys);

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var json = await JsonOf(response);
        Assert.Equal("assistant", json.GetProperty("output").GetProperty("message").GetProperty("role").GetString());
        Assert.Equal("You said: hello bedrock", json.GetProperty("output").GetProperty("message").GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal("end_turn", json.GetProperty("stopReason").GetString());
        var usage = json.GetProperty("usage");
        Assert.Equal(4, usage.GetProperty("outputTokens").GetInt32());
        Assert.Equal(usage.GetProperty("inputTokens").GetInt32() + 4, usage.GetProperty("totalTokens").GetInt32());
    }
}
