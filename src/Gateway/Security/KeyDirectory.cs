using Switchyard.State;

namespace Switchyard.Gateway.Security;

/// <summary>
/// The data path's view of the key records: an immutable index built from a <see cref="KeySnapshot"/> and swapped in
/// whole on refresh, so authenticating a request is a dictionary lookup with no database round trip.
/// </summary>
public sealed class KeyDirectory
{
    private readonly IKeyStore _store;
    private volatile KeyIndex _index = KeyIndex.Empty;

    public KeyDirectory(IKeyStore store) => _store = store;

    /// <summary>When the index was last rebuilt; null before the first load.</summary>
    public DateTimeOffset? LoadedAt => _index.LoadedAt;

    /// <summary>Reloads everything from the store (at start-up, on change, and periodically as a safety net).</summary>
    public async Task RefreshAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        var snapshot = await _store.LoadSnapshotAsync(cancellationToken);
        _index = KeyIndex.Build(snapshot, time.GetUtcNow());
    }

    public ApiKey? FindApiKey(string keyHash) => _index.ApiKeys.GetValueOrDefault(keyHash);

    public Workspace? FindWorkspace(string id) => _index.Workspaces.GetValueOrDefault(id);

    private sealed record KeyIndex(
        IReadOnlyDictionary<string, ApiKey> ApiKeys,
        IReadOnlyDictionary<string, Workspace> Workspaces,
        DateTimeOffset? LoadedAt)
    {
        public static KeyIndex Empty { get; } = new(new Dictionary<string, ApiKey>(), new Dictionary<string, Workspace>(), null);

        public static KeyIndex Build(KeySnapshot snapshot, DateTimeOffset now) => new(
            snapshot.ApiKeys.ToDictionary(key => key.KeyHash, StringComparer.Ordinal),
            snapshot.Workspaces.ToDictionary(workspace => workspace.Id, StringComparer.Ordinal),
            now);
    }
}
