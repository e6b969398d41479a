using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Switchyard.Bench.Micro.Payloads;
using Switchyard.Gateway.Routing;
using Switchyard.Providers.Catalog;

namespace Switchyard.Bench.Micro;

/// <summary>
/// Parsing and validating an inline <c>x-portkey-config</c>. The planner caches parsed configs by their text, so this is
/// paid once per distinct config; it matters for clients that vary the config per request. Baseline: the JSON parse alone.
/// </summary>
[MemoryDiagnoser]
public class ConfigParsingBenchmarks
{
    private byte[] _config = [];
    private ConfigValidationContext _context = null!;

    [Params(RoutingStrategy.Fallback, RoutingStrategy.LoadBalance, RoutingStrategy.Conditional)]
    public RoutingStrategy Strategy { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _config = Encoding.UTF8.GetBytes(RoutingConfigs.For(Strategy));
        var hosts = new DataPath().CustomHosts;

        // The same context the route planner builds for a keyless request without a provider header.
        _context = new ConfigValidationContext(slug => ProviderCatalog.Default.TryGet(slug, out _), hosts.Check, HasDefaultProvider: false);
        if (RoutingConfigParser.Parse(_config, _context).Errors is { Count: > 0 } errors)
        {
            throw new InvalidOperationException($"The {Strategy} config is invalid: {string.Join("; ", errors)}");
        }
    }

    [Benchmark(Baseline = true)]
    public JsonValueKind JsonDocumentParse()
    {
        using var document = JsonDocument.Parse(_config);
        return document.RootElement.ValueKind;
    }

    [Benchmark]
    public ConfigParseResult RoutingConfigParser_Parse() => RoutingConfigParser.Parse(_config, _context);
}
