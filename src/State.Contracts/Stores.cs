namespace Switchyard.State;

/// <summary>
/// Workspaces, API keys and virtual keys (docs/state.md). Writes go to the store; the data path reads an in-memory
/// <see cref="KeySnapshot"/> loaded from <see cref="LoadSnapshotAsync"/> and refreshed on change, so no request waits on
/// the database.
/// Every method that takes a workspace id only sees that workspace's records.
/// </summary>
public interface IKeyStore
{
    Task<Workspace> AddWorkspaceAsync(Workspace workspace, CancellationToken cancellationToken);

    Task<Workspace?> GetWorkspaceAsync(string idOrSlug, CancellationToken cancellationToken);

    Task<IReadOnlyList<Workspace>> ListWorkspacesAsync(CancellationToken cancellationToken);

    /// <summary>Replaces the record with the same id; false when there is none.</summary>
    Task<bool> UpdateWorkspaceAsync(Workspace workspace, CancellationToken cancellationToken);

    Task<ApiKey> AddApiKeyAsync(ApiKey key, CancellationToken cancellationToken);

    Task<ApiKey?> GetApiKeyAsync(string workspaceId, string id, CancellationToken cancellationToken);

    /// <summary>Finds a key by the hash of what a client presented (any workspace: the key tells which).</summary>
    Task<ApiKey?> FindApiKeyByHashAsync(string keyHash, CancellationToken cancellationToken);

    Task<IReadOnlyList<ApiKey>> ListApiKeysAsync(string workspaceId, CancellationToken cancellationToken);

    Task<bool> UpdateApiKeyAsync(ApiKey key, CancellationToken cancellationToken);

    Task<VirtualKey> AddVirtualKeyAsync(VirtualKey key, CancellationToken cancellationToken);

    Task<VirtualKey?> GetVirtualKeyAsync(string workspaceId, string slug, CancellationToken cancellationToken);

    Task<IReadOnlyList<VirtualKey>> ListVirtualKeysAsync(string workspaceId, CancellationToken cancellationToken);

    Task<bool> UpdateVirtualKeyAsync(VirtualKey key, CancellationToken cancellationToken);

    Task<bool> DeleteVirtualKeyAsync(string workspaceId, string slug, CancellationToken cancellationToken);

    /// <summary>Everything the data path needs to authenticate and resolve keys, read consistently.</summary>
    Task<KeySnapshot> LoadSnapshotAsync(CancellationToken cancellationToken);
}

/// <summary>An immutable view of the key records, swapped in whole when anything changes.</summary>
public sealed record KeySnapshot(
    IReadOnlyList<Workspace> Workspaces,
    IReadOnlyList<ApiKey> ApiKeys,
    IReadOnlyList<VirtualKey> VirtualKeys,
    IReadOnlyList<SavedConfig> Configs);

/// <summary>Saved configs, versioned: <see cref="SaveAsync"/> of an existing slug adds version N+1; reads return the latest.</summary>
public interface IConfigStore
{
    Task<SavedConfig> SaveAsync(SavedConfig config, CancellationToken cancellationToken);

    Task<SavedConfig?> GetAsync(string workspaceId, string slug, CancellationToken cancellationToken);

    Task<IReadOnlyList<SavedConfig>> ListAsync(string workspaceId, CancellationToken cancellationToken);

    Task<IReadOnlyList<SavedConfig>> VersionsAsync(string workspaceId, string slug, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string workspaceId, string slug, CancellationToken cancellationToken);
}

/// <summary>Creates the schema or brings it up to date; the same migrations run at start-up and as a separate command.</summary>
public interface IStateMigrator
{
    /// <summary>The schema version this build needs.</summary>
    int RequiredVersion { get; }

    Task<int> MigrateAsync(CancellationToken cancellationToken);

    Task<int> CurrentVersionAsync(CancellationToken cancellationToken);
}
