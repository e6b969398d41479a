using System.ClientModel;
using System.ClientModel.Primitives;
using OpenAI;
using OpenAI.Chat;
using Switchyard.FrontDoor.Tests.Infrastructure;

namespace Switchyard.FrontDoor.Tests.Sdk;

/// <summary>The official OpenAI .NET SDK against the gateway: only the endpoint changes, Portkey headers ride along.</summary>
public sealed class OpenAiDotNetSdkTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private ChatClient Chat(string model, IReadOnlyDictionary<string, string>? headers = null)
    {
        var options = new OpenAIClientOptions { Endpoint = new Uri(fixture.Gateway, "v1"), RetryPolicy = new ClientRetryPolicy(0) };
        var all = new Dictionary<string, string>
        {
            ["x-portkey-provider"] = "openai",
            ["x-portkey-custom-host"] = fixture.FakeBase,
        };
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            all[name] = value;
        }

        options.AddPolicy(new HeadersPolicy(all), PipelinePosition.PerCall);
        return new ChatClient(model, new ApiKeyCredential(Requests.ProviderKey), options);
    }

    [Fact]
    public async Task CompleteChat_ThroughTheGateway_ReturnsTheProvidersAnswer()
    {
        ChatCompletion completion = await Chat("fake-gpt").CompleteChatAsync([new UserChatMessage("hello dotnet")]);

        Assert.Equal("You said: hello dotnet", completion.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal(4, completion.Usage.OutputTokenCount);
    }

    [Fact]
    public async Task CompleteChatStreaming_ThroughTheGateway_AddsUpToTheAnswer()
    {
        var text = "";
        var updates = 0;
        ChatTokenUsage? usage = null;
        await foreach (var update in Chat("fake-gpt|words=6").CompleteChatStreamingAsync([new UserChatMessage("stream")]))
        {
            updates++;
            text += string.Concat(update.ContentUpdate.Select(part => part.Text));
            usage ??= update.Usage;
        }

        Assert.Equal(6, text.Split(' ').Length);
        Assert.Equal(9, updates); // role, 6 words, finish, and the usage chunk this SDK asks for itself
        Assert.Equal(6, usage!.OutputTokenCount);
    }

    [Fact]
    public async Task CompleteChat_FallbackConfigHeader_UsesTheSecondTarget()
    {
        var config = $$"""{"strategy":{"mode":"fallback"},"targets":[{{Requests.Target(fixture, "fake-gpt|status=500")}},{{Requests.Target(fixture, "fake-gpt-mini")}}]}""";
        ChatCompletion completion = await Chat("any", new Dictionary<string, string> { ["x-portkey-config"] = config }).CompleteChatAsync([new UserChatMessage("hi")]);

        Assert.Equal("fake-gpt-mini", completion.Model);
    }

    [Fact]
    public async Task CompleteChat_ProviderRateLimit_SurfacesAsClientResultException()
    {
        var error = await Assert.ThrowsAsync<ClientResultException>(() => Chat("fake-gpt|status=429").CompleteChatAsync([new UserChatMessage("x")]));

        Assert.Equal(429, error.Status);
    }

    private sealed class HeadersPolicy(IReadOnlyDictionary<string, string> headers) : PipelinePolicy
    {
        public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            Apply(message);
            ProcessNext(message, pipeline, currentIndex);
        }

        public override ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            Apply(message);
            return ProcessNextAsync(message, pipeline, currentIndex);
        }

        private void Apply(PipelineMessage message)
        {
            foreach (var (name, value) in headers)
            {
                message.Request.Headers.Set(name, value);
            }
        }
    }
}
