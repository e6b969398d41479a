using Switchyard.State;

namespace Switchyard.Bench.Micro.Fakes;

/// <summary>
/// A key store with no records. Keyless calls with inline configs never read the key directory, so nothing beyond an
/// empty snapshot is needed; the writes are never called on the data path.
/// </summary>
internal sealed class EmptyKeyStore : IKeyStore
{
    public Task<KeySnapshot> LoadSnapshotAsync(CancellationToken cancellationToken) =>
        Task.FromResult(new KeySnapshot([], [], [], []));

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
