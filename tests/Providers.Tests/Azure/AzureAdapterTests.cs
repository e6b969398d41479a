using System.Text;
using Switchyard.Providers.Azure;
using Switchyard.Providers.Streaming;

namespace Switchyard.Providers.Tests.Azure;

public sealed class AzureAdapterTests
{
    private const string Chat = """{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}""";

    private static readonly AzureAdapter Adapter = new();

    [Fact]
    public void CreateRequest_ResourceAndDeployment_BuildTheAzureUrlWithApiKey()
    {
        var call = ProviderCalls.Create("azure-openai", Chat, model: "gpt-4o", credential: "azure-key", options: new()
        {
            ["azure_resource_name"] = "my-resource",
            ["azure_deployment_id"] = "prod gpt",
            ["azure_api_version"] = "2025-01-01-preview",
        });

        var request = Adapter.CreateRequest(call);

        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("https://my-resource.openai.azure.com/openai/deployments/prod%20gpt/chat/completions?api-version=2025-01-01-preview", request.Uri.AbsoluteUri);
        Assert.Equal("azure-key", request.Header("api-key"));
        Assert.DoesNotContain(request.Headers, h => h.Key == "Authorization");
        Assert.Equal(Chat, request.Text());
    }

    [Fact]
    public void CreateRequest_NoDeploymentWithCustomHost_UsesTheModelAndDefaultVersion()
    {
        var call = ProviderCalls.Create("azure-openai", Chat, ApiOperation.Embeddings, model: "text-embedding-3-small", credential: "k", baseUrl: new Uri("http://127.0.0.1:9000/v1/"));

        var request = Adapter.CreateRequest(call);

        Assert.Equal("http://127.0.0.1:9000/v1/openai/deployments/text-embedding-3-small/embeddings?api-version=2024-10-21", request.Uri.AbsoluteUri);
    }

    [Fact]
    public void CreateRequest_CustomHostEndingInOpenai_IsNotDoubled()
    {
        var call = ProviderCalls.Create("azure-openai", Chat, ApiOperation.Completions, model: "d", credential: "k", baseUrl: new Uri("https://proxy.example/openai"));

        Assert.Equal("https://proxy.example/openai/deployments/d/completions?api-version=2024-10-21", Adapter.CreateRequest(call).Uri.AbsoluteUri);
    }

    [Theory]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.e30.sig", null)]
    [InlineData("token", "entra")]
    [InlineData("token", "Bearer")]
    public void CreateRequest_EntraTokens_GoAsBearer(string credential, string? mode)
    {
        var options = new Dictionary<string, string> { ["azure_resource_name"] = "r" };
        if (mode is not null)
        {
            options["azure_auth_mode"] = mode;
        }

        var request = Adapter.CreateRequest(ProviderCalls.Create("azure-openai", Chat, credential: credential, options: options));

        Assert.Equal("Bearer " + credential, request.Header("Authorization"));
        Assert.DoesNotContain(request.Headers, h => h.Key == "api-key");
    }

