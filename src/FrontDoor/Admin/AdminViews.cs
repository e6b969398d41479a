using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchyard.FrontDoor.Admin;

// The response shapes, named as Portkey's SDK types name them; properties serialize as snake_case.

internal sealed record UsageLimitsView(long CreditLimit, string Type, int? AlertThreshold, string? PeriodicReset, int? PeriodicResetDays, string? NextUsageResetAt);

internal sealed record RateLimitView(string Type, string Unit, long Value);

internal sealed record AdminErrorDetail(string Message, string Type, string Code, string? Param);

internal sealed record AdminError(string Status, string Message, AdminErrorDetail Error, IReadOnlyList<string>? Errors);

internal sealed record AdminList<T>(string Object, int Total, IReadOnlyList<T> Data);

internal sealed record Empty;

internal sealed record WorkspaceDefaults(IReadOnlyDictionary<string, string> Metadata, int IsDefault);

internal sealed record WorkspaceView(
    string Id,
    string Slug,
    string Name,
    string? Description,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastUpdatedAt,
    WorkspaceDefaults Defaults,
    IReadOnlyList<UsageLimitsView> UsageLimits,
    IReadOnlyList<RateLimitView> RateLimits,
    IReadOnlyList<string> Users,
    string Object);

internal sealed record CreatedApiKey(string Id, string Key, string Object);

internal sealed record ApiKeyDefaults(string? ConfigId, IReadOnlyDictionary<string, string> Metadata);

internal sealed record ApiKeyView(
    string Id,
    string Key,
    string Name,
    string? Description,
    string Type,
    string? OrganisationId,
    string WorkspaceId,
    string? UserId,
    string Status,
    string CreationMode,
    IReadOnlyList<RateLimitView> RateLimits,
    UsageLimitsView? UsageLimits,
    int ResetUsage,
    IReadOnlyList<string> Scopes,
    ApiKeyDefaults Defaults,
    IReadOnlyList<string> AlertEmails,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastUpdatedAt,
    string Object);

internal sealed record CreatedVirtualKey(string Id, string Slug, string Object);

internal sealed record VirtualKeyView(
    string Id,
    string Name,
    string Slug,
    string? Note,
    string Status,
    string WorkspaceId,
    string AiProviderName,
    string MaskedApiKey,
    IReadOnlyDictionary<string, string> ModelConfig,
    UsageLimitsView? UsageLimits,
    int ResetUsage,
    IReadOnlyList<RateLimitView> RateLimits,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastUpdatedAt,
    string Object);

internal sealed record CreatedConfig(string Id, string VersionId, string Slug, string Object, bool Success);

internal sealed record UpdatedConfig(string VersionId, string Object, bool Success);

internal sealed record ConfigSummary(
    string Id,
    string Name,
    string Slug,
    string? OrganisationId,
    string WorkspaceId,
    int IsDefault,
    string Status,
    string? OwnerId,
    string? UpdatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastUpdatedAt,
    string Object);

internal sealed record ConfigView(
    string Id,
    string Name,
    string Slug,
    string? OrganisationId,
    string WorkspaceId,
    int IsDefault,
    string Status,
    string? OwnerId,
    string? UpdatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastUpdatedAt,
    JsonElement Config,
    string Format,
    string Type,
    string VersionId,
    int Version,
    string Object);

internal sealed record ConfigVersionView(string Id, string ConfigId, string VersionId, int Version, string Name, string Config, DateTimeOffset CreatedAt, string Object);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(AdminError))]
[JsonSerializable(typeof(Empty))]
[JsonSerializable(typeof(WorkspaceView))]
[JsonSerializable(typeof(AdminList<WorkspaceView>))]
[JsonSerializable(typeof(CreatedApiKey))]
[JsonSerializable(typeof(ApiKeyView))]
[JsonSerializable(typeof(AdminList<ApiKeyView>))]
[JsonSerializable(typeof(CreatedVirtualKey))]
[JsonSerializable(typeof(VirtualKeyView))]
[JsonSerializable(typeof(AdminList<VirtualKeyView>))]
[JsonSerializable(typeof(CreatedConfig))]
[JsonSerializable(typeof(UpdatedConfig))]
[JsonSerializable(typeof(ConfigView))]
[JsonSerializable(typeof(AdminList<ConfigSummary>))]
[JsonSerializable(typeof(AdminList<ConfigVersionView>))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
