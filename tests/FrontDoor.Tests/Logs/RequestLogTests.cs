using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchyard.FrontDoor.Tests.Infrastructure;
using Switchyard.Gateway.Logging;
using Switchyard.State;

namespace Switchyard.FrontDoor.Tests.Logs;

/// <summary>
/// Real calls through the FrontDoor (Kestrel on loopback, the FakeProvider upstream), read back from the host's own
/// request-log store (the embedded SQLite log) by the id each answer carries in <c>x-portkey-request-id</c>.
/// </summary>
public sealed class RequestLogTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private async Task<RequestLogRecord> RecordOfAsync(HttpResponseMessage response)
    {
        var id = response.Header("x-portkey-request-id");
        var store = fixture.Services.GetRequiredService<IRequestLogStore>();
        RequestLogRecord? record = null;
        Assert.True(await Eventually.TryUntilAsync(
            async () => (record = await store.GetAsync(null, id, default)) is not null, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(20)),
            $"no record {id} was written");
        return record!;
    }

    [Fact]
    public async Task Chat_Answered_IsLoggedWithItsUsageAndBodiesAndNoSecret()
    {
        using var response = await fixture.Client.SendAsync(Requests.Chat("fake-gpt", "log me").ToFake(fixture).WithHeader("user-agent", "log-tests/1"));
        var answer = await response.Content.ReadAsStringAsync();

        var record = await RecordOfAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(200, record.Status);
        Assert.Equal("chat.completions", record.Endpoint);
        Assert.Equal("/v1/chat/completions", record.Path);
        Assert.Equal("openai", record.Provider);
        Assert.Equal("fake-gpt", record.ModelUsed);
        Assert.Equal(response.Header("x-portkey-trace-id"), record.TraceId);
        Assert.Equal("127.0.0.1", record.ClientIp);
        Assert.Equal("log-tests/1", record.UserAgent);
        using var body = JsonDocument.Parse(answer);
        Assert.Equal(body.RootElement.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(), record.InputTokens);
        Assert.Equal(body.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32(), record.OutputTokens);
        Assert.Equal(Requests.ChatBody("fake-gpt", "log me"), record.RequestBody);
        Assert.Equal(answer, record.ResponseBody);
        Assert.Equal(200, Assert.Single(record.Attempts).Status);
        Assert.DoesNotContain(Requests.ProviderKey, JsonSerializer.Serialize(record), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_Stream_IsLoggedWithTheAssembledAnswer()
    {
        using var response = await fixture.Client.SendAsync(Requests.Chat("fake-gpt", "stream me", stream: true).ToFake(fixture));
        await response.Content.ReadAsStringAsync();

        var record = await RecordOfAsync(response);

        Assert.True(record.Stream);
        Assert.NotNull(record.TtftMs);
        using var answer = JsonDocument.Parse(record.ResponseBody!);
        Assert.Equal("You said: stream me", answer.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
    }

    [Fact]
    public async Task Chat_Refused_IsLoggedWithItsErrorType()
    {
        using var response = await fixture.Client.SendAsync(Requests.Chat("fake-gpt").WithConfig("""{"strategy":{"mode":"nonsense"}}"""));

        var record = await RecordOfAsync(response);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(400, record.Status);
        Assert.Equal("invalid_request_error", record.ErrorType);
        Assert.Empty(record.Attempts);
    }

    [Fact]
    public async Task Messages_Answered_IsLoggedAsMessages()
    {
        var request = Requests.Post("/v1/messages", """{"model":"fake-gpt","max_tokens":50,"messages":[{"role":"user","content":"hi"}]}""").ToFake(fixture);

        using var response = await fixture.Client.SendAsync(request);
        var answer = await response.Content.ReadAsStringAsync();

        var record = await RecordOfAsync(response);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("messages", record.Endpoint);
        Assert.Equal(answer, record.ResponseBody);
    }

    [Fact]
    public void Queue_AfterCalls_CountsNoDrops() => Assert.Equal(0, fixture.Services.GetRequiredService<RequestLogQueue>().Dropped);
}
