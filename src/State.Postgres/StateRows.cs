namespace Switchyard.State.Postgres;

// Rows as Dapper reads them: one property per selected column (aliased to these names), timestamptz as UTC DateTime,
// jsonb as text. The mapping to the contract records is in one place per table so the SQL and the record cannot drift.

internal sealed class WorkspaceRow
{
    public required string Id { get; init; }
    public required string Slug { get; init; }
    public required string Name { get; init; }
    public string? Description { get; init; }
    public required string DefaultMetadata { get; init; }
    public required string Limits { get; init; }
    public bool Archived { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; init; }
    public required string PriceOverrides { get; init; }

    public const string Columns =
        "id AS Id, slug AS Slug, name AS Name, description AS Description, default_metadata AS DefaultMetadata, " +
        "limits AS Limits, archived AS Archived, created_at AS CreatedAt, updated_at AS UpdatedAt, price_overrides AS PriceOverrides";

    public Workspace ToRecord() => new(
        Id, Slug, Name, Description, StateJson.ReadMap(DefaultMetadata), StateJson.ReadLimits(Limits), Archived,
        StateTime.Read(CreatedAt), StateTime.Read(UpdatedAt))
    {
        PriceOverrides = StateJson.ReadPriceOverrides(PriceOverrides),
    };

    public static object Parameters(Workspace w) => new
    {
        w.Id,
        w.Slug,
        w.Name,
        w.Description,
        DefaultMetadata = StateJson.Write(w.DefaultMetadata),
        Limits = StateJson.Write(w.Limits),
        w.Archived,
        CreatedAt = StateTime.Write(w.CreatedAt),
        UpdatedAt = StateTime.Write(w.UpdatedAt),
        PriceOverrides = StateJson.Write(w.PriceOverrides),
    };
}

internal sealed class ApiKeyRow
{
    public required string Id { get; init; }
    public required string WorkspaceId { get; init; }
    public required string Name { get; init; }
    public string? Description { get; init; }
    public required string KeyHash { get; init; }
    public required string Hint { get; init; }
    public required string Scopes { get; init; }
    public string? AllowedModels { get; init; }
    public string? AllowedProviders { get; init; }
    public string? DefaultConfigSlug { get; init; }
    public required string DefaultMetadata { get; init; }
    public required string Limits { get; init; }
    public DateTime? ExpiresAt { get; init; }
    public DateTime? RevokedAt { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; init; }
    public required string Type { get; init; }

    public const string Columns =
        "id AS Id, workspace_id AS WorkspaceId, name AS Name, description AS Description, key_hash AS KeyHash, hint AS Hint, " +
        "scopes AS Scopes, allowed_models AS AllowedModels, allowed_providers AS AllowedProviders, " +
        "default_config_slug AS DefaultConfigSlug, default_metadata AS DefaultMetadata, limits AS Limits, " +
        "expires_at AS ExpiresAt, revoked_at AS RevokedAt, created_at AS CreatedAt, updated_at AS UpdatedAt, type AS Type";

    public ApiKey ToRecord() => new(
        Id, WorkspaceId, Name, Description, KeyHash, Hint, StateJson.ReadList(Scopes) ?? [], StateJson.ReadList(AllowedModels),
        StateJson.ReadList(AllowedProviders), DefaultConfigSlug, StateJson.ReadMap(DefaultMetadata), StateJson.ReadLimits(Limits),
        StateTime.Read(ExpiresAt), StateTime.Read(RevokedAt), StateTime.Read(CreatedAt), StateTime.Read(UpdatedAt))
    {
        Type = Type switch
        {
            "workspace" => ApiKeyType.Workspace,
            "organisation" => ApiKeyType.Organisation,
            _ => throw new InvalidDataException($"switchyard.api_keys holds an unknown key type '{Type}'."),
        },
    };

