using System.Net;
using System.Text;
using static Switchyard.FakeProvider.Tests.FakeReading;

namespace Switchyard.FakeProvider.Tests;

/// <summary>The fake's Azure OpenAI deployment routes: Azure's gate in front of the OpenAI handlers.</summary>
public sealed class AzureFakeTests : FakeServerTests
{
    private const string Chat = """{"model":"gpt-4o","messages":[{"role":"user","content":"hi azure"}]}""";

    private Task<HttpResponseMessage> PostAsync(string path, string body, string? apiKey = "azure-key", string? bearer = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (apiKey is not null)
        {
            request.Headers.Add("api-key", apiKey);
        }

        if (bearer is not null)
        {
            request.Headers.Add("Authorization", "Bearer " + bearer);
        }

        return Http.SendAsync(request);
    }

    [Theory]
    [InlineData("openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21", "azure-key", null)]
    [InlineData("v1/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21", null, "eyJ.entra.token")]
    public async Task Chat_WithKeyAndVersion_IsAnsweredByTheOpenAiHandler(string path, string? apiKey, string? bearer)
    {
        using var response = await PostAsync(path, Chat, apiKey, bearer);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("You said: hi azure", (await JsonOf(response)).GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
    }

    [Fact]
    public async Task Chat_WithoutApiVersion_Is400InAzureShape()
    {
        using var response = await PostAsync("openai/deployments/gpt-4o/chat/completions", Chat);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("MissingApiVersionParameter", (await JsonOf(response)).GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Chat_WithoutKey_Is401InAzureShape()
    {
        using var response = await PostAsync("openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21", Chat, apiKey: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("401", (await JsonOf(response)).GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Chat_DirectiveInTheDeploymentName_Applies()
    {
        using var response = await PostAsync($"openai/deployments/{Uri.EscapeDataString("gpt-4o|status=429")}/chat/completions?api-version=2024-10-21", Chat);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("fake upstream error 429", (await JsonOf(response)).GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task Embeddings_UnderADeployment_AreServed()
    {
        using var response = await PostAsync("openai/deployments/emb/embeddings?api-version=2024-10-21", """{"model":"emb","input":["a","b"]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, (await JsonOf(response)).GetProperty("data").GetArrayLength());
    }
}