    [Fact]
    public void CreateRequest_NoResourceAndNoCustomHost_NamesTheHeader()
    {
        var ex = Assert.Throws<ProviderRequestException>(() => Adapter.CreateRequest(ProviderCalls.Create("azure-openai", Chat, credential: "k")));

        Assert.Contains("x-portkey-azure-resource-name", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateRequest_ResourceNameWithAPath_IsRefused()
    {
        var options = new Dictionary<string, string> { ["azure_resource_name"] = "evil.com/x" };

        Assert.Throws<ProviderRequestException>(() => Adapter.CreateRequest(ProviderCalls.Create("azure-openai", Chat, credential: "k", options: options)));
    }

    [Fact]
    public void TranslateError_ContentFilter_KeepsCodeAndInnerErrorAndGetsAType()
    {
        const string azure = """{"error":{"message":"The response was filtered due to the prompt triggering Azure OpenAI's content management policy.","type":null,"param":"prompt","code":"content_filter","status":400,"innererror":{"code":"ResponsibleAIPolicyViolation","content_filter_result":{"hate":{"filtered":true,"severity":"high"}}}}}""";

        var body = Encoding.UTF8.GetString(AzureErrors.ToOpenAi(400, Encoding.UTF8.GetBytes(azure)));

        Assert.Equal(
            """{"error":{"message":"The response was filtered due to the prompt triggering Azure OpenAI\u0027s content management policy.","type":"invalid_request_error","param":"prompt","code":"content_filter","status":400,"innererror":{"code":"ResponsibleAIPolicyViolation","content_filter_result":{"hate":{"filtered":true,"severity":"high"}}}}}""",
            body);
    }

    [Theory]
    [InlineData(401, """{"error":{"code":"401","message":"Access denied due to invalid subscription key or wrong API endpoint."}}""", "authentication_error", "401")]
    [InlineData(404, """{"error":{"code":"DeploymentNotFound","message":"The API deployment for this resource does not exist."}}""", "not_found_error", "DeploymentNotFound")]
    [InlineData(429, """{"error":{"code":"429","message":"Requests have exceeded the call rate limit."}}""", "rate_limit_error", "429")]
    [InlineData(500, """{"error":{"message":"fake upstream error 500","type":"server_error","param":null,"code":null}}""", "server_error", null)]
    [InlineData(503, "upstream connect error", "server_error", null)]
    public void TranslateError_AzureBodies_BecomeOpenAiErrors(int status, string azure, string type, string? code)
    {
        var error = System.Text.Json.JsonDocument.Parse(AzureErrors.ToOpenAi(status, Encoding.UTF8.GetBytes(azure))).RootElement.GetProperty("error");

        Assert.Equal(type, error.GetProperty("type").GetString());
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
    }

    [Fact]
    public void TranslateResponse_Answer_PassesThrough()
    {
        var body = """{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":null},"finish_reason":"content_filter","content_filter_results":{}}],"prompt_filter_results":[]}"""u8.ToArray();

        Assert.Equal(body, Adapter.TranslateResponse(ProviderCalls.Create("azure-openai", Chat), body));
    }

    [Fact]
    public void StreamTranslator_AzureStream_DropsThePromptFilterChunkAndFillsEmptyIds()
    {
        var translator = Adapter.CreateStreamTranslator(ProviderCalls.Create("azure-openai", Chat, stream: true));
        var output = new List<byte[]>();
        string[] events =
        [
            """{"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[{"prompt_index":0,"content_filter_results":{}}]}""",
            """{"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}],"created":1700000000,"id":"chatcmpl-9","model":"gpt-4o","object":"chat.completion.chunk"}""",
            """{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"created":1700000000,"id":"chatcmpl-9","model":"gpt-4o","object":"chat.completion.chunk"}""",
            """{"choices":[{"index":0,"delta":{},"content_filter_offsets":{},"content_filter_results":{},"finish_reason":null}],"created":0,"id":"","model":"","object":""}""",
            "[DONE]",
        ];

        foreach (var data in events)
        {
            translator.Translate(new StreamEvent(null, Encoding.UTF8.GetBytes(data)), output);
        }

        var chunks = output.Select(chunk => Encoding.UTF8.GetString(chunk)).ToList();
        Assert.Equal(4, chunks.Count);
        Assert.Equal(events[1], chunks[0]);
        Assert.Equal(events[2], chunks[1]);
        Assert.Equal(
            """{"choices":[{"index":0,"delta":{},"content_filter_offsets":{},"content_filter_results":{},"finish_reason":null}],"object":"","id":"chatcmpl-9","model":"gpt-4o","created":1700000000}""",
            chunks[2]);
        Assert.Equal("[DONE]", chunks[3]);
    }

    [Fact]
    public void StreamTranslator_MalformedChunk_ThrowsProtocolException()
    {
        var translator = Adapter.CreateStreamTranslator(ProviderCalls.Create("azure-openai", Chat, stream: true));

        Assert.Throws<StreamProtocolException>(() => translator.Translate(new StreamEvent(null, """{"id": "broken", "choices": ["""u8.ToArray()), []));
    }

    [Fact]
    public void StreamTranslator_ErrorChunk_ThrowsUpstreamStreamException()
    {
        var translator = Adapter.CreateStreamTranslator(ProviderCalls.Create("azure-openai", Chat, stream: true));

        var ex = Assert.Throws<UpstreamStreamException>(() => translator.Translate(new StreamEvent(null, """{"error":{"message":"The server had an error"}}"""u8.ToArray()), []));

        Assert.Equal("The server had an error", ex.Message);
    }
}
