namespace Switchyard.State;

/// <summary>A record some replica changed: its kind (<c>workspace</c>, <c>api_key</c>, <c>virtual_key</c>, <c>config</c>), workspace and id.</summary>
public sealed record StateChange(string Kind, string WorkspaceId, string Id);

/// <summary>
/// Tells a replica when another one changed a record, so its in-memory snapshot follows within a second instead of
/// waiting for the periodic refresh, which stays as the safety net for a missed notice. Only the cluster store has one;
/// the embedded store lives in one process, which sees its own writes.
/// </summary>
public interface IChangeFeed
{
    /// <summary>
    /// Calls <paramref name="onChange"/> for every change until <paramref name="cancellationToken"/> fires, reconnecting
    /// whenever the connection drops. A null change means "changes may have been missed" (on every (re)connect):
    /// the caller reloads everything.
    /// </summary>
    Task ListenAsync(Func<StateChange?, Task> onChange, CancellationToken cancellationToken);
}
