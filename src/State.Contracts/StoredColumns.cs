namespace Switchyard.State;

/// <summary>
/// The SELECT lists both stores read their tables with: every column aliased to the property of the store's row class
/// that Dapper fills, so the two stores read the same columns under the same names.
/// </summary>
internal static class StoredColumns
{
    public const string Workspace =
        "id AS Id, slug AS Slug, name AS Name, description AS Description, default_metadata AS DefaultMetadata, " +
        "limits AS Limits, archived AS Archived, created_at AS CreatedAt, updated_at AS UpdatedAt, price_overrides AS PriceOverrides";

    public const string ApiKey =
        "id AS Id, workspace_id AS WorkspaceId, name AS Name, description AS Description, key_hash AS KeyHash, hint AS Hint, " +
        "scopes AS Scopes, allowed_models AS AllowedModels, allowed_providers AS AllowedProviders, " +
        "default_config_slug AS DefaultConfigSlug, default_metadata AS DefaultMetadata, limits AS Limits, " +
        "expires_at AS ExpiresAt, revoked_at AS RevokedAt, created_at AS CreatedAt, updated_at AS UpdatedAt, type AS Type";

    public const string VirtualKey =
        "id AS Id, workspace_id AS WorkspaceId, slug AS Slug, name AS Name, provider AS Provider, " +
        "secret_key_id AS SecretKeyId, secret_nonce AS SecretNonce, secret_ciphertext AS SecretCiphertext, secret_tag AS SecretTag, " +
        "hint AS Hint, provider_options AS ProviderOptions, note AS Note, limits AS Limits, " +
        "expires_at AS ExpiresAt, created_at AS CreatedAt, updated_at AS UpdatedAt";

    public const string Config =
        "id AS Id, workspace_id AS WorkspaceId, slug AS Slug, name AS Name, config_json AS ConfigJson, version AS Version, " +
        "is_default AS IsDefault, created_at AS CreatedAt, updated_at AS UpdatedAt";

    public const string Audit =
        "id AS Id, at AS At, actor AS Actor, action AS Action, target_kind AS TargetKind, target_id AS TargetId, " +
        "workspace_id AS WorkspaceId, before_json AS Before, after_json AS After, request_id AS RequestId";
}