    public static object Parameters(ApiKey k) => new
    {
        k.Id,
        k.WorkspaceId,
        k.Name,
        k.Description,
        k.KeyHash,
        k.Hint,
        Scopes = StateJson.Write(k.Scopes),
        AllowedModels = StateJson.Write(k.AllowedModels),
        AllowedProviders = StateJson.Write(k.AllowedProviders),
        k.DefaultConfigSlug,
        DefaultMetadata = StateJson.Write(k.DefaultMetadata),
        Limits = StateJson.Write(k.Limits),
        ExpiresAt = StateTime.Write(k.ExpiresAt),
        RevokedAt = StateTime.Write(k.RevokedAt),
        CreatedAt = StateTime.Write(k.CreatedAt),
        UpdatedAt = StateTime.Write(k.UpdatedAt),
        Type = k.Type switch
        {
            ApiKeyType.Workspace => "workspace",
            ApiKeyType.Organisation => "organisation",
            _ => throw new ArgumentOutOfRangeException(nameof(k), k.Type, "Unknown API key type."),
        },
    };
}

internal sealed class VirtualKeyRow
{
    public required string Id { get; init; }
    public required string WorkspaceId { get; init; }
    public required string Slug { get; init; }
    public required string Name { get; init; }
    public required string Provider { get; init; }
    public required string SecretKeyId { get; init; }
    public required byte[] SecretNonce { get; init; }
    public required byte[] SecretCiphertext { get; init; }
    public required byte[] SecretTag { get; init; }
    public required string Hint { get; init; }
    public required string ProviderOptions { get; init; }
    public string? Note { get; init; }
    public required string Limits { get; init; }
    public DateTime? ExpiresAt { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; init; }

    public const string Columns =
        "id AS Id, workspace_id AS WorkspaceId, slug AS Slug, name AS Name, provider AS Provider, secret_key_id AS SecretKeyId, " +
        "secret_nonce AS SecretNonce, secret_ciphertext AS SecretCiphertext, secret_tag AS SecretTag, hint AS Hint, " +
        "provider_options AS ProviderOptions, note AS Note, limits AS Limits, expires_at AS ExpiresAt, " +
        "created_at AS CreatedAt, updated_at AS UpdatedAt";

    public VirtualKey ToRecord() => new(
        Id, WorkspaceId, Slug, Name, Provider, new SealedSecret(SecretKeyId, SecretNonce, SecretCiphertext, SecretTag), Hint,
        StateJson.ReadMap(ProviderOptions), Note, StateJson.ReadLimits(Limits), StateTime.Read(ExpiresAt),
        StateTime.Read(CreatedAt), StateTime.Read(UpdatedAt));

    public static object Parameters(VirtualKey k) => new
    {
        k.Id,
        k.WorkspaceId,
        k.Slug,
        k.Name,
        k.Provider,
        SecretKeyId = k.Secret.KeyId,
        SecretNonce = k.Secret.Nonce,
        SecretCiphertext = k.Secret.Ciphertext,
        SecretTag = k.Secret.Tag,
        k.Hint,
        ProviderOptions = StateJson.Write(k.ProviderOptions),
        k.Note,
        Limits = StateJson.Write(k.Limits),
        ExpiresAt = StateTime.Write(k.ExpiresAt),
        CreatedAt = StateTime.Write(k.CreatedAt),
        UpdatedAt = StateTime.Write(k.UpdatedAt),
    };
}

internal sealed class ConfigRow
{
    public required string Id { get; init; }
    public required string WorkspaceId { get; init; }
    public required string Slug { get; init; }
    public required string Name { get; init; }
    public required string ConfigJson { get; init; }
    public int Version { get; init; }
    public bool IsDefault { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; init; }

    public const string Columns =
        "id AS Id, workspace_id AS WorkspaceId, slug AS Slug, name AS Name, config_json AS ConfigJson, version AS Version, " +
        "is_default AS IsDefault, created_at AS CreatedAt, updated_at AS UpdatedAt";

    public SavedConfig ToRecord() => new(
        Id, WorkspaceId, Slug, Name, ConfigJson, Version, IsDefault, StateTime.Read(CreatedAt), StateTime.Read(UpdatedAt));
}

/// <summary>
/// timestamptz holds microseconds in UTC; Npgsql refuses a DateTimeOffset with a non-zero offset, so writes go as UTC and
/// reads come back at offset zero (the same instant: DateTimeOffset equality compares instants).
/// </summary>
internal static class StateTime
{
    public static DateTimeOffset Write(DateTimeOffset value) => value.ToUniversalTime();

    public static DateTimeOffset? Write(DateTimeOffset? value) => value?.ToUniversalTime();

    public static DateTimeOffset Read(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    public static DateTimeOffset? Read(DateTime? value) => value is { } v ? Read(v) : null;
}
