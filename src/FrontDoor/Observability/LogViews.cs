using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Switchyard.FrontDoor.Admin;
using Switchyard.State;

namespace Switchyard.FrontDoor.Observability;

// The observability API's answers; properties serialize as snake_case, like the rest of the admin API.

/// <summary>Portkey's log <c>request</c>: the URL, method and body (parsed JSON; the raw text when it was cut).</summary>
internal sealed record LogRequestView(string Url, string Method, JsonElement? Headers, JsonElement? Body);

internal sealed record LogResponseView(int Status, JsonElement? Headers, JsonElement? Body, double ResponseTime);

/// <summary>Timings, tokens and cost; <c>cost</c> is in cents as Portkey counts it, <c>cost_micros</c> exact.</summary>
internal sealed record LogMetricsView(
    double TotalMs,
    double UpstreamMs,
    double? TtftMs,
    double OverheadMs,
    int InputTokens,
    int OutputTokens,
    int TotalTokens,
    int CachedTokens,
    int ReasoningTokens,
    double Cost,
    long CostMicros);

internal sealed record LogAttemptView(
    int Index, string OptionPath, string Provider, string? Model, int Status, string? ErrorType, double LatencyMs, DateTimeOffset StartedAt);

/// <summary>
/// One log: Portkey's <c>{_id, request, response, created_at, metrics}</c> followed by every field of the record
/// (docs/observability.md, "Logs API").
/// </summary>
internal sealed record LogView(
    [property: JsonPropertyName("_id")] string UnderscoreId,
    LogRequestView Request,
    LogResponseView Response,
    DateTimeOffset CreatedAt,
    LogMetricsView Metrics,
    string Id,
    string Object,
    string Kind,
    string WorkspaceId,
    string TraceId,
    string SpanId,
    string? ParentSpanId,
    string? W3cTraceId,
    string? SpanName,
    string? ApiKeyId,
    string? VirtualKey,
    string? ConfigId,
    int? ConfigVersion,
    string? Provider,
    string? ModelRequested,
    string? ModelUsed,
    string Endpoint,
    int Status,
    bool IsSuccess,
    string? ErrorType,
    string? ErrorMessage,
    bool Stream,
    string CacheStatus,
    int RetryCount,
    IReadOnlyList<LogAttemptView> Attempts,
    IReadOnlyDictionary<string, string> Metadata,
    string? User,
    string? ClientIp,
    string? UserAgent,
    string Bodies,
    bool Truncated,
    JsonElement? HookResults,
    DateTimeOffset ExpiresAt);

internal sealed record LogList(string Object, long Total, IReadOnlyList<LogView> Data, string? NextCursor);

internal sealed record TraceView(string Object, string TraceId, int Total, IReadOnlyList<LogView> Data);

internal sealed record LogsCreated(string Status, string Message, IReadOnlyList<string> LogIds);

internal sealed record FeedbackAnswer(
    string Status,
    string Message,
    IReadOnlyList<string> FeedbackIds,
    [property: JsonPropertyName("feedback_id")] IReadOnlyList<string> FeedbackId);

internal sealed record ExportCreated(string Id, long Total, string Object);

internal sealed record ExportView(
    string Id,
    JsonElement Filters,
    IReadOnlyList<string> RequestedData,
    string Status,
    string? Description,
    string WorkspaceId,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastUpdatedAt,
    DateTimeOffset? PinnedAt,
    long? Total,
    string Object);

internal sealed record ExportMessage(string Message, string Object);

internal sealed record ExportDownload(string SignedUrl);

/// <summary>An analytics graph: <c>summary</c> and <c>data_points</c> are objects whose fields depend on the graph.</summary>
internal sealed record GraphView(JsonObject Summary, JsonArray DataPoints, string Object);

internal sealed record CacheSummaryView(JsonObject Summary, string Object);

