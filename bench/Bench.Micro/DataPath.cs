using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Switchyard.Bench.Micro.Fakes;
using Switchyard.Gateway;
using Switchyard.Gateway.Answer;
using Switchyard.Gateway.Caching;
using Switchyard.Gateway.Intake;
using Switchyard.Gateway.Pipeline;
using Switchyard.Gateway.Routing;
using Switchyard.Gateway.Security;
using Switchyard.Gateway.Targets;
using Switchyard.Gateway.Upstream;
using Switchyard.Providers;
using Switchyard.Providers.Catalog;
using Switchyard.Providers.Dialects;

namespace Switchyard.Bench.Micro;

/// <summary>
/// The gateway's data-path steps wired as the host wires them (default options, the built-in catalog and adapters),
/// over an empty key directory: benchmark calls are keyless and carry their config inline.
/// </summary>
internal sealed class DataPath
{
    public DataPath()
    {
        var options = Options.Create(new GatewayOptions());
        var directory = new KeyDirectory(new EmptyKeyStore());
        var virtualKeys = new VirtualKeyResolver(directory, () => null, TimeProvider.System);
        CustomHosts = new CustomHostPolicy(options.Value.TrustedHosts);
        Planner = new RoutePlanner(ProviderCatalog.Default, CustomHosts, options, directory, virtualKeys);
        Requests = new TargetRequestFactory(ProviderCatalog.Default, ProviderAdapters.Default, options, virtualKeys);
        Relay = new StreamRelay(options, new ResponseCaching(null, null, null, options, new SemanticCacheOptions(), TimeProvider.System, NullLogger<ResponseCaching>.Instance), NullLogger<StreamRelay>.Instance);
        MaxJsonDepth = options.Value.MaxJsonDepth;
    }

    public CustomHostPolicy CustomHosts { get; }

    public RoutePlanner Planner { get; }

    public TargetRequestFactory Requests { get; }

    public StreamRelay Relay { get; }

    public int MaxJsonDepth { get; }

    /// <summary>A chat-completions call as the front door starts it: body read, timings started.</summary>
    public GatewayCall ChatCall(IClientDialect dialect, byte[] body, IClientResponse response, params (string Name, string Value)[] headers) =>
        new(ApiOperation.ChatCompletions, dialect, new ClientRequest("/v1/chat/completions", new RequestHeaders(headers)), response, 0)
        {
            Body = RequestBodyReader.Read(body, MaxJsonDepth),
        };

    /// <summary>The upstream request of the call's first target, as the route executor builds it before sending.</summary>
    public UpstreamRequest FirstRequest(GatewayCall call)
    {
        var plan = Planner.Plan(call);
        var (leaf, settings) = RouteExecutor.FirstLeaf(plan);
        return Requests.Create(leaf, settings, plan.Defaults, call);
    }
}
