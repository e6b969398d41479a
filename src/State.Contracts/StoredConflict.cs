namespace Switchyard.State;

/// <summary>
/// What a <see cref="StateConflictException"/> says, by the columns that collided (<c>workspace_id,slug</c>, as each
/// store names them from its own error): one wording on both stores, so the admin API's 409 reads the same on either.
/// </summary>
internal static class StoredConflict
{
    public static string Workspace(Workspace workspace, string columns) => columns switch
    {
        "slug" => $"a workspace with slug '{workspace.Slug}' already exists",
        _ => $"a workspace with id '{workspace.Id}' already exists",
    };

    // The hash is not quoted: it is derived from a secret and has no meaning to whoever reads the message.
    public static string ApiKey(ApiKey key, string columns) => columns switch
    {
        "key_hash" => "an API key with the same key hash already exists",
        _ => $"an API key with id '{key.Id}' already exists",
    };

    public static string VirtualKey(VirtualKey key, string columns) => columns switch
    {
        "workspace_id,slug" => $"a virtual key with slug '{key.Slug}' already exists in workspace '{key.WorkspaceId}'",
        _ => $"a virtual key with id '{key.Id}' already exists",
    };

    public static string AuditRecord(AuditRecord record) => $"an audit record with id '{record.Id}' already exists";
}
