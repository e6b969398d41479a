namespace Switchyard.State.Embedded;

// Rows as SQLite holds them: text, integers, blobs. Each is both the parameter object for writes and Dapper's target
// for reads (`StoredColumns` aliases the columns to these names), and a record is returned only through ToRecord, so what
// a write returns is exactly what a later read gives.

internal sealed class WorkspaceRow
{
    public string Id { get; set; } = "";
    public string Slug { get; set; } = "";
    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public string DefaultMetadata { get; set; } = "";
    public string Limits { get; set; } = "";
    public long Archived { get; set; }
    public string CreatedAt { get; set; } = "";
    public string UpdatedAt { get; set; } = "";
    public string PriceOverrides { get; set; } = "{}";
    public string LogPolicy { get; set; } = "{}";

    public static WorkspaceRow From(Workspace w) => new()
    {
        Id = w.Id,
        Slug = w.Slug,
        Name = w.Name,
        Description = w.Description,
        DefaultMetadata = StoredJson.WriteMap(w.DefaultMetadata),
        Limits = StoredJson.WriteLimits(w.Limits),
        Archived = w.Archived ? 1 : 0,
        CreatedAt = StoredTime.Write(w.CreatedAt),
        UpdatedAt = StoredTime.Write(w.UpdatedAt),
        PriceOverrides = StoredJson.WritePriceOverrides(w.PriceOverrides),
        LogPolicy = StoredJson.WriteLogPolicy(w.Logging),
    };

    public Workspace ToRecord() => new(
        Id, Slug, Name, Description, StoredJson.ReadMap(DefaultMetadata), StoredJson.ReadLimits(Limits), Archived != 0,
        StoredTime.Read(CreatedAt), StoredTime.Read(UpdatedAt))
    {
        PriceOverrides = StoredJson.ReadPriceOverrides(PriceOverrides),
        Logging = StoredJson.ReadLogPolicy(LogPolicy),
    };
}

internal sealed class ApiKeyRow
{
    public string Id { get; set; } = "";
    public string WorkspaceId { get; set; } = "";
    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public string KeyHash { get; set; } = "";
    public string Hint { get; set; } = "";
    public string Scopes { get; set; } = "";
    public string? AllowedModels { get; set; }
    public string? AllowedProviders { get; set; }
    public string? DefaultConfigSlug { get; set; }
    public string DefaultMetadata { get; set; } = "";
    public string Limits { get; set; } = "";
    public string? ExpiresAt { get; set; }
    public string? RevokedAt { get; set; }
    public string CreatedAt { get; set; } = "";
    public string UpdatedAt { get; set; } = "";
    public string Type { get; set; } = StoredApiKeyType.Workspace;

    public static ApiKeyRow From(ApiKey k) => new()
    {
        Id = k.Id,
        WorkspaceId = k.WorkspaceId,
        Name = k.Name,
        Description = k.Description,
        KeyHash = k.KeyHash,
        Hint = k.Hint,
        Scopes = StoredJson.WriteList(k.Scopes),
        AllowedModels = StoredJson.WriteOptionalList(k.AllowedModels),
        AllowedProviders = StoredJson.WriteOptionalList(k.AllowedProviders),
        DefaultConfigSlug = k.DefaultConfigSlug,
        DefaultMetadata = StoredJson.WriteMap(k.DefaultMetadata),
        Limits = StoredJson.WriteLimits(k.Limits),
        ExpiresAt = StoredTime.Write(k.ExpiresAt),
        RevokedAt = StoredTime.Write(k.RevokedAt),
        CreatedAt = StoredTime.Write(k.CreatedAt),
        UpdatedAt = StoredTime.Write(k.UpdatedAt),
        Type = StoredApiKeyType.Write(k.Type),
    };