internal sealed record GroupList(string Object, int Total, JsonArray Data);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(LogView))]
[JsonSerializable(typeof(LogList))]
[JsonSerializable(typeof(TraceView))]
[JsonSerializable(typeof(LogsCreated))]
[JsonSerializable(typeof(FeedbackAnswer))]
[JsonSerializable(typeof(ExportCreated))]
[JsonSerializable(typeof(ExportView))]
[JsonSerializable(typeof(AdminList<ExportView>))]
[JsonSerializable(typeof(ExportMessage))]
[JsonSerializable(typeof(ExportDownload))]
[JsonSerializable(typeof(GraphView))]
[JsonSerializable(typeof(CacheSummaryView))]
[JsonSerializable(typeof(GroupList))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(LogRequestView))]
[JsonSerializable(typeof(LogResponseView))]
internal sealed partial class ObservabilityJsonContext : JsonSerializerContext;

/// <summary>Records as the API shows them.</summary>
internal static class LogViews
{
    public static LogView View(RequestLogRecord r)
    {
        var custom = r.Kind == LogKinds.Custom;
        LogRequestView request;
        LogResponseView response;
        if (custom && Parse(r.RequestBody) is { ValueKind: JsonValueKind.Object } requestObject)
        {
            // A custom record keeps the request and response objects it was posted with (headers already scrubbed).
            request = new LogRequestView(r.Path, r.Method, Property(requestObject, "headers"), Property(requestObject, "body"));
            var responseObject = Parse(r.ResponseBody);
            response = new LogResponseView(
                r.Status,
                responseObject is { ValueKind: JsonValueKind.Object } o ? Property(o, "headers") : null,
                responseObject is { ValueKind: JsonValueKind.Object } b ? Property(b, "body") : null,
                r.TotalMs);
        }
        else
        {
            request = new LogRequestView(r.Path, r.Method, null, Parse(r.RequestBody));
            response = new LogResponseView(r.Status, null, Parse(r.ResponseBody), r.TotalMs);
        }

        return new LogView(
            r.Id,
            request,
            response,
            r.CreatedAt,
            new LogMetricsView(
                r.TotalMs, r.UpstreamMs, r.TtftMs, r.OverheadMs, r.InputTokens, r.OutputTokens, r.InputTokens + r.OutputTokens,
                r.CachedTokens, r.ReasoningTokens, Cents(r.CostMicros), r.CostMicros),
            r.Id,
            "log",
            r.Kind,
            r.WorkspaceId,
            r.TraceId,
            r.SpanId,
            r.ParentSpanId,
            r.W3cTraceId,
            r.SpanName,
            r.ApiKeyId,
            r.VirtualKey,
            r.ConfigId,
            r.ConfigVersion,
            r.Provider,
            r.ModelRequested,
            r.ModelUsed,
            r.Endpoint,
            r.Status,
            !r.IsError,
            r.ErrorType,
            r.ErrorMessage,
            r.Stream,
            r.CacheStatus,
            r.RetryCount,
            r.Attempts.Select(a => new LogAttemptView(a.Index, a.OptionPath, a.Provider, a.Model, a.Status, a.ErrorType, a.LatencyMs, a.StartedAt)).ToArray(),
            r.Metadata,
            r.User,
            r.ClientIp,
            r.UserAgent,
            r.Bodies.ToString().ToLowerInvariant(),
            r.Truncated,
            Parse(r.HookResults),
            r.ExpiresAt);
    }

    /// <summary>Micro-dollars as cents, Portkey's unit for cost.</summary>
    public static double Cents(long micros) => micros / (double)LogFilters.MicrosPerCent;

    /// <summary>Stored JSON text as JSON; text that is not JSON (a body cut at the size cap) as a string.</summary>
    public static JsonElement? Parse(string? text)
    {
        if (text is null)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(text, ObservabilityJsonContext.Default.String);
        }
    }

    private static JsonElement? Property(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.Clone() : null;
}
