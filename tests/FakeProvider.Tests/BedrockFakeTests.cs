using System.Net;
using System.Text;
using System.Text.Json;
using Switchyard.Providers.Bedrock;
using Switchyard.Providers.Streaming;
using static Switchyard.FakeProvider.Tests.FakeReading;

namespace Switchyard.FakeProvider.Tests;

/// <summary>The fake's Bedrock runtime: signature checks, Converse, converse-stream framing and faults, InvokeModel.</summary>
public sealed class BedrockFakeTests : FakeServerTests
{
    private static readonly AwsCredentials TestKeys = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", null);

    private const string Hello = """{"system":[{"text":"Be brief."}],"messages":[{"role":"user","content":[{"text":"hello bedrock"}]}]}""";

    private Uri Url(string model, string action) => new(Server.BaseAddress, $"v1/model/{Uri.EscapeDataString(model)}/{action}");

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

        return Http.SendAsync(request, completion);
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

    [Fact]
    public async Task Converse_WrongSecret_Is403InvalidSignatureInBedrockShape()
    {
        using var response = await SendAsync("m", "converse", Hello, TestKeys with { SecretAccessKey = "not-the-secret" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("InvalidSignatureException", string.Join(",", response.Headers.GetValues("x-amzn-ErrorType")));
        Assert.StartsWith("The request signature we calculated does not match", (await JsonOf(response)).GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Converse_NoAuthorization_Is403MissingToken()
    {
        using var response = await SendAsync("m", "converse", Hello);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("Missing Authentication Token", (await JsonOf(response)).GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("bedrock-api-key", HttpStatusCode.OK)]
    [InlineData("sk-fake-invalid", HttpStatusCode.Forbidden)]
    public async Task Converse_BearerApiKey_IsCheckedLikeAKey(string key, HttpStatusCode expected)
    {
        using var response = await SendAsync("m", "converse", Hello, bearer: key);

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task Converse_OtherKeyId_PassesOnItsShape()
    {
        using var response = await SendAsync("m", "converse", Hello, new AwsCredentials("AKIAOTHER", "secret", "token"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Converse_ToolsAndForcedTool_AnswersWithToolUse()
    {
        const string body = """{"messages":[{"role":"user","content":[{"text":"weather in Oslo"}]}],"toolConfig":{"tools":[{"toolSpec":{"name":"a","inputSchema":{"json":{}}}},{"toolSpec":{"name":"b","inputSchema":{"json":{}}}}],"toolChoice":{"tool":{"name":"b"}}}}""";

        using var response = await SendAsync("m", "converse", body, TestKeys);

        var json = await JsonOf(response);
        var toolUse = json.GetProperty("output").GetProperty("message").GetProperty("content")[0].GetProperty("toolUse");
        Assert.Equal("b", toolUse.GetProperty("name").GetString());
        Assert.Equal("weather in Oslo", toolUse.GetProperty("input").GetProperty("text").GetString());
        Assert.StartsWith("call_", toolUse.GetProperty("toolUseId").GetString(), StringComparison.Ordinal);
        Assert.Equal("tool_use", json.GetProperty("stopReason").GetString());
    }

    [Fact]
    public async Task Converse_ToolResultLast_AnswersWithTheResult()
    {
        const string body = """{"messages":[{"role":"user","content":[{"text":"weather?"}]},{"role":"assistant","content":[{"toolUse":{"toolUseId":"t1","name":"w","input":{}}}]},{"role":"user","content":[{"toolResult":{"toolUseId":"t1","content":[{"text":"sunny"}]}}]}],"toolConfig":{"tools":[{"toolSpec":{"name":"w","inputSchema":{"json":{}}}}]}}""";

        using var response = await SendAsync("m", "converse", body, TestKeys);

        Assert.Equal("Tool said: sunny", (await JsonOf(response)).GetProperty("output").GetProperty("message").GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task Converse_StatusDirectiveInTheModelId_AnswersInBedrockShape()
    {
        using var response = await SendAsync("m|status=429", "converse", Hello, TestKeys);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("ThrottlingException", string.Join(",", response.Headers.GetValues("x-amzn-ErrorType")));
        Assert.Equal("""{"message":"fake upstream error 429"}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Converse_MissingMessages_IsAValidationException()
    {
        using var response = await SendAsync("m", "converse", "{}", TestKeys);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("ValidationException", string.Join(",", response.Headers.GetValues("x-amzn-ErrorType")));
    }

    [Fact]
    public async Task ConverseStream_Events_AreFramedWithValidChecksumsAndEndWithMetadata()
    {
        using var response = await SendAsync("m", "converse-stream", Hello, TestKeys, completion: HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal("application/vnd.amazon.eventstream", response.Content.Headers.ContentType!.MediaType);
        var events = await EventsOf(response);
        Assert.Equal(["messageStart", "contentBlockDelta", "contentBlockDelta", "contentBlockDelta", "contentBlockDelta", "contentBlockStop", "messageStop", "metadata"], events.Select(e => e.Name));
        var text = string.Concat(events.Where(e => e.Name == "contentBlockDelta").Select(e => JsonDocument.Parse(e.Data).RootElement.GetProperty("delta").GetProperty("text").GetString()));
        Assert.Equal("You said: hello bedrock", text);
        Assert.Equal(4, JsonDocument.Parse(events[^1].Data).RootElement.GetProperty("usage").GetProperty("outputTokens").GetInt32());
    }

    [Fact]
    public async Task ConverseStream_ToolCall_StartsTheBlockAndSplitsTheInput()
    {
        const string body = """{"messages":[{"role":"user","content":[{"text":"weather in Oslo"}]}],"toolConfig":{"tools":[{"toolSpec":{"name":"w","inputSchema":{"json":{}}}}]}}""";

        using var response = await SendAsync("m", "converse-stream", body, TestKeys, completion: HttpCompletionOption.ResponseHeadersRead);

        var events = await EventsOf(response);
        Assert.Equal("contentBlockStart", events[1].Name);
        var input = string.Concat(events.Where(e => e.Name == "contentBlockDelta").Select(e => JsonDocument.Parse(e.Data).RootElement.GetProperty("delta").GetProperty("toolUse").GetProperty("input").GetString()));
        Assert.Equal("""{"text":"weather in Oslo"}""", input);
        Assert.Equal("tool_use", JsonDocument.Parse(events.Single(e => e.Name == "messageStop").Data).RootElement.GetProperty("stopReason").GetString());
    }

    [Fact]
    public async Task ConverseStream_MalformedAfter_SendsAMessageWithABadChecksum()
    {
        using var response = await SendAsync("m|malformed-after=1", "converse-stream", Hello, TestKeys, completion: HttpCompletionOption.ResponseHeadersRead);
        await using var reader = new AwsEventStreamReader(await response.Content.ReadAsStreamAsync());

        Assert.Equal("messageStart", (await reader.ReadAsync(CancellationToken.None))!.Name);
        Assert.Equal("contentBlockDelta", (await reader.ReadAsync(CancellationToken.None))!.Name);
        var ex = await Assert.ThrowsAsync<StreamProtocolException>(() => reader.ReadAsync(CancellationToken.None).AsTask());
        Assert.Equal("an upstream event stream message failed its checksum", ex.Message);
    }

    [Fact]
    public async Task ConverseStream_CutAfterZero_SendsNoEvent()
    {
        var events = new List<StreamEvent>();

        // The reset may reach the client before or after it has parsed the headers; either way no event arrives.
        var broke = await Record.ExceptionAsync(async () =>
        {
            using var response = await SendAsync("m|cut-after=0", "converse-stream", Hello, TestKeys, completion: HttpCompletionOption.ResponseHeadersRead);
            events.AddRange(await EventsOf(response));
        });

        Assert.NotNull(broke);
        Assert.Empty(events);
    }

    [Fact]
    public async Task ConverseStream_CutAfterTwo_EndsInsideTheStream()
    {
        using var response = await SendAsync("m|cut-after=2", "converse-stream", Hello, TestKeys, completion: HttpCompletionOption.ResponseHeadersRead);
        await using var reader = new AwsEventStreamReader(await response.Content.ReadAsStreamAsync());
        var names = new List<string?>();
        var broke = false;
        try
        {
            while (await reader.ReadAsync(CancellationToken.None) is { } message)
            {
                names.Add(message.Name);
            }
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or StreamProtocolException)
        {
            broke = true;
        }

        Assert.True(broke || !names.Contains("metadata"));
        Assert.Equal(["messageStart", "contentBlockDelta", "contentBlockDelta"], names);
    }

    [Fact]
    public async Task Invoke_CohereTexts_AnswersABatchWithTheTokenHeader()
    {
        using var response = await SendAsync("cohere.embed-english-v3", "invoke", """{"texts":["alpha","beta"],"input_type":"search_document"}""", TestKeys);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await JsonOf(response);
        Assert.Equal("embeddings_floats", json.GetProperty("response_type").GetString());
        Assert.Equal(2, json.GetProperty("embeddings").GetArrayLength());
        Assert.Equal(8, json.GetProperty("embeddings")[0].GetArrayLength());
        Assert.Equal("3", string.Join(",", response.Headers.GetValues("X-Amzn-Bedrock-Input-Token-Count")));
    }

    [Fact]
    public async Task Invoke_TitanInputText_AnswersOneVectorWithItsTokenCount()
    {
        using var response = await SendAsync("amazon.titan-embed-text-v2:0", "invoke", """{"inputText":"alpha beta","dimensions":4}""", TestKeys);

        var json = await JsonOf(response);
        Assert.Equal(4, json.GetProperty("embedding").GetArrayLength());
        Assert.Equal(3, json.GetProperty("inputTextTokenCount").GetInt32());
    }

    [Fact]
    public async Task Invoke_CohereWithoutInputType_IsAValidationException()
    {
        using var response = await SendAsync("cohere.embed-english-v3", "invoke", """{"texts":["a"]}""", TestKeys);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
