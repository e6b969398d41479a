namespace Switchyard.State.Postgres;

// Rows as Dapper reads them: one property per selected column (`StoredColumns` aliases them to these names),
// timestamptz as UTC DateTime, jsonb as text in the shape of `StoredJson`. The mapping to the contract records is in one
// place per table so the SQL and the record cannot drift.

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
    public required string LogPolicy { get; init; }

    public Workspace ToRecord() => new(
        Id, Slug, Name, Description, StoredJson.ReadMap(DefaultMetadata), StoredJson.ReadLimits(Limits), Archived,
        StateTime.Read(CreatedAt), StateTime.Read(UpdatedAt))
    {
        PriceOverrides = StoredJson.ReadPriceOverrides(PriceOverrides),
        Logging = StoredJson.ReadLogPolicy(LogPolicy),
    };

    public static object Parameters(Workspace w) => new
    {
        w.Id,
        w.Slug,
        w.Name,
        w.Description,
        DefaultMetadata = StoredJson.WriteMap(w.DefaultMetadata),
        Limits = StoredJson.WriteLimits(w.Limits),
        w.Archived,
        CreatedAt = StateTime.Write(w.CreatedAt),
        UpdatedAt = StateTime.Write(w.UpdatedAt),
        PriceOverrides = StoredJson.WritePriceOverrides(w.PriceOverrides),
        LogPolicy = StoredJson.WriteLogPolicy(w.Logging),
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

    public ApiKey ToRecord() => new(
        Id, WorkspaceId, Name, Description, KeyHash, Hint, StoredJson.ReadList(Scopes), StoredJson.ReadOptionalList(AllowedModels),
        StoredJson.ReadOptionalList(AllowedProviders), DefaultConfigSlug, StoredJson.ReadMap(DefaultMetadata), StoredJson.ReadLimits(Limits),
        StateTime.Read(ExpiresAt), StateTime.Read(RevokedAt), StateTime.Read(CreatedAt), StateTime.Read(UpdatedAt))
    {
        Type = StoredApiKeyType.Read(Type),
    };

    public static object Parameters(ApiKey k) => new
    {
        k.Id,
        k.WorkspaceId,
        k.Name,
        k.Description,
        k.KeyHash,
        k.Hint,
        Scopes = StoredJson.WriteList(k.Scopes),
        AllowedModels = StoredJson.WriteOptionalList(k.AllowedModels),
        AllowedProviders = StoredJson.WriteOptionalList(k.AllowedProviders),
        k.DefaultConfigSlug,
        DefaultMetadata = StoredJson.WriteMap(k.DefaultMetadata),
        Limits = StoredJson.WriteLimits(k.Limits),
        ExpiresAt = StateTime.Write(k.ExpiresAt),
        RevokedAt = StateTime.Write(k.RevokedAt),
        CreatedAt = StateTime.Write(k.CreatedAt),
        UpdatedAt = StateTime.Write(k.UpdatedAt),
        Type = StoredApiKeyType.Write(k.Type),
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

    public VirtualKey ToRecord() => new(
        Id, WorkspaceId, Slug, Name, Provider, new SealedSecret(SecretKeyId, SecretNonce, SecretCiphertext, SecretTag), Hint,
        StoredJson.ReadMap(ProviderOptions), Note, StoredJson.ReadLimits(Limits), StateTime.Read(ExpiresAt),
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
        ProviderOptions = StoredJson.WriteMap(k.ProviderOptions),
        k.Note,
        Limits = StoredJson.WriteLimits(k.Limits),
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
