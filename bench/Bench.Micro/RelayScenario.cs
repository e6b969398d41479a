using System.Net;
using Switchyard.Bench.Micro.Fakes;
using Switchyard.Bench.Micro.Payloads;
using Switchyard.Gateway.Answer;
using Switchyard.Gateway.Pipeline;
using Switchyard.Gateway.Upstream;
using Switchyard.Providers.Dialects;

namespace Switchyard.Bench.Micro;

/// <summary>
/// One client streaming through one provider: the call and upstream request the gateway builds for it, and the provider's
/// stream bytes. <see cref="RelayAsync"/> does what the gateway does once the provider answers 200: read the first
/// event (the upstream client does that inside the attempt), then relay the rest to the client.
/// </summary>
internal sealed class RelayScenario
{
    private readonly StreamRelay _relay;
    private readonly GatewayCall _call;
    private readonly UpstreamRequest _request;
    private readonly byte[] _upstream;
    private readonly StreamClientResponse _response = new(Stream.Null);

    // Only carried by the outcome; the relay never reads it, and it is never disposed so it can be reused.
    private readonly HttpResponseMessage _answer = new(HttpStatusCode.OK);

    private RelayScenario(DataPath dataPath, IClientDialect dialect, byte[] clientBody, (string, string)[] headers, byte[] upstream)
    {
        _relay = dataPath.Relay;
        _call = dataPath.ChatCall(dialect, clientBody, _response, headers);
        _request = dataPath.FirstRequest(_call);
        _upstream = upstream;
    }

    public static RelayScenario OpenAiClient(DataPath dataPath, string provider, byte[] upstream) =>
        new(dataPath, Providers.Dialects.OpenAi.OpenAiDialect.Instance, ChatBodies.OpenAi(ChatSize.Small, stream: true),
            [.. SdkHeaders.OpenAi, ("Authorization", "Bearer sk-bench"), ("x-portkey-provider", provider)], upstream);

    public static RelayScenario AnthropicClient(DataPath dataPath, string provider, byte[] upstream)
    {
        // The /v1/messages body of the same request, as an Anthropic SDK sends it.
        var openAiBody = ChatBodies.OpenAi(ChatSize.Small, stream: true);
        var anthropicBody = ProviderCalls.Adapter(Providers.Catalog.WireFormat.Anthropic)
            .CreateRequest(ProviderCalls.Chat("anthropic", openAiBody, ChatBodies.Model, stream: true)).Body.ToArray();
        return new(dataPath, Providers.Dialects.Anthropic.AnthropicDialect.Instance, anthropicBody,
            [.. SdkHeaders.Anthropic, ("x-api-key", "sk-bench"), ("x-portkey-provider", provider)], upstream);
    }

    public async Task<long> RelayAsync()
    {
        await using var events = _request.Adapter.OpenStream(new MemoryStream(_upstream, writable: false));
        var first = await events.ReadAsync(CancellationToken.None)
            ?? throw new InvalidOperationException("The upstream stream is empty.");
        await _relay.RelayAsync(_call, _request, UpstreamOutcome.Streaming(_answer, events, first), _request.DropUsageChunk);
        return _response.BytesWritten;
    }

    /// <summary>Runs the relay once and fails the set-up unless the stream went through whole.</summary>
    public async Task<RelayScenario> VerifiedAsync()
    {
        var before = _response.BytesWritten;
        await RelayAsync();
        if (_call.StreamFailure is not null || _call.Usage is null || _response.BytesWritten == before)
        {
            throw new InvalidOperationException($"The relay did not complete: {_call.StreamFailure ?? "no usage or no bytes"}.");
        }

        return this;
    }
}