    public ApiKey ToRecord() => new(
        Id, WorkspaceId, Name, Description, KeyHash, Hint,
        StoredJson.ReadList(Scopes), StoredJson.ReadOptionalList(AllowedModels), StoredJson.ReadOptionalList(AllowedProviders),
        DefaultConfigSlug, StoredJson.ReadMap(DefaultMetadata), StoredJson.ReadLimits(Limits),
        StoredTime.ReadOptional(ExpiresAt), StoredTime.ReadOptional(RevokedAt), StoredTime.Read(CreatedAt), StoredTime.Read(UpdatedAt))
    {
        Type = StoredApiKeyType.Read(Type),
    };
}

internal sealed class VirtualKeyRow
{
    public string Id { get; set; } = "";
    public string WorkspaceId { get; set; } = "";
    public string Slug { get; set; } = "";
    public string Name { get; set; } = "";
    public string Provider { get; set; } = "";
    public string SecretKeyId { get; set; } = "";
    public byte[] SecretNonce { get; set; } = [];
    public byte[] SecretCiphertext { get; set; } = [];
    public byte[] SecretTag { get; set; } = [];
    public string Hint { get; set; } = "";
    public string ProviderOptions { get; set; } = "";
    public string? Note { get; set; }
    public string Limits { get; set; } = "";
    public string? ExpiresAt { get; set; }
    public string CreatedAt { get; set; } = "";
    public string UpdatedAt { get; set; } = "";

    public static VirtualKeyRow From(VirtualKey k) => new()
    {
        Id = k.Id,
        WorkspaceId = k.WorkspaceId,
        Slug = k.Slug,
        Name = k.Name,
        Provider = k.Provider,
        SecretKeyId = k.Secret.KeyId,
        SecretNonce = k.Secret.Nonce,
        SecretCiphertext = k.Secret.Ciphertext,
        SecretTag = k.Secret.Tag,
        Hint = k.Hint,
        ProviderOptions = StoredJson.WriteMap(k.ProviderOptions),
        Note = k.Note,
        Limits = StoredJson.WriteLimits(k.Limits),
        ExpiresAt = StoredTime.Write(k.ExpiresAt),
        CreatedAt = StoredTime.Write(k.CreatedAt),
        UpdatedAt = StoredTime.Write(k.UpdatedAt),
    };

    // Copies, so a caller that mutates the returned arrays cannot change what the next read sees.
    public VirtualKey ToRecord() => new(
        Id, WorkspaceId, Slug, Name, Provider,
        new SealedSecret(SecretKeyId, SecretNonce.ToArray(), SecretCiphertext.ToArray(), SecretTag.ToArray()),
        Hint, StoredJson.ReadMap(ProviderOptions), Note, StoredJson.ReadLimits(Limits),
        StoredTime.ReadOptional(ExpiresAt), StoredTime.Read(CreatedAt), StoredTime.Read(UpdatedAt));
}

internal sealed class ConfigRow
{
    public string Id { get; set; } = "";
    public string WorkspaceId { get; set; } = "";
    public string Slug { get; set; } = "";
    public string Name { get; set; } = "";
    public string ConfigJson { get; set; } = "";
    public long Version { get; set; }
    public long IsDefault { get; set; }
    public string CreatedAt { get; set; } = "";
    public string UpdatedAt { get; set; } = "";

    public static ConfigRow From(SavedConfig c) => new()
    {
        Id = c.Id,
        WorkspaceId = c.WorkspaceId,
        Slug = c.Slug,
        Name = c.Name,
        ConfigJson = c.ConfigJson,
        Version = c.Version,
        IsDefault = c.IsDefault ? 1 : 0,
        CreatedAt = StoredTime.Write(c.CreatedAt),
        UpdatedAt = StoredTime.Write(c.UpdatedAt),
    };

    public SavedConfig ToRecord() => new(
        Id, WorkspaceId, Slug, Name, ConfigJson, checked((int)Version), IsDefault != 0, StoredTime.Read(CreatedAt), StoredTime.Read(UpdatedAt));
}
