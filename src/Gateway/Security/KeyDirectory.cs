using Switchyard.State;

namespace Switchyard.Gateway.Security;

/// <summary>
/// The data path's view of the key records: an immutable index built from a <see cref="KeySnapshot"/> and swapped in
/// whole on refresh, so authenticating a request, finding a virtual key or a saved config is a dictionary lookup with
/// no database round trip. Virtual keys and saved configs are indexed by workspace and slug: a lookup never crosses
/// the tenant boundary.
/// </summary>
public sealed class KeyDirectory
{
    private readonly IKeyStore _store;
    private readonly SemaphoreSlim _reloading = new(1, 1);
    private volatile KeyIndex _index = KeyIndex.Empty;

    public KeyDirectory(IKeyStore store) => _store = store;

    /// <summary>When the index was last rebuilt; null before the first load.</summary>
    public DateTimeOffset? LoadedAt => _index.LoadedAt;

    /// <summary>Reloads everything from the store (at start-up, on change, and periodically as a safety net).</summary>
    /// <remarks>
    /// Reloads run one at a time: two overlapping ones could otherwise finish out of order, and a snapshot read before a
    /// write committed would replace one read after it (a key just created, then "unknown" until the next reload).
    /// </remarks>
    public async Task RefreshAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        await _reloading.WaitAsync(cancellationToken);
        try
        {
            var snapshot = await _store.LoadSnapshotAsync(cancellationToken);
            _index = KeyIndex.Build(snapshot, time.GetUtcNow());
        }
        finally
        {
            _reloading.Release();
        }
    }

    public ApiKey? FindApiKey(string keyHash) => _index.ApiKeys.GetValueOrDefault(keyHash);

    public Workspace? FindWorkspace(string id) => _index.Workspaces.GetValueOrDefault(id);

    /// <summary>
    /// The workspace keyless calls belong to where they are allowed (the embedded default): the one with slug
    /// <see cref="DefaultWorkspaceSlug"/>, unless it is archived.
    /// </summary>
    public Workspace? DefaultWorkspace => _index.DefaultWorkspace;

    public const string DefaultWorkspaceSlug = "default";

    /// <summary>The virtual key with this slug in this workspace; null when the workspace has none (whatever other workspaces hold).</summary>
    public VirtualKey? FindVirtualKey(string workspaceId, string slug) => _index.VirtualKeys.GetValueOrDefault((workspaceId, slug));

    /// <summary>The latest version of the saved config with this slug in this workspace; null when the workspace has none.</summary>
    public SavedConfig? FindConfig(string workspaceId, string slug) => _index.Configs.GetValueOrDefault((workspaceId, slug));

    private sealed record KeyIndex(
        IReadOnlyDictionary<string, ApiKey> ApiKeys,
        IReadOnlyDictionary<string, Workspace> Workspaces,
        IReadOnlyDictionary<(string WorkspaceId, string Slug), VirtualKey> VirtualKeys,
        IReadOnlyDictionary<(string WorkspaceId, string Slug), SavedConfig> Configs,
        DateTimeOffset? LoadedAt)
    {
        public Workspace? DefaultWorkspace { get; } = Workspaces.Values.FirstOrDefault(w => w.Slug == DefaultWorkspaceSlug && !w.Archived);

        public static KeyIndex Empty { get; } = new(
            new Dictionary<string, ApiKey>(),
            new Dictionary<string, Workspace>(),
            new Dictionary<(string, string), VirtualKey>(),
            new Dictionary<(string, string), SavedConfig>(),
            null);

        public static KeyIndex Build(KeySnapshot snapshot, DateTimeOffset now)
        {
            // The store returns one row per config slug (its latest version); keeping the highest version guards
            // against a backend that returns them all.
            var configs = new Dictionary<(string, string), SavedConfig>();
            foreach (var config in snapshot.Configs)
            {
                var key = (config.WorkspaceId, config.Slug);
                if (!configs.TryGetValue(key, out var seen) || seen.Version < config.Version)
                {
                    configs[key] = config;
                }
            }

            return new(
                snapshot.ApiKeys.ToDictionary(key => key.KeyHash, StringComparer.Ordinal),
                snapshot.Workspaces.ToDictionary(workspace => workspace.Id, StringComparer.Ordinal),
                snapshot.VirtualKeys.ToDictionary(key => (key.WorkspaceId, key.Slug)),
                configs,
                now);
        }
    }
}
