namespace Switchyard.State.Postgres;

/// <summary>
/// What every write announces on <see cref="Channel"/> so replicas reload their snapshots:
/// <c>&lt;kind&gt;:&lt;workspace id&gt;:&lt;id&gt;</c>, e.g. <c>virtual_key:ws_1:vk_9</c>. A workspace's own change names
/// it twice (<c>workspace:ws_1:ws_1</c>); a config names its slug, since every version of it shares the slug.
/// The notice is sent inside the writing transaction, so PostgreSQL delivers it only if the write commits.
/// Workspace ids are generated (no ':'), so the id is everything after the second ':' whatever it contains.
/// </summary>
internal sealed record ChangeNotice(string Kind, string WorkspaceId, string Id)
{
    public const string Channel = "switchyard_changes";

    public const string WorkspaceKind = "workspace";
    public const string ApiKeyKind = "api_key";
    public const string VirtualKeyKind = "virtual_key";
    public const string ConfigKind = "config";

    public string Payload => $"{Kind}:{WorkspaceId}:{Id}";

    public static bool TryParse(string payload, out ChangeNotice? notice)
    {
        var parts = payload.Split(':', 3);
        notice = parts.Length == 3 && parts.All(p => p.Length > 0) ? new ChangeNotice(parts[0], parts[1], parts[2]) : null;
        return notice is not null;
    }
}
