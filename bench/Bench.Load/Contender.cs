namespace Switchyard.Bench.Load;

/// <summary>Which upstream a scenario calls: nginx's fixed completion, nginx's fixed stream, or the FakeProvider.</summary>
internal enum UpstreamKind
{
    Completion,
    Stream,
    FakeProvider,
}

/// <summary>Where a request goes and the headers it carries.</summary>
internal sealed record Endpoint(string Url, IReadOnlyList<KeyValuePair<string, string>> Headers);

/// <summary>
/// One thing measured side by side: the upstream called directly, nginx, the Portkey gateway, or Switchyard (plain, or
/// with an API key, a budget and rate limits). Each sends the same body to the same upstream.
/// </summary>
internal sealed class Contender
{
    public const string ProviderCredential = "Bearer sk-bench-upstream";

    private readonly Func<UpstreamKind, Endpoint> _route;

    public Contender(string name, string description, LabProcess? process, Func<UpstreamKind, Endpoint> route)
    {
        Name = name;
        Description = description;
        Process = process;
        _route = route;
    }

    public string Name { get; }

    public string Description { get; }

    /// <summary>The process whose CPU and memory are reported; none for the upstream itself.</summary>
    public LabProcess? Process { get; }

    public Endpoint Route(UpstreamKind upstream) => _route(upstream);

    /// <summary>The upstream itself, no proxy in between.</summary>
    public static Contender Direct(Upstreams upstreams) => new("direct", "the upstream itself, no proxy", null,
        kind => new Endpoint($"{upstreams.BaseUrl(kind)}/v1/chat/completions", [new("Authorization", ProviderCredential)]));

    /// <summary>A plain nginx reverse proxy with one listening port per upstream.</summary>
    public static Contender NginxProxy(LabProcess nginx, IReadOnlyDictionary<UpstreamKind, int> ports) => new("nginx",
        "nginx reverse proxy, 1 worker, upstream keepalive", nginx,
        kind => new Endpoint($"http://127.0.0.1:{ports[kind]}/v1/chat/completions", [new("Authorization", ProviderCredential)]));

    /// <summary>A Portkey-compatible gateway called the Portkey way: provider and custom host in headers.</summary>
    public static Contender Gateway(string name, string description, LabProcess process, int port, Upstreams upstreams,
        params KeyValuePair<string, string>[] extraHeaders) => new(name, description, process,
        kind => new Endpoint($"http://127.0.0.1:{port}/v1/chat/completions",
        [
            new("Authorization", ProviderCredential),
            new("x-portkey-provider", "openai"),
            new("x-portkey-custom-host", $"{upstreams.BaseUrl(kind)}/v1"),
            .. extraHeaders,
        ]));
}

/// <summary>The ports of the three upstreams.</summary>
internal sealed record Upstreams(int CompletionPort, int StreamPort, int FakeProviderPort)
{
    public string BaseUrl(UpstreamKind kind) => $"http://127.0.0.1:{Port(kind)}";

    public int Port(UpstreamKind kind) => kind switch
    {
        UpstreamKind.Completion => CompletionPort,
        UpstreamKind.Stream => StreamPort,
        _ => FakeProviderPort,
    };
}
