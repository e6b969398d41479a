using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Switchyard.Gateway.Pipeline;
using Switchyard.Gateway.Routing;
using Switchyard.Gateway.Security;
using Switchyard.Gateway.Targets;
using Switchyard.Gateway.Tests.Pipeline;
using Switchyard.Gateway.Upstream;
using Switchyard.Providers;
using Switchyard.Providers.Catalog;
using Switchyard.State;

namespace Switchyard.Gateway.Tests.Security;

/// <summary>
/// Two workspaces (A and B), each with an API key, virtual keys sealed the way the admin API seals them and saved
/// configs, loaded into a real <see cref="KeyDirectory"/>; plus the planner, request factory and authenticator over it.
/// </summary>
internal sealed class KeyWorld
{
    public static readonly DateTimeOffset Now = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly List<Workspace> _workspaces = [];
    private readonly List<ApiKey> _apiKeys = [];
    private readonly List<VirtualKey> _virtualKeys = [];
    private readonly List<SavedConfig> _configs = [];

    public KeyWorld()
    {
        Vault = new SecretVault(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
        Directory = new KeyDirectory(new SnapshotStore(this));
        Resolver = new VirtualKeyResolver(Directory, () => Vault, Time);
        var options = Options.Create(new GatewayOptions());
        var hosts = new CustomHostPolicy(options.Value.TrustedHosts);
        Planner = new RoutePlanner(ProviderCatalog.Default, hosts, options, Directory, Resolver);
        Factory = new TargetRequestFactory(ProviderCatalog.Default, ProviderAdapters.Default, options, Resolver);
        Authenticator = new Authenticator(Directory, options, Time);
        A = AddWorkspace("ws-a");
        B = AddWorkspace("ws-b");
    }

    public FakeTimeProvider Time { get; } = new(Now);

    public SecretVault Vault { get; }

    public KeyDirectory Directory { get; }

    public VirtualKeyResolver Resolver { get; }

    public RoutePlanner Planner { get; }

    public TargetRequestFactory Factory { get; }

    public Authenticator Authenticator { get; }

    public Workspace A { get; }

    public Workspace B { get; }

    public Workspace AddWorkspace(string id, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var workspace = new Workspace(id, id, id, null, metadata ?? new Dictionary<string, string>(), Limits.None, false, Now, Now);
        _workspaces.RemoveAll(w => w.Id == id);
        _workspaces.Add(workspace);
        return workspace;
    }

    /// <summary>Adds a key and returns the secret a client presents.</summary>
    public string AddApiKey(Workspace workspace, Func<ApiKey, ApiKey>? shape = null)
    {
        var secret = ApiKeySecrets.Generate();
        var key = new ApiKey($"key-{_apiKeys.Count}", workspace.Id, "app", null, ApiKeySecrets.Hash(secret), ApiKeySecrets.Hint(secret),
            ["completions.write"], null, null, null, new Dictionary<string, string>(), Limits.None, null, null, Now, Now);
        _apiKeys.Add(shape is null ? key : shape(key));
        return secret;
    }

    public VirtualKey AddVirtualKey(Workspace workspace, string slug, string provider, string secret, IReadOnlyDictionary<string, string>? options = null, DateTimeOffset? expiresAt = null)
    {
        var key = new VirtualKey($"vk-{_virtualKeys.Count}", workspace.Id, slug, slug, provider, Vault.Seal(secret, $"{workspace.Id}/{slug}"),
            ApiKeySecrets.MaskSecret(secret), options ?? new Dictionary<string, string>(), null, Limits.None, expiresAt, Now, Now);
        _virtualKeys.RemoveAll(k => k.WorkspaceId == workspace.Id && k.Slug == slug);
        _virtualKeys.Add(key);
        return key;
    }

    public void AddConfig(Workspace workspace, string slug, string json, int version = 1) =>
        _configs.Add(new SavedConfig($"cfg-{slug}", workspace.Id, slug, slug, json, version, false, Now, Now));

    public Task RefreshAsync() => Directory.RefreshAsync(Time, default);

    /// <summary>A chat call with these headers and body, authenticated (keyless when no key header is given).</summary>
    public GatewayCall Call(string body, params (string Name, string Value)[] headers)
    {
        var call = TestCalls.Chat(body, headers: headers);
        Authenticator.Authenticate(call);
        return call;
    }

    public static string Chat(string model) => $$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi"}]}""";

    /// <summary>Plans the call and builds the request of its first leaf (the first target of a fallback).</summary>
    public UpstreamRequest FirstRequest(GatewayCall call)
    {
        var plan = Planner.Plan(call);
        var (leaf, settings) = RouteExecutor.FirstLeaf(plan);
        return Factory.Create(leaf, settings, plan.Defaults, call);
    }

    public UpstreamRequest Request(GatewayCall call, int target)
    {
        var plan = Planner.Plan(call);
        var root = plan.Config.Root;
        var leaf = root.Targets[target];
        return Factory.Create(leaf, Switchyard.Gateway.Routing.TargetSettings.Empty.InheritInto(root).InheritInto(leaf), plan.Defaults, call);
    }

    public static string Header(UpstreamRequest request, string name) =>
        request.Headers.Single(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    public static string Body(UpstreamRequest request) => Encoding.UTF8.GetString(request.Body.Span);

    /// <summary>Only the snapshot is read by the data path; the rest of the store is never called.</summary>
    private sealed class SnapshotStore(KeyWorld world) : IKeyStore
    {
        public Task<KeySnapshot> LoadSnapshotAsync(CancellationToken cancellationToken) =>
            Task.FromResult(new KeySnapshot(world._workspaces.ToList(), world._apiKeys.ToList(), world._virtualKeys.ToList(), world._configs.ToList()));

        public Task<Workspace> AddWorkspaceAsync(Workspace workspace, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<Workspace?> GetWorkspaceAsync(string idOrSlug, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<Workspace>> ListWorkspacesAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> UpdateWorkspaceAsync(Workspace workspace, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<ApiKey> AddApiKeyAsync(ApiKey key, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<ApiKey?> GetApiKeyAsync(string workspaceId, string id, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<ApiKey?> FindApiKeyByHashAsync(string keyHash, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<ApiKey>> ListApiKeysAsync(string workspaceId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> UpdateApiKeyAsync(ApiKey key, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<VirtualKey> AddVirtualKeyAsync(VirtualKey key, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<VirtualKey?> GetVirtualKeyAsync(string workspaceId, string slug, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<VirtualKey>> ListVirtualKeysAsync(string workspaceId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> UpdateVirtualKeyAsync(VirtualKey key, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> DeleteVirtualKeyAsync(string workspaceId, string slug, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
