using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchyard.FrontDoor.Admin;

// The response shapes, named as Portkey's SDK types name them; properties serialize as snake_case.

// Portkey's usage_limits fields first; time_zone, enforcement, alert_thresholds and alert_webhook_url are Switchyard's.
internal sealed record UsageLimitsView(
    long CreditLimit,
    string Type,
    int? AlertThreshold,
    string? PeriodicReset,
    int? PeriodicResetDays,
    string? NextUsageResetAt,
    string TimeZone,
    string Enforcement,
    IReadOnlyList<int> AlertThresholds,
    string? AlertWebhookUrl);

internal sealed record PriceOverrideView(decimal InputPerMillion, decimal OutputPerMillion);

/// <summary>One current quota window of an entity (a Switchyard extension): cost in USD, the others in their units.</summary>
internal sealed record UsageWindowView(string Meter, DateTimeOffset Start, DateTimeOffset? End, decimal Used, decimal Reserved);

/// <summary>What an entity has used in its current windows; <c>status</c> is <c>exhausted</c> once a hard budget is spent.</summary>
internal sealed record UsageView(string Status, IReadOnlyList<UsageWindowView> Windows);

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
    int? MaxConcurrentRequests,
    IReadOnlyDictionary<string, PriceOverrideView> PriceOverrides,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] UsageView? Usage,
    string Object);

internal sealed record CreatedApiKey(string Id, string Key, string Object);

internal sealed record RotatedApiKey(string Id, string Key, DateTimeOffset KeyTransitionExpiresAt, string Object);

internal sealed record ApiKeyDefaults(string? ConfigId, IReadOnlyDictionary<string, string> Metadata);

internal sealed record ApiKeyView(
    string Id,
    string Key,
    string Name,
    string? Description,
    string Type,
    string? OrganisationId,
    string? WorkspaceId,
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
    int? MaxConcurrentRequests,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] UsageView? Usage,
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
    int? MaxConcurrentRequests,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] UsageView? Usage,
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

internal sealed record ConfigAuditView(ConfigSummary Summary, int Version, JsonElement Config);

internal sealed record ConfigVersionView(string Id, string ConfigId, string VersionId, int Version, string Name, string Config, DateTimeOffset CreatedAt, string Object);

/// <summary>
/// One audit record in Portkey's <c>/audit-logs</c> shape (<c>timestamp</c>, <c>request_id</c>, <c>user_id</c>,
/// <c>user_type</c>, <c>workspace_id</c>, <c>resource_type</c>, <c>action</c>) plus Switchyard's <c>id</c>,
/// <c>actor</c>, <c>resource_id</c>, <c>before</c> and <c>after</c>.
/// </summary>
internal sealed record AuditLogView(
    string Id,
    DateTimeOffset Timestamp,
    string RequestId,
    string UserId,
    string UserType,
    string Actor,
    string? WorkspaceId,
    string ResourceType,
    string ResourceId,
    string Action,
    JsonElement? Before,
    JsonElement? After,
    string Object);

internal sealed record AuditLogList(IReadOnlyList<AuditLogView> Records, int Total, string Object);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(AdminError))]
[JsonSerializable(typeof(Empty))]
[JsonSerializable(typeof(WorkspaceView))]
[JsonSerializable(typeof(AdminList<WorkspaceView>))]
[JsonSerializable(typeof(CreatedApiKey))]
[JsonSerializable(typeof(RotatedApiKey))]
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
[JsonSerializable(typeof(AuditLogList))]
[JsonSerializable(typeof(CacheStatisticsList))]
[JsonSerializable(typeof(CacheInvalidated))]
[JsonSerializable(typeof(ConfigAuditView))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
