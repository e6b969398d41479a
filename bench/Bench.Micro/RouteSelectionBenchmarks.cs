using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Switchyard.Bench.Micro.Payloads;
using Switchyard.Gateway.Pipeline;
using Switchyard.Providers.Dialects.OpenAi;

namespace Switchyard.Bench.Micro;

/// <summary>
/// Per request, after the body is read: plan the route from the headers (config from the planner's cache), choose the
/// first target (fallback's first, the weighted pick, the matching condition) and build its upstream request.
/// Baseline: the simplest route, <c>x-portkey-provider: openai</c> with no config. Every config's chosen target is
/// OpenAI-shaped and sets <c>override_params.model</c>, so its body is rewritten (copied), which the large rows show;
/// loadbalance picks at random (the executor owns the draw), so its rows mix targets with and without an override.
/// </summary>
[MemoryDiagnoser]
public class RouteSelectionBenchmarks
{
    private readonly DataPath _dataPath = new();
    private GatewayCall _providerHeader = null!;
    private GatewayCall _fallback = null!;
    private GatewayCall _loadBalance = null!;
    private GatewayCall _conditionalOnMetadata = null!;
    private GatewayCall _conditionalOnParams = null!;

    [Params(ChatSize.Small, ChatSize.Large)]
    public ChatSize Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var body = ChatBodies.OpenAi(Size);
        _providerHeader = Call(body, ("x-portkey-provider", "openai"), ("Authorization", "Bearer sk-proj-client"));
        _fallback = Call(body, ("x-portkey-config", RoutingConfigs.Fallback));
        _loadBalance = Call(body, ("x-portkey-config", RoutingConfigs.LoadBalance));
        _conditionalOnMetadata = Call(body, ("x-portkey-config", RoutingConfigs.ConditionalOnMetadata), ("x-portkey-metadata", RoutingConfigs.Metadata));
        using (var metadata = JsonDocument.Parse(RoutingConfigs.Metadata))
        {
            // The pipeline's authentication step parses the metadata header before routing.
            _conditionalOnMetadata.Metadata = metadata.RootElement.Clone();
        }

        _conditionalOnParams = Call(body, ("x-portkey-config", RoutingConfigs.ConditionalOnParams));

        // Also fills the planner's config cache, as the first request with a config does in the gateway.
        Expect(_providerHeader, "openai");
        Expect(_fallback, "openai");
        Expect(_conditionalOnMetadata, "openai");
        Expect(_conditionalOnParams, "groq");
        _dataPath.FirstRequest(_loadBalance);
    }

    [Benchmark(Baseline = true)]
    public Uri ProviderHeader() => _dataPath.FirstRequest(_providerHeader).Uri;

    [Benchmark]
    public Uri Fallback() => _dataPath.FirstRequest(_fallback).Uri;

    [Benchmark]
    public Uri LoadBalance() => _dataPath.FirstRequest(_loadBalance).Uri;

    [Benchmark]
    public Uri ConditionalOnMetadata() => _dataPath.FirstRequest(_conditionalOnMetadata).Uri;

    [Benchmark]
    public Uri ConditionalOnParams() => _dataPath.FirstRequest(_conditionalOnParams).Uri;

    private GatewayCall Call(byte[] body, params (string Name, string Value)[] portkeyHeaders) =>
        _dataPath.ChatCall(OpenAiDialect.Instance, body, new Fakes.StreamClientResponse(Stream.Null), [.. SdkHeaders.OpenAi, .. portkeyHeaders]);

    private void Expect(GatewayCall call, string provider)
    {
        var chosen = _dataPath.FirstRequest(call).ProviderSlug;
        if (chosen != provider)
        {
            throw new InvalidOperationException($"Routed to {chosen}, expected {provider}.");
        }
    }
}
